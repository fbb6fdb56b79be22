"""What every page of the server-rendered GuideWire shares: the portal's context on its app,
the page frame, the signed-in account's devis, and the guard that answers an ended session
with the login form at the same URL, as the real portal does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from rpa.sandbox.guidewire.domain import STEPS, find_devis, open_devis, session_user
from rpa.sandbox.guidewire.markup import Markup
from rpa.sandbox.guidewire.sessions import GwSessions
from rpa.sandbox.host import Host
from rpa.sandbox.state import Devis, SandboxState
from rpa.sandbox.web import Endpoint, SessionStore, context

# A screen behind the sign-in: given the request and the live session.
Handler = Callable[[Request, dict[str, Any]], Awaitable[Response]]


@dataclass
class Classic:
    """The portal, as its routes find it on `request.app.state.context`. Its markup is drawn
    once, when the app is built."""

    sandbox: Host
    sessions: GwSessions
    store: SessionStore
    mk: Markup

    @classmethod
    def of(cls, request: Request) -> Classic:
        return context(request, cls)

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state

    def render(self, template: str, status_code: int = 200, **ctx: Any) -> Response:
        return self.sandbox.render(f"guidewire/{template}", status_code=status_code, mk=self.mk,
                                   **ctx)

    def login_page(self, *, error: str = "", expired: bool = False) -> Response:
        response = self.sandbox.render("guidewire/login.html", error=error, expired=expired,
                                       mk=self.mk)
        if expired:
            response.delete_cookie(self.store.cookie)
        return response

    def not_found(self, what: str) -> Response:
        return self.render("simple.html", status_code=404, title="Introuvable",
                           message=f"{what} introuvable.", alert=True)

    def open_count(self, session: dict[str, Any]) -> int:
        """The `DEVIS OUVERTS` card's count: the signed-in account's."""
        return len(open_devis(self.state, session_user(session)))

    def devis_of(self, request: Request, session: dict[str, Any]) -> Devis | None:
        """The devis the path names, if it is the signed-in account's."""
        return find_devis(self.state, request.path_params["numero"], session_user(session))

    def wizard(self, template: str, devis: Devis, step: str, status_code: int = 200,
               **ctx: Any) -> Response:
        return self.render(template, status_code=status_code, tab="polices", devis=devis,
                           step=step, steps=STEPS, **ctx)


def to_devis(devis: Devis, step: str = "") -> Response:
    return RedirectResponse(f"/devis/{devis.numero}{'/' + step if step else ''}", status_code=303)


def authed(handler: Handler, *, api: bool = False) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        portal = Classic.of(request)
        session, expired = portal.sessions.current(request)
        if session is None:
            if api:
                return JSONResponse({"error": "session expirée"}, status_code=401)
            return portal.login_page(expired=expired)
        return await handler(request, session)

    return endpoint


def route(path: str, handler: Handler, methods: tuple[str, ...] = ("GET",),
          api: bool = False) -> Route:
    """A screen behind the sign-in."""
    return Route(path, authed(handler, api=api), methods=list(methods))
