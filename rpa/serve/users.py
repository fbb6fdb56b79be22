"""The console's accounts: a name, a role and a scrypt hash of the password, never the password.

Kept in `<data dir>/serve/users.json` (0600), written by `rpa serve add-user`; accounts may
also come from the settings (RPA_SERVE__USERS), which win over the file for the same name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from pathlib import Path

from rpa.config import Role, ServeUser, Settings
from rpa.core.errors import UsageError
from rpa.core.files import private_file

MIN_PASSWORD = 12
NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
_N, _R, _P = 2**14, 8, 1  # scrypt's cost: about 50 ms a check, 16 MiB


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "$".join(("scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def verify(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(computed, _unb64(digest))


# Checked when the name is unknown, so that a wrong name takes as long as a wrong password.
_DECOY = hash_password(secrets.token_urlsafe(16))


def check(accounts: dict[str, ServeUser], name: str, password: str) -> ServeUser | None:
    user = accounts.get(name)
    ok = verify(password, user.password_hash if user else _DECOY)
    return user if ok and user else None


def users_file(settings: Settings) -> Path:
    return settings.data_dir / "serve" / "users.json"


def accounts(settings: Settings) -> dict[str, ServeUser]:
    """Every account: the file's, then the settings' (read at each sign-in, so an account
    added or removed counts without a restart)."""
    path = users_file(settings)
    found: dict[str, ServeUser] = {}
    if path.exists():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            found = {name: ServeUser.model_validate(user) for name, user in raw.items()}
        except ValueError as err:
            raise UsageError(f"{path} illisible ({type(err).__name__}) : refaites `rpa serve add-user`.") from None
    return {**found, **settings.serve.users}


def add_user(settings: Settings, name: str, password: str, role: Role) -> Path:
    """Create or replace the account `name` in the users file."""
    if not NAME.fullmatch(name):
        raise UsageError("Nom de compte : lettres, chiffres, . _ @ - (64 au plus).")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"Mot de passe trop court : {MIN_PASSWORD} caractères au moins.")
    path = users_file(settings)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    current[name] = ServeUser(role=role, password_hash=hash_password(password)).model_dump(mode="json")
    with private_file(path) as tmp:
        tmp.write_text(json.dumps(current, indent=1, ensure_ascii=False), encoding="utf-8")
    return path
