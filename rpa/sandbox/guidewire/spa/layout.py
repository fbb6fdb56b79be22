"""What every call of the client-side GuideWire shares: the portal's context on its app, the
JSON answers (data, the portal's refusal, another screen), and the guards: an ended session
is a 401 whose look is drawn per expiry, a wizard step needs an open devis."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rpa.sandbox.guidewire.domain import find_devis, is_open, session_user
from rpa.sandbox.guidewire.markup import Markup
from rpa.sandbox.guidewire.sessions import GwSessions
from rpa.sandbox.host import Host
from rpa.sandbox.state import Devis, SandboxState
from rpa.sandbox.web import Endpoint, SessionStore, context

# How a session that ended shows (PORTALS.md, "Trouble"): drawn per expiry, seeded.
EXPIRY_VIEWS = ("login", "dialog")

# A call behind the sign-in: given the request and the live session.
Api = Callable[[Request, dict[str, Any]], Awaitable[Response]]


@dataclass
class Spa:
    """The portal, as its calls find it on `request.app.state.context`. Its markup, and the
    generator of how expiries show, are drawn once, when the app is built."""

    sandbox: Host
    sessions: GwSessions
    store: SessionStore
    mk: Markup
    expiry: random.Random

    @classmethod
    def of(cls, request: Request) -> Spa:
        return context(request, cls)

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state

    def devis_of(self, request: Request, session: dict[str, Any]) -> Devis | None:
        """The devis the path names, if it is the signed-in account's."""
        return find_devis(self.state, request.path_params["numero"], session_user(session))

    def ended(self, request: Request, expired: bool) -> JSONResponse:
        """401: no session. After an expiry, how the screen says so is drawn anew each time."""
        body: dict[str, Any] = {"error": "Session expirée", "expired": expired}
        if expired:
            body["show"] = self.expiry.choice(EXPIRY_VIEWS)
        response = JSONResponse(body, status_code=401)
        if request.cookies.get(self.store.cookie):
            response.delete_cookie(self.store.cookie)
        return response


def ok(data: Any) -> JSONResponse:
    return JSONResponse(data)


def refused(errors: list[str], status_code: int = 400, **extra: Any) -> JSONResponse:
    """The portal's own words against what was asked (validation, a business refusal)."""
    return JSONResponse({"errors": errors, **extra}, status_code=status_code)


def go(path: str) -> JSONResponse:
    """Not this screen but that one (the server-rendered portal's 303)."""
    return JSONResponse({"redirect": path})


def not_found(what: str) -> JSONResponse:
    return refused([f"{what} introuvable."], status_code=404, title="Introuvable")


async def json_body(request: Request) -> dict[str, Any]:
    """The call's JSON object; anything else counts as empty (the checks then refuse it)."""
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value if isinstance(value, str) else ""


def header(devis: Devis) -> dict[str, str]:
    """What every wizard step shows above it."""
    return {"numero": devis.numero, "client": devis.client}


def authed(handler: Api) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        portal = Spa.of(request)
        session, expired = portal.sessions.current(request)
        if session is None:
            return portal.ended(request, expired)
        return await handler(request, session)

    return endpoint


def open_step(handler: Callable[[Request, Devis], Awaitable[Response]]) -> Api:
    """A wizard step of an open devis: any other devis goes back to its own screen."""
    async def endpoint(request: Request, session: dict[str, Any]) -> Response:
        devis = Spa.of(request).devis_of(request, session)
        if devis is None:
            return not_found("Devis")
        if not is_open(devis):
            return go(f"/devis/{devis.numero}")
        return await handler(request, devis)

    return endpoint


def api(path: str, handler: Api, methods: tuple[str, ...] = ("GET",)) -> Route:
    """A call behind the sign-in, under `/api`."""
    return Route(f"/api{path}", authed(handler), methods=list(methods))
