"""The way in (`/sso`, a one-time token from the Planet VO popup), `Accueil` and its list of
declarations (fetched by script), `Support` and `Déconnexion`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from rpa.sandbox.reseauxconnect.layout import DECLARER_URL, Centralisateur
from rpa.sandbox.reseauxconnect.release import (
    DECLARATION_COLUMNS,
    RELEASE_DECLARATION_EXTRAS,
    RELEASE_TABLES,
)
from rpa.sandbox.state import fr_date


async def home(request: Request) -> Response:
    portal = Centralisateur.of(request)
    session = portal.session_of(request)
    if session is None:
        return portal.no_session()
    titles = portal.release().order("declarations", RELEASE_TABLES["declarations"].columns)
    keys = dict(DECLARATION_COLUMNS + RELEASE_DECLARATION_EXTRAS)
    return portal.page("accueil.html", session, columns=[(title, keys[title]) for title in titles])


async def api_declarations(request: Request) -> Response:
    portal = Centralisateur.of(request)
    if portal.session_of(request) is None:
        return JSONResponse({"error": "session"}, status_code=401)
    rows = sorted(
        enumerate(portal.state.declarations), key=lambda item: (item[1].date, item[0]), reverse=True
    )
    extras = portal.release().on  # what a drifted release's extra columns show
    return JSONResponse([
        {
            "date": fr_date(d.date), "immat": d.immat, "vin": d.vin, "client": d.client,
            "garantie": f"{d.garantie} {d.duree}".strip(), "devis": d.devis,
        } | ({"reference": d.reference, "marque": d.fields.get("Marque*", "")} if extras else {})
        for _, d in rows
    ])


async def sso(request: Request) -> Response:
    portal = Centralisateur.of(request)
    token = request.query_params.get("token", "")
    numero = portal.sandbox.handoffs.pop(token, None)
    if numero is None:
        return portal.render("link_expired.html")
    sid = portal.store.create({"bdc": numero, "reference": None, "garantisseur": None})
    target = DECLARER_URL if portal.state.profil_configured else "/Profil"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(portal.store.cookie, sid, httponly=True, samesite="lax")
    return response


async def logout(request: Request) -> Response:
    portal = Centralisateur.of(request)
    portal.store.drop(request)
    response = portal.no_session()
    response.delete_cookie(portal.store.cookie)
    return response


async def support(request: Request) -> Response:
    portal = Centralisateur.of(request)
    session = portal.session_of(request)
    if session is None:
        return portal.no_session()
    return portal.page("support.html", session)
