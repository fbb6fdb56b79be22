"""The replica drifting the way a portal's next release does, without telling anyone.

Each switch is independent and seeded (`rpa sandbox --drift NAME[,NAME…]|all --seed N`); with
none on, the sandbox is the one the rest of the suite knows. What a switch never changes is
what PORTALS.md promises: the accessible names (labels, button and link texts, column
headers, headings, dialog titles) and the portals' own messages.

- ``spa``: GuideWire is a client-side application: one page whose screens are fetched as
  JSON and drawn by script; a failed call shows an alert in the current screen; an ended
  session brings the login screen back with a message, or a `Session expirée` dialog.
- ``inline-errors``: Planet VO, reseauxconnect and the extranet show their failures inside
  their normal layout, with status 200, in words of their own.
- ``markup``: the next release's markup: extra wrappers, buttons drawn as links, tables as
  grids with their columns reordered and extra columns, labels tied by ``aria-labelledby``.
- ``notice``: a maintenance notice on every page, which is information, not trouble.
- ``cookies``: a cookie-consent dialog (`Gestion des cookies`) on each portal's first visit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DRIFTS = ("spa", "inline-errors", "markup", "notice", "cookies")

NOTICE = ("Maintenance programmée samedi de 22h à 23h : le service sera momentanément "
          "indisponible pendant cette plage.")
# How a portal may say that it failed, in its own layout (inline-errors).
INLINE_ERRORS = (
    "Erreur technique. Veuillez réessayer.",
    "Service momentanément indisponible",
    "Une erreur inattendue est survenue (code 500). Veuillez réessayer ultérieurement.",
    "Le serveur distant est injoignable pour le moment.",
)


@dataclass
class Drift:
    """Which switches are on, and the seed their choices are drawn from."""

    names: frozenset[str] = frozenset()
    seed: int = 0
    _rngs: dict[str, random.Random] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def parse(cls, text: str, seed: int = 0) -> Drift:
        """`all`, or names separated by commas; an unknown name is refused with the list."""
        wanted = {n.strip() for n in text.split(",") if n.strip()}
        if "all" in wanted:
            return cls(frozenset(DRIFTS), seed)
        unknown = sorted(wanted - set(DRIFTS))
        if unknown:
            raise ValueError(f"dérive inconnue : {', '.join(unknown)} (choix : all, {', '.join(DRIFTS)})")
        return cls(frozenset(wanted), seed)

    def on(self, name: str) -> bool:
        assert name in DRIFTS, name
        return name in self.names

    def rng(self, purpose: str) -> random.Random:
        """A generator of its own for each purpose (a portal, a kind of choice), so that turning
        one switch on does not change the draws of another: each replays alone."""
        if purpose not in self._rngs:
            self._rngs[purpose] = random.Random(f"{self.seed}:{purpose}")
        return self._rngs[purpose]

    def choice(self, purpose: str, options: tuple[str, ...] | list[str]) -> str:
        return self.rng(purpose).choice(list(options))

    def notice_role(self, portal: str) -> str:
        """How a portal draws its maintenance notice: as an alert, a status, or plain text.
        Fixed per portal and seed (a portal does not redesign its banner between pages)."""
        return random.Random(f"{self.seed}:notice:{portal}").choice(["alert", "status", ""])

    def consent_delay_ms(self, portal: str) -> int:
        """Consent managers load late: the dialog shows this long after the page."""
        return random.Random(f"{self.seed}:cookies:{portal}").choice([0, 150, 400, 700])
