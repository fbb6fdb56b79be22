"""Sign-in and sign-out as JSON calls. An expired password answers, without a session, the
words of the screen the script then draws in place of the login (`passwordExpired` in
spa.js); a locked account's refusal is an alert on the login screen."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.guidewire.domain import LOGIN_REFUSED, PORTAL, signed_in_account
from rpa.sandbox.guidewire.spa.layout import Spa, json_body, ok, refused, text
from rpa.sandbox.signin import ACCOUNT_LOCKED, PASSWORD_EXPIRED


async def login(request: Request) -> Response:
    portal = Spa.of(request)
    data = await json_body(request)
    account = signed_in_account(portal.state, text(data, "username"), text(data, "password"))
    outcome = portal.sandbox.sign_in(PORTAL, account is not None)
    if outcome == "locked":
        return refused([ACCOUNT_LOCKED], status_code=403)
    if outcome == "refused":
        return refused([LOGIN_REFUSED])
    if outcome == "expired":
        return ok({"password_expired": PASSWORD_EXPIRED.as_json()})
    assert account is not None  # accepted: the credentials were right
    response = ok({"user": account.username})
    response.set_cookie(portal.store.cookie, portal.sessions.open(request, account.username),
                        httponly=True, samesite="lax")
    return response


async def logout(request: Request) -> Response:
    store = Spa.of(request).store
    store.drop(request)
    response = ok({})
    response.delete_cookie(store.cookie)
    return response
