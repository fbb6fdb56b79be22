"""Sign-in and sign-out as JSON calls. An expired password answers, without a session, the
words of the screen the script then draws in place of the login (`passwordExpired` in
spa.js); a locked account's refusal is an alert on the login screen."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.guidewire.domain import LOGIN_REFUSED, PORTAL, credentials_ok
from rpa.sandbox.guidewire.spa.layout import Spa, json_body, ok, refused, text
from rpa.sandbox.signin import ACCOUNT_LOCKED, PASSWORD_EXPIRED


async def login(request: Request) -> Response:
    portal = Spa.of(request)
    data = await json_body(request)
    outcome = portal.sandbox.sign_in(
        PORTAL, credentials_ok(portal.state, text(data, "username"), text(data, "password")))
    if outcome == "locked":
        return refused([ACCOUNT_LOCKED], status_code=403)
    if outcome == "refused":
        return refused([LOGIN_REFUSED])
    if outcome == "expired":
        return ok({"password_expired": PASSWORD_EXPIRED.as_json()})
    response = ok({"user": portal.state.guidewire_account.username})
    response.set_cookie(portal.store.cookie, portal.sessions.open(request), httponly=True,
                        samesite="lax")
    return response


async def logout(request: Request) -> Response:
    store = Spa.of(request).store
    store.drop(request)
    response = ok({})
    response.delete_cookie(store.cookie)
    return response
