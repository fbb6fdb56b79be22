"""Every request to the console passes here: who is it (a session, or the local operator when
the console only listens on this machine and has no accounts), may they see this, and, for
an action, did the form come from the console itself (its CSRF token) and may they act."""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from rpa.config import Role
from rpa.serve.audit import AuditLog
from rpa.serve.sessions import COOKIE, Session, Sessions

# Pages and files hold customer data: never cached, never framed, no script but ours.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
}
# A run's own report (self-contained HTML, no script) opened from the console.
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'"

Handler = Callable[..., Response]


class Gate:
    def __init__(self, sessions: Sessions, audit: AuditLog, *, open_access: bool, secure: bool) -> None:
        """`open_access`: no sign-in (loopback, no account): everyone is the local operator."""
        self.sessions, self.audit = sessions, audit
        self.open_access, self.secure = open_access, secure
        self.local_user = f"{getpass.getuser()}@local"

    def who(self, request: Request) -> tuple[Session | None, str | None]:
        """The request's session, and the id of one just opened for it (to set as cookie)."""
        sid = request.cookies.get(COOKIE)
        session = self.sessions.get(sid)
        if session is None and self.open_access:
            new_sid, session = self.sessions.open(self.local_user, Role.OPERATOR)
            return session, new_sid
        return session, None

    def set_cookie(self, response: Response, sid: str) -> None:
        response.set_cookie(COOKIE, sid, max_age=self.sessions.lifetime, httponly=True, samesite="strict",
                            secure=self.secure, path="/")

    def page(self, handler: Handler, *, act: bool = False) -> Callable[[Request], Awaitable[Response]]:
        """`handler(request, session, form)` behind the gate; `act`: a POST that changes things."""
        async def endpoint(request: Request) -> Response:
            session, new_sid = self.who(request)
            if session is None:
                if request.method == "GET":
                    return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
                return PlainTextResponse("Connexion requise.", status_code=401, headers=HEADERS)
            form: dict[str, Any] = {}
            if request.method == "POST":
                form = dict(await request.form())
                refused = self._refuse(request, session, form, act)
                if refused is not None:
                    return refused
            response = await run_in_threadpool(handler, request, session, form)
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
            if new_sid:
                self.set_cookie(response, new_sid)
            return response
        return endpoint

    def _refuse(self, request: Request, session: Session, form: dict[str, Any], act: bool) -> Response | None:
        where = {"path": request.url.path, "ip": request.client.host if request.client else ""}
        if not session.csrf_ok(form.get("csrf")):
            self.audit.write(session.user, "refusé : jeton CSRF absent ou faux", **where)
            return PlainTextResponse("Formulaire refusé : jeton de sécurité absent ou périmé. Rechargez la page.",
                                     status_code=403, headers=HEADERS)
        if act and not session.may_act():
            self.audit.write(session.user, "refusé : compte en lecture seule", **where)
            return PlainTextResponse("Votre compte est en lecture seule : cette action demande le rôle opérateur.",
                                     status_code=403, headers=HEADERS)
        return None

    def files(self, app: ASGIApp) -> ASGIApp:
        """A static app (the trace viewer) behind the same sign-in."""
        async def gated(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                if not self.open_access and self.sessions.get(Request(scope).cookies.get(COOKIE)) is None:
                    await PlainTextResponse("Connexion requise.", status_code=401)(scope, receive, send)
                    return
            await app(scope, receive, send)
        return gated
