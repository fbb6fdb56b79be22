"""Planet VO's sign-in and sign-out, under the sandbox's bad-world knobs: every submission is
counted, a locked account refuses it, an expired password leads to `Mot de passe expiré`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rpa.sandbox.planetvo.layout import PORTAL, PlanetVo
from rpa.sandbox.signin import ACCOUNT_LOCKED, PASSWORD_EXPIRED


async def login_page(request: Request) -> Response:
    portal = PlanetVo.of(request)
    if portal.signed_in(request) is not None:
        return RedirectResponse("/accueil", status_code=303)
    return portal.page(request, "login.html", error="", username="")


async def login_submit(request: Request) -> Response:
    portal = PlanetVo.of(request)
    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    account = portal.state.planetvo_account
    outcome = portal.sandbox.sign_in(
        PORTAL, username == account.username and password == account.password)
    if outcome == "expired":  # no session: the user must choose a new password first
        return portal.page(request, "mot_de_passe_expire.html", screen=PASSWORD_EXPIRED)
    if outcome != "accepted":
        error = ACCOUNT_LOCKED if outcome == "locked" else "Identifiant ou mot de passe incorrect"
        return portal.page(request, "login.html", error=error, username=username)
    token = portal.sessions.create({"user": username})
    response = RedirectResponse("/accueil", status_code=303)
    response.set_cookie(portal.sessions.cookie, token, httponly=True, samesite="lax")
    return response


async def logout(request: Request) -> Response:
    sessions = PlanetVo.of(request).sessions
    sessions.drop(request)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(sessions.cookie)
    return response
