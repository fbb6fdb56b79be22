"""Serve the sandbox portals on loopback, one port each, in one process.

Each portal gets its own port (so its own origin and cookies, as on the real web: the
Planet VO popup and the `Accéder à GuideWire` link really cross origins). One uvicorn
server listens on all the sockets and a tiny ASGI dispatcher (dispatch.py) routes by local
port. The Traqueur extranet also sends e-mails: a loopback SMTP server (mail.py) receives
them into `Sandbox.mailbox`.

What the portals see of the sandbox is `Host` (host.py); `Sandbox` adds the serving.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from aiosmtpd.controller import Controller

from rpa.sandbox.dispatch import Dispatcher
from rpa.sandbox.drift import Drift
from rpa.sandbox.faults import Faults
from rpa.sandbox.guidewire.app import build_app as guidewire_app
from rpa.sandbox.host import PORTALS, Host
from rpa.sandbox.mail import start_smtp
from rpa.sandbox.planetvo.app import build_app as planetvo_app
from rpa.sandbox.reseauxconnect.app import build_app as reseauxconnect_app
from rpa.sandbox.seed import build_state
from rpa.sandbox.state import SandboxState
from rpa.sandbox.traqueur.app import build_app as traqueur_app
from rpa.sandbox.web import ASGIApp


@dataclass
class Sandbox(Host):
    """The running replica: its state, its knobs and its base URLs."""

    _smtp: Controller | None = None
    _bound: list[socket.socket] = field(default_factory=list)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    # -- e-mail -------------------------------------------------------------------------
    def start_mail(self) -> Sandbox:
        """Start the loopback SMTP server the portals send to (done by `start()` too)."""
        if self._smtp is None:
            self._smtp, self.smtp_port = start_smtp(self.mailbox, self.host)
        return self

    def stop_mail(self) -> None:
        if self._smtp is not None:
            self._smtp.stop()
            self._smtp, self.smtp_port = None, None

    # -- serving ------------------------------------------------------------------------
    def asgi(self) -> ASGIApp:
        apps: dict[int, ASGIApp] = {
            self.ports["planetvo"]: planetvo_app(self),
            self.ports["reseauxconnect"]: reseauxconnect_app(self),
            self.ports["guidewire"]: guidewire_app(self),
            self.ports["traqueur"]: traqueur_app(self),
        }
        return Dispatcher(self, apps, {port: portal for portal, port in self.ports.items()})

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
    points_of_sale: int = 1,
) -> Sandbox:
    """A sandbox with the seed world (with `points_of_sale=2`, a dealer group: seed.py), or
    with the world saved at `state_path` if there is one."""
    if state_path is not None and state_path.exists():
        state = SandboxState.load(state_path)
    else:
        state = build_state(extra=extra_bdcs, points_of_sale=points_of_sale)
        if state_path is not None:
            state.save(state_path)
    return Sandbox(state=state, state_path=state_path, latency_ms=latency_ms, ports=dict(ports or {}),
                   drift=drift or Drift(), faults=faults or Faults(),
                   guidewire_expire_after_requests=expire_after)
