"""GuideWire's sign-in rules, the same for both its faces: a session belongs to the account
that signed in, and ends after inactivity and, as a fault knob, after N authenticated requests
(pages and API calls alike)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from rpa.sandbox.guidewire.domain import PORTAL
from rpa.sandbox.host import Host
from rpa.sandbox.web import SessionStore


@dataclass
class GwSessions:
    """GuideWire's sessions, in the sandbox's store for the portal."""

    sandbox: Host

    @property
    def store(self) -> SessionStore:
        return self.sandbox.sessions[PORTAL]

    def current(self, request: Request) -> tuple[dict[str, Any] | None, bool]:
        """The live session (this request counted), or None and whether one had existed
        (so it expired rather than never was)."""
        had_cookie = bool(request.cookies.get(self.store.cookie))
        session = self.store.get(request)
        if session is None:
            return None, had_cookie
        now = time.monotonic()
        limit = self.sandbox.guidewire_expire_after_requests
        if now - session["last"] > self.sandbox.guidewire_idle_seconds or (
            limit is not None and session["requests"] >= limit
        ):
            self.store.drop(request)
            return None, True
        session["last"] = now
        session["requests"] += 1
        return session, False

    def open(self, request: Request, username: str) -> str:
        """Sign in as `username` (the account that signed in: what the session sees is its
        own): a fresh session (any previous one on this browser ends); its token."""
        self.store.drop(request)
        return self.store.create({"user": username, "last": time.monotonic(), "requests": 0,
                                  "viewed": []})
