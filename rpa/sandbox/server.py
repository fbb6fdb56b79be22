"""Serve the sandbox portals on loopback, one port each, in one process.

Each portal gets its own port (so its own origin and cookies, as on the real web: the
Planet VO popup and the `Accéder à GuideWire` link really cross origins). One uvicorn
server listens on all the sockets and a tiny ASGI dispatcher routes by local port.

The Traqueur extranet also sends e-mails (PORTALS.md §4): a small SMTP server on loopback
(aiosmtpd) receives them into `Sandbox.mailbox`, where tests read them.

A bad world, for tests of how the bot fails safe (all off by default): every credential
submission is counted per portal (`sign_in_attempts`); an account may be locked or its
password expired (`account_trouble`); a portal may answer nothing but garbage (`garbage`).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import random
import secrets
import smtplib
import socket
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import uvicorn
from aiosmtpd.controller import Controller
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from rpa.sandbox.drift import INLINE_ERRORS, NOTICE, Drift
from rpa.sandbox.faults import UNAVAILABLE_PAGE, FaultKind, Faults
from rpa.sandbox.seed import build_state
from rpa.sandbox.state import SandboxState, fr_amount, fr_date

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# A portal's own page for a failure shown inside its layout (drift `inline-errors`): given the
# request that failed, the message and its role (`alert`, or "" for a plain block of text).
InlineErrorPage = Callable[[Request, str, str], Response]

PORTALS = ("planetvo", "reseauxconnect", "guidewire", "traqueur")
# The portals with a sign-in of their own (reseauxconnect is entered by a one-time token).
SIGN_IN_PORTALS = ("planetvo", "guidewire", "traqueur")

# `Sandbox.account_trouble` values, and what a locked account says to any submission.
ACCOUNT_TROUBLES = ("locked", "expired")
ACCOUNT_LOCKED = ("Votre compte est verrouillé suite à plusieurs tentatives infructueuses. "
                  "Contactez votre administrateur.")
# What a credential submission comes to, once the account's trouble is taken into account.
SignIn = Literal["accepted", "refused", "locked", "expired"]


@dataclass(frozen=True)
class PasswordExpiredScreen:
    """The words of the screen an expired password leads to, the same on every portal. Its
    button does nothing: the bot must stop there, never choose a password."""

    heading: str = "Mot de passe expiré"
    message: str = "Votre mot de passe a expiré. Veuillez choisir un nouveau mot de passe."
    new_password: str = "Nouveau mot de passe"
    confirmation: str = "Confirmation du mot de passe"
    button: str = "Enregistrer"

    def as_json(self) -> dict[str, str]:
        return asdict(self)


PASSWORD_EXPIRED = PasswordExpiredScreen()

# What a garbled portal is made of (`Sandbox.garbage`): tags that name nothing a user looks
# for (no form, control, label or role), and text without vowels, `x`, `v` or `°` (nor `&`,
# which could spell any of them as an entity), so that no name of PORTALS.md (`Connexion`,
# `VIN`, `N°`, `4x4`, `VP`…) can come out of it. `Ã©` and `\ufffd`: mojibake.
GARBAGE_TAGS = ("div", "span", "p", "td", "tr", "table", "ul", "li", "b", "em", "font", "center")
GARBAGE_TEXT = "bcdfghjklmnpqrstwzBCDFGHJKLMNPQRSTWZ0123456789#%*+=|~^_;:!?$@  \ufffdÃ©"

templates = Environment(
    loader=PackageLoader("rpa.sandbox", "templates"),
    autoescape=select_autoescape(["html"]),
)
templates.filters["fr_date"] = fr_date
templates.filters["fr_amount"] = fr_amount


@dataclass
class SessionStore:
    """Server-side sessions behind an opaque cookie; lost on restart, like a real portal's."""

    cookie: str
    data: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, request: Request) -> dict[str, Any] | None:
        return self.data.get(request.cookies.get(self.cookie, ""))

    def create(self, values: dict[str, Any]) -> str:
        token = secrets.token_urlsafe(24)
        self.data[token] = values
        return token

    def drop(self, request: Request) -> None:
        self.data.pop(request.cookies.get(self.cookie, ""), None)


@dataclass(frozen=True)
class Mail:
    """One e-mail a portal sent, as the SMTP server received it."""

    sender: str
    to: tuple[str, ...]
    subject: str
    body: str
    message: EmailMessage


class _MailboxHandler:
    """aiosmtpd handler: every message accepted goes into the sandbox's mailbox."""

    def __init__(self, mailbox: list[Mail]) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(("plain",))
        body = part.get_content() if isinstance(part, EmailMessage) else ""
        self.mailbox.append(Mail(
            sender=str(message.get("From", envelope.mail_from)),
            to=tuple(envelope.rcpt_tos), subject=str(message.get("Subject", "")),
            body=body, message=message,
        ))
        return "250 Message accepted for delivery"


def is_navigation(scope: Scope) -> bool:
    """A document the browser navigates to (a link, a form, a reload), not a script's fetch:
    what Chromium says of it in its Fetch Metadata headers."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1").lower()
               for k, v in scope.get("headers", [])}
    return (headers.get("sec-fetch-mode") == "navigate"
            or headers.get("sec-fetch-dest") in ("document", "iframe"))


def garbage_page(rng: random.Random) -> str:
    """A page as a broken proxy or a half-deployed release serves it: markup cut short, random
    characters, mojibake. Drawn from `rng`, so a seed replays the same pages."""
    parts = []
    if rng.random() < 0.5:  # a head, sometimes: what follows is still shown, not swallowed by it
        parts.append(f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>'
                     f'{garbage_text(rng, 1, 12)}</title></head><body>')
    for _ in range(rng.randint(20, 60)):
        tag = rng.choice(GARBAGE_TAGS)
        kind = rng.random()
        if kind < 0.3:
            parts.append(f'<{tag} class="{garbage_text(rng, 3, 8)}">')
        elif kind < 0.5:
            parts.append(f"</{tag}>")
        elif kind < 0.6:
            parts.append(f"<{tag}"[: rng.randint(1, len(tag) + 1)])  # a tag cut in the middle
        else:
            parts.append(garbage_text(rng, 1, 40))
    parts.append(f'<{rng.choice(GARBAGE_TAGS)} cl')  # and the answer stops mid-tag
    return "".join(parts)


def garbage_text(rng: random.Random, shortest: int, longest: int) -> str:
    return "".join(rng.choice(GARBAGE_TEXT) for _ in range(rng.randint(shortest, longest)))


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Sandbox:
    """The running replica: its state, its knobs and its base URLs."""

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
    _smtp: Controller | None = None
    _bound: list[socket.socket] = field(default_factory=list)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        for portal in PORTALS:
            self.sessions.setdefault(portal, SessionStore(cookie=f"{portal}_session"))

    # -- helpers for the portal apps ---------------------------------------------------
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

    # -- e-mail -------------------------------------------------------------------------
    def start_mail(self) -> Sandbox:
        """Start the loopback SMTP server the portals send to (done by `start()` too)."""
        if self._smtp is None:
            port = _free_port(self.host)
            controller = Controller(_MailboxHandler(self.mailbox), hostname=self.host, port=port,
                                    server_hostname="smtp.sandbox.example")
            controller.start()
            self._smtp, self.smtp_port = controller, port
        return self

    def stop_mail(self) -> None:
        if self._smtp is not None:
            self._smtp.stop()
            self._smtp, self.smtp_port = None, None

    def send_mail_blocking(self, sender: str, to: list[str], subject: str, body: str) -> None:
        """Send through the sandbox SMTP server; a no-op when it is not running (app-only tests)."""
        port = self.smtp_port
        if port is None or not to:
            return
        message = EmailMessage()
        message["From"] = sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.host, port, timeout=10) as smtp:
            smtp.send_message(message)

    async def send_mail(self, sender: str, to: list[str], subject: str, body: str) -> None:
        """As `send_mail_blocking`, off the event loop; returns once the server has the mail."""
        await asyncio.to_thread(self.send_mail_blocking, sender, to, subject, body)

    # -- serving ------------------------------------------------------------------------
    def asgi(self) -> ASGIApp:
        from rpa.sandbox import guidewire, planetvo, reseauxconnect, traqueur

        apps: dict[int, ASGIApp] = {
            self.ports["planetvo"]: planetvo.build_app(self),
            self.ports["reseauxconnect"]: reseauxconnect.build_app(self),
            self.ports["guidewire"]: guidewire.build_app(self),
            self.ports["traqueur"]: traqueur.build_app(self),
        }
        portal_at = {port: portal for portal, port in self.ports.items()}
        latency = self  # read on every request: the knobs can be turned while it serves

        async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "lifespan":
                message = await receive()
                while message["type"] != "lifespan.shutdown":
                    await send({"type": message["type"] + ".complete"})
                    message = await receive()
                await send({"type": "lifespan.shutdown.complete"})
                return
            began = time.perf_counter()
            try:
                port = scope["server"][1]
                await answer(apps[port], portal_at.get(port, ""), scope, receive, send)
            finally:  # the portal's own time on this request: the floor the bot cannot beat
                ended = time.perf_counter()
                latency.server_seconds += ended - began
                latency.server_requests += 1
                if latency.journal is not None:
                    latency.journal.append((began, ended, scope.get("method", ""), scope.get("path", "")))

        async def answer(app: ASGIApp, portal: str, scope: Scope, receive: Receive, send: Send) -> None:
            delay = latency.faults.delay_s(latency.latency_ms)
            if delay > 0:
                await asyncio.sleep(delay)
            if portal in latency.garbage:  # before the faults: a garbled portal has no other answer
                await latency.garbled()(scope, receive, send)
                return
            fault = latency.faults.draw(scope.get("method", "GET"), scope.get("path", "/"))
            if fault is None:
                await app(scope, receive, send)
                return
            if shown_inline(fault, portal, scope):
                await latency.inline_error(portal, scope)(scope, receive, send)
            elif fault == "reponse-perdue":  # the portal did the work; its answer never arrives

                async def lost(message: Message) -> None:
                    return None

                await app(scope, receive, lost)
                await HTMLResponse("<h1>502 Bad Gateway</h1>", status_code=502)(scope, receive, send)
            elif fault == "http-500":
                await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
            else:
                status = 503 if fault == "http-503" else 200
                await HTMLResponse(UNAVAILABLE_PAGE, status_code=status)(scope, receive, send)

        def shown_inline(fault: FaultKind, portal: str, scope: Scope) -> bool:
            """A failed page (not a lost answer, not a script's call) that the portal shows in
            its own layout: script calls keep their status, for the page's script to tell."""
            return (fault != "reponse-perdue" and latency.inline_errors(portal)
                    and is_navigation(scope))

        return dispatch

    def bind(self) -> Sandbox:
        """Take the ports now (port 0: any free one), so the URLs are known before serving."""
        if not self._bound:
            for portal in PORTALS:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((self.host, self.ports.get(portal, 0)))
                self.ports[portal] = sock.getsockname()[1]
                self._bound.append(sock)
        return self

    def start(self) -> Sandbox:
        """Serve in a background thread; returns once every port accepts connections."""
        self.start_mail()
        self._serve()
        return self

    def _serve(self) -> None:
        self.bind()
        config = uvicorn.Config(self.asgi(), log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": self._bound}, name="sandbox", daemon=True
        )
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                self.stop_mail()
                raise RuntimeError("the sandbox server failed to start")
            time.sleep(0.01)  # server-side start-up, not the bot waiting on a page

    def _halt(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        for sock in self._bound:
            sock.close()
        self._bound = []

    def outage(self, seconds: float) -> None:
        """Fault knob: the server goes away (connections refused) for `seconds`, then comes
        back on the same ports with the same state and sessions. Blocks for the outage."""
        self.faults.injected["serveur-absent"] += 1
        self._halt()
        time.sleep(seconds)  # the outage itself
        self._serve()

    def serve_forever(self) -> None:
        """Serve in the foreground (for `rpa sandbox`) until interrupted."""
        self.bind()
        self.start_mail()
        server = uvicorn.Server(uvicorn.Config(self.asgi(), log_level="warning", lifespan="on"))
        try:
            server.run(sockets=self._bound)
        finally:
            self.stop_mail()

    def stop(self) -> None:
        self._halt()
        self.stop_mail()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def create_sandbox(
    state_path: Path | None = None,
    *,
    latency_ms: float = 0.0,
    extra_bdcs: int = 0,
    ports: dict[str, int] | None = None,
    drift: Drift | None = None,
    faults: Faults | None = None,
    expire_after: int | None = None,
) -> Sandbox:
    """A sandbox with the seed world, or with the world saved at `state_path` if there is one."""
    if state_path is not None and state_path.exists():
        state = SandboxState.load(state_path)
    else:
        state = build_state(extra=extra_bdcs)
        if state_path is not None:
            state.save(state_path)
    return Sandbox(state=state, state_path=state_path, latency_ms=latency_ms, ports=dict(ports or {}),
                   drift=drift or Drift(), faults=faults or Faults(),
                   guidewire_expire_after_requests=expire_after)
