"""What every Planet VO screen shares: the portal's context on its app, the menu and the
signed-in user around each page, this seed's release markup, and the guard that sends a
signed-out user back to the login page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from rpa.sandbox.host import Host
from rpa.sandbox.planetvo.release import planetvo_release
from rpa.sandbox.planetvo.words import MENU
from rpa.sandbox.release import Release, Releases
from rpa.sandbox.state import SandboxState
from rpa.sandbox.web import Endpoint, SessionStore, context

PORTAL = "planetvo"
T = "planetvo/"


@dataclass
class PlanetVo:
    """The portal, as its routes find it on `request.app.state.context`."""

    sandbox: Host
    sessions: SessionStore
    releases: Releases = field(default_factory=lambda: Releases(planetvo_release))

    @classmethod
    def of(cls, request: Request) -> PlanetVo:
        return context(request, cls)

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state  # looked up each time: tests may swap the state object

    def signed_in(self, request: Request) -> dict[str, Any] | None:
        return self.sessions.get(request)

    def release(self) -> Release:
        """This seed's next release (drift `markup`), or today's markup."""
        return self.releases.current(self.sandbox.drift)

    def fragment(self, template: str, **ctx: Any) -> Response:
        return self.sandbox.render(T + template, mk=self.release(), **ctx)

    def page(self, request: Request, template: str, active: str = "", **ctx: Any) -> Response:
        session = self.signed_in(request) or {}
        return self.sandbox.render(
            T + template, menu=MENU, active=active, user=session.get("user", ""),
            mk=self.release(), **ctx
        )

    def inline_error(self, request: Request, message: str, role: str) -> Response:
        """A failed page, as this portal shows it (drift `inline-errors`): status 200, the
        menu of the screen asked for (or the sign-in frame when signed out) and the message."""
        path = request.url.path
        active = next((name for name, href in MENU
                       if path == href or (href != "/accueil" and path.startswith(href + "/"))), "")
        return self.page(request, "erreur.html", active=active, title=active or "Planet VO",
                         message=message, role=role)


def login_required(handler: Endpoint, fragment: bool = False) -> Endpoint:
    async def guarded(request: Request) -> Response:
        if PlanetVo.of(request).signed_in(request) is None:
            if fragment:
                return JSONResponse({"error": "Session expirée", "login": "/"}, 401)
            return RedirectResponse("/", status_code=303)
        return await handler(request)

    return guarded


def guard(handler: Endpoint) -> Endpoint:
    """A page: signed out, back to the login page."""
    return login_required(handler)


def guard_fragment(handler: Endpoint) -> Endpoint:
    """A fragment or a script's call: signed out, a 401 the page's script understands."""
    return login_required(handler, fragment=True)


def alert_json(message: str) -> JSONResponse:
    return JSONResponse({"error": message})
