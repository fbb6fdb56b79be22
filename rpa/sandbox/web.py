"""What every portal's pages share: the Jinja templates, server-side sessions, the ASGI
types, and how a route finds its portal: `build_app` puts a context object on the app
(`app.state.context`), so routes are plain module-level functions, not closures."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.state import fr_amount, fr_date

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# A route, as Starlette calls it.
Endpoint = Callable[[Request], Awaitable[Response]]
# A portal's own page for a failure shown inside its layout (drift `inline-errors`): given the
# request that failed, the message and its role (`alert`, or "" for a plain block of text).
InlineErrorPage = Callable[[Request, str, str], Response]

templates = Environment(
    loader=PackageLoader("rpa.sandbox", "templates"),
    autoescape=select_autoescape(["html"]),
)
templates.filters["fr_date"] = fr_date
templates.filters["fr_amount"] = fr_amount

Context = TypeVar("Context")


def context(request: Request, kind: type[Context]) -> Context:
    """The portal context its `build_app` set on the app serving `request`."""
    found = request.app.state.context
    if not isinstance(found, kind):
        raise TypeError(f"this app's context is {type(found).__name__}, not {kind.__name__}")
    return found


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
