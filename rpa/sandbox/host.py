"""The sandbox as its portals see it: the world, the knobs, the sessions, and the few things
a portal asks of it (render a page, count a sign-in, save a change, send an e-mail).

`Sandbox` (server.py) adds the serving on top. The portals are given a `Host` and only
import this module, so the server can import them without a cycle.

A bad world, for tests of how the bot fails safe (all off by default): every credential
submission is counted per portal (`sign_in_attempts`); an account may be locked or its
password expired (`account_trouble`); a portal may answer nothing but garbage (`garbage`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from rpa.sandbox.drift import INLINE_ERRORS, NOTICE, Drift
from rpa.sandbox.faults import Faults
from rpa.sandbox.garbage import garbage_page
from rpa.sandbox.mail import Mail, deliver
from rpa.sandbox.signin import ACCOUNT_TROUBLES, SignIn
from rpa.sandbox.state import SandboxState
from rpa.sandbox.web import InlineErrorPage, Scope, SessionStore, templates

PORTALS = ("planetvo", "reseauxconnect", "guidewire", "traqueur")
# The portals with a sign-in of their own (reseauxconnect is entered by a one-time token).
SIGN_IN_PORTALS = ("planetvo", "guidewire", "traqueur")


@dataclass
class Host:
    """The replica's state, its knobs and its base URLs."""

    state: SandboxState
    state_path: Path | None = None
    latency_ms: float = 0.0
    # GuideWire signs a user out after this much inactivity (PORTALS.md: the login page comes back).
    guidewire_idle_seconds: float = 900.0
    # Fault knob: GuideWire also signs a user out after this many authenticated requests.
    guidewire_expire_after_requests: int | None = None
    # Seeded fault injection (5xx, unavailable pages, lost answers, jitter, late dialogs).
    faults: Faults = field(default_factory=Faults)
    # Seeded markup and behaviour drift, as a portal's next release brings (rpa/sandbox/drift.py).
    drift: Drift = field(default_factory=Drift)
    # Portals that can show a failure inside their own layout (drift `inline-errors`): each
    # registers its page here when its app is built; a portal that did not keeps the bare
    # error pages. GuideWire may opt in the same way.
    inline_error_pages: dict[str, InlineErrorPage] = field(default_factory=dict)
    # Time spent answering requests (latency included), and how many: the benchmark's floor.
    server_seconds: float = 0.0
    server_requests: int = 0
    # Time its pages make a user wait by script (lists fetched a moment after the page, late
    # dialogs), counted as each page is served: the rest of the portal's own time.
    scripted_seconds: float = 0.0
    # When a list: every request's (began, ended, method, path), for the benchmark's timeline.
    journal: list[tuple[float, float, str, str]] | None = None
    # A bad world (all off by default). Every credential submission a portal's sign-in saw,
    # accepted or refused, by portal (`planetvo`, `guidewire`, `traqueur`): a bot that retries
    # a refused password is how real accounts get locked.
    sign_in_attempts: Counter[str] = field(default_factory=Counter)
    # Portal -> `locked` (every submission refused with ACCOUNT_LOCKED) or `expired` (the right
    # password leads to PASSWORD_EXPIRED's screen, and no session).
    account_trouble: dict[str, str] = field(default_factory=dict)
    # Portals (any of PORTALS) whose every answer is `garbage_page`, status 200.
    garbage: set[str] = field(default_factory=set)
    host: str = "127.0.0.1"
    ports: dict[str, int] = field(default_factory=dict)
    # Planet VO `Valider` -> reseauxconnect popup: one-time token -> BDC numero.
    handoffs: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, SessionStore] = field(default_factory=dict)
    # E-mails the portals sent while the SMTP server ran (not persisted: an inbox, not state).
    mailbox: list[Mail] = field(default_factory=list)
    smtp_port: int | None = None

    def __post_init__(self) -> None:
        for portal in PORTALS:
            self.sessions.setdefault(portal, SessionStore(cookie=f"{portal}_session"))

    def url(self, portal: str) -> str:
        """The portal's base URL: its login page."""
        return f"http://{self.host}:{self.ports[portal]}/"

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("dealer", self.state.dealer)
        context.setdefault("late_ms", self.faults.late_ms)
        context.setdefault("waits", self._waits)
        context.setdefault("drift", self.drift)
        context.setdefault("portal", template.split("/", 1)[0])
        context.setdefault("notice", NOTICE)
        # Whether the page's scripts tell a failed call in the portal's own words.
        context.setdefault("inline_errors", self.inline_errors(context["portal"]))
        html = templates.get_template(template).render(**context)
        return HTMLResponse(html, status_code=status_code)

    def inline_errors(self, portal: str) -> bool:
        """Whether `portal` shows its failures inside its own layout, with status 200."""
        return self.drift.on("inline-errors") and portal in self.inline_error_pages

    def inline_error(self, portal: str, scope: Scope) -> Response:
        """The portal's layout holding one of its own failure messages, drawn (seeded) with
        its role: an alert, or a plain block of text that no assistive technology announces."""
        rng = self.drift.rng(f"{portal}-errors")
        message = rng.choice(INLINE_ERRORS)
        role = rng.choice(["alert", ""])
        return self.inline_error_pages[portal](Request(scope), message, role)

    def _waits(self, ms: float) -> int:
        """A scripted wait of `ms` in a page being rendered: counted, then written in."""
        self.scripted_seconds += ms / 1000
        return int(ms)

    def sign_in(self, portal: str, credentials_ok: bool) -> SignIn:
        """Count one credential submission to `portal` and say what its account makes of it:
        a locked account refuses even the right password; an expired one takes the right
        password only to say it has expired."""
        assert portal in SIGN_IN_PORTALS, portal
        self.sign_in_attempts[portal] += 1
        trouble = self.account_trouble.get(portal)
        if trouble is not None and trouble not in ACCOUNT_TROUBLES:
            raise ValueError(f"account_trouble[{portal!r}] = {trouble!r}: not one of {ACCOUNT_TROUBLES}")
        if trouble == "locked":
            return "locked"
        if not credentials_ok:
            return "refused"
        return "expired" if trouble == "expired" else "accepted"

    def garbled(self) -> HTMLResponse:
        """A garbled portal's answer to anything: status 200, seeded garbage."""
        return HTMLResponse(garbage_page(self.drift.rng("garbage")))

    def changed(self) -> None:
        """Call after every mutation, so a restart finds the same world."""
        if self.state_path is not None:
            self.state.save(self.state_path)

    def send_mail_blocking(self, sender: str, to: list[str], subject: str, body: str) -> None:
        """Send through the sandbox SMTP server; a no-op when it is not running (app-only tests)."""
        port = self.smtp_port
        if port is None or not to:
            return
        deliver(self.host, port, sender, to, subject, body)

    async def send_mail(self, sender: str, to: list[str], subject: str, body: str) -> None:
        """As `send_mail_blocking`, off the event loop; returns once the server has the mail."""
        await asyncio.to_thread(self.send_mail_blocking, sender, to, subject, body)
