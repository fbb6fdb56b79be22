"""One ASGI app for every port: each request goes to the portal listening on the port it came
in by, once the knobs have had their say (latency, a garbled portal, a drawn fault), and the
portal's time on it is counted (the floor the bot cannot beat)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from starlette.responses import HTMLResponse, PlainTextResponse

from rpa.sandbox.faults import UNAVAILABLE_PAGE, FaultKind
from rpa.sandbox.host import Host
from rpa.sandbox.web import ASGIApp, Message, Receive, Scope, Send


def is_navigation(scope: Scope) -> bool:
    """A document the browser navigates to (a link, a form, a reload), not a script's fetch:
    what Chromium says of it in its Fetch Metadata headers."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1").lower()
               for k, v in scope.get("headers", [])}
    return (headers.get("sec-fetch-mode") == "navigate"
            or headers.get("sec-fetch-dest") in ("document", "iframe"))


@dataclass
class Dispatcher:
    """The portals' apps by local port. The host's knobs are read on every request: they can
    be turned while it serves."""

    host: Host
    apps: dict[int, ASGIApp]
    portals: dict[int, str]  # port -> the portal's name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        began = time.perf_counter()
        try:
            port = scope["server"][1]
            await self._answer(self.apps[port], self.portals.get(port, ""), scope, receive, send)
        finally:
            ended = time.perf_counter()
            self.host.server_seconds += ended - began
            self.host.server_requests += 1
            if self.host.journal is not None:
                self.host.journal.append((began, ended, scope.get("method", ""), scope.get("path", "")))

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        message = await receive()
        while message["type"] != "lifespan.shutdown":
            await send({"type": message["type"] + ".complete"})
            message = await receive()
        await send({"type": "lifespan.shutdown.complete"})

    async def _answer(self, app: ASGIApp, portal: str, scope: Scope, receive: Receive,
                      send: Send) -> None:
        host = self.host
        delay = host.faults.delay_s(host.latency_ms)
        if delay > 0:
            await asyncio.sleep(delay)
        if portal in host.garbage:  # before the faults: a garbled portal has no other answer
            await host.garbled()(scope, receive, send)
            return
        fault = host.faults.draw(scope.get("method", "GET"), scope.get("path", "/"))
        if fault is None:
            await app(scope, receive, send)
        elif self._shown_inline(fault, portal, scope):
            await host.inline_error(portal, scope)(scope, receive, send)
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

    def _shown_inline(self, fault: FaultKind, portal: str, scope: Scope) -> bool:
        """A failed page (not a lost answer, not a script's call) that the portal shows in
        its own layout: script calls keep their status, for the page's script to tell."""
        return (fault != "reponse-perdue" and self.host.inline_errors(portal)
                and is_navigation(scope))
