"""Sign-in in a bad world, the same on every portal with a sign-in of its own: what a
credential submission comes to once the account's trouble counts, the words of a locked
account and the screen of an expired password (whose button does nothing: the bot must stop
there, never choose a password)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

# `Sandbox.account_trouble` values, and what a locked account says to any submission.
ACCOUNT_TROUBLES = ("locked", "expired")
ACCOUNT_LOCKED = ("Votre compte est verrouillé suite à plusieurs tentatives infructueuses. "
                  "Contactez votre administrateur.")
# What a credential submission comes to, once the account's trouble is taken into account.
SignIn = Literal["accepted", "refused", "locked", "expired"]


@dataclass(frozen=True)
class PasswordExpiredScreen:
    """The words of the screen an expired password leads to, the same on every portal."""

    heading: str = "Mot de passe expiré"
    message: str = "Votre mot de passe a expiré. Veuillez choisir un nouveau mot de passe."
    new_password: str = "Nouveau mot de passe"
    confirmation: str = "Confirmation du mot de passe"
    button: str = "Enregistrer"

    def as_json(self) -> dict[str, str]:
        return asdict(self)


PASSWORD_EXPIRED = PasswordExpiredScreen()
