"""The extranet's way in: the login page (the home page once signed in), sign-in under the
sandbox's bad-world knobs, the installation form nobody may use, and sign-out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rpa.sandbox.signin import ACCOUNT_LOCKED, PASSWORD_EXPIRED
from rpa.sandbox.traqueur.layout import Extranet
from rpa.sandbox.traqueur.menu import MENU
from rpa.sandbox.traqueur.release import PORTAL


async def root(request: Request) -> Response:
    portal = Extranet.of(request)
    session, account = portal.account_of(request)
    if session is None or account is None:
        return portal.login_page()
    return portal.page("home.html", session, account, menu=MENU)


async def login(request: Request) -> Response:
    if request.method == "GET":
        return RedirectResponse("/", status_code=303)
    portal = Extranet.of(request)
    form = await request.form()
    account = portal.state.account(str(form.get("email", "")))
    right = account is not None and str(form.get("password", "")) == account.password
    outcome = portal.sandbox.sign_in(PORTAL, right)
    if outcome == "expired":  # no session: the user must choose a new password first
        return portal.render("mot_de_passe_expire.html", screen=PASSWORD_EXPIRED)
    if outcome != "accepted" or account is None:
        return portal.login_page(error=ACCOUNT_LOCKED if outcome == "locked"
                                 else "Adresse email ou mot de passe incorrect")
    portal.store.drop(request)
    sid = portal.store.create({"email": account.email, "uploads": {}})
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(portal.store.cookie, sid, httponly=True, samesite="lax")
    return response


async def installation(request: Request) -> Response:
    await request.form()
    return Extranet.of(request).login_page(
        info="L'enregistrement d'une installation n'est pas disponible pour ce code.")


async def logout(request: Request) -> Response:
    store = Extranet.of(request).store
    store.drop(request)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(store.cookie)
    return response
