"""Sign-in and sign-out, under the sandbox's bad-world knobs: every submission is counted, a
locked account refuses it, an expired password leads to `Mot de passe expiré`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rpa.sandbox.guidewire.classic.layout import Classic
from rpa.sandbox.guidewire.domain import LOGIN_REFUSED, PORTAL, signed_in_account
from rpa.sandbox.signin import ACCOUNT_LOCKED, PASSWORD_EXPIRED


async def login(request: Request) -> Response:
    if request.method == "GET":
        return RedirectResponse("/", status_code=303)
    portal = Classic.of(request)
    form = await request.form()
    account = signed_in_account(portal.state, str(form.get("username", "")),
                                str(form.get("password", "")))
    outcome = portal.sandbox.sign_in(PORTAL, account is not None)
    if outcome == "expired":  # no session: the user must choose a new password first
        return portal.sandbox.render("guidewire/mot_de_passe_expire.html",
                                     screen=PASSWORD_EXPIRED, mk=portal.mk)
    if outcome != "accepted":
        return portal.login_page(error=ACCOUNT_LOCKED if outcome == "locked" else LOGIN_REFUSED)
    assert account is not None  # accepted: the credentials were right
    sid = portal.sessions.open(request, account.username)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(portal.store.cookie, sid, httponly=True, samesite="lax")
    return response


async def logout(request: Request) -> Response:
    portal = Classic.of(request)
    portal.store.drop(request)
    response = portal.login_page()
    response.delete_cookie(portal.store.cookie)
    return response
