"""Who is signed in: sessions kept in the server's memory, named by a random cookie.

Server-side rather than a signed cookie: signing out, or an account removed, ends the
session at once; the cookie carries nothing but an unguessable name. A restart signs
everyone out, which a console used once a morning can afford. Each session has its CSRF
token, which every form that acts sends back.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass, field

from rpa.config import Role

COOKIE = "rpa_session"


@dataclass
class Session:
    user: str
    role: Role
    expires: float
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def may_act(self) -> bool:
        return self.role is Role.OPERATOR

    def csrf_ok(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf, str(sent))


class Sessions:
    def __init__(self, hours: float) -> None:
        self._lifetime = hours * 3600
        self._by_id: dict[str, Session] = {}

    @property
    def lifetime(self) -> int:
        return int(self._lifetime)

    def open(self, user: str, role: Role) -> tuple[str, Session]:
        self._forget_expired()
        sid = secrets.token_urlsafe(32)
        self._by_id[sid] = Session(user=user, role=role, expires=time.time() + self._lifetime)
        return sid, self._by_id[sid]

    def get(self, sid: str | None) -> Session | None:
        session = self._by_id.get(sid or "")
        if session is None or session.expires < time.time():
            return None
        return session

    def close(self, sid: str | None) -> None:
        self._by_id.pop(sid or "", None)

    def _forget_expired(self) -> None:
        now = time.time()
        for sid in [s for s, v in self._by_id.items() if v.expires < now]:
            del self._by_id[sid]


class Throttle:
    """Wrong passwords for one name: after `limit` within `window_s`, that name is refused
    until the oldest of them is `window_s` old (a guesser is slowed, the account not locked
    for good)."""

    def __init__(self, limit: int = 5, window_s: float = 900.0) -> None:
        self._limit, self._window = limit, window_s
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, name: str) -> bool:
        recent = self._failures.get(name.casefold())
        now = time.time()
        while recent and recent[0] < now - self._window:
            recent.popleft()
        return recent is not None and len(recent) >= self._limit

    def failed(self, name: str) -> None:
        self._failures.setdefault(name.casefold(), deque()).append(time.time())

    def succeeded(self, name: str) -> None:
        self._failures.pop(name.casefold(), None)
