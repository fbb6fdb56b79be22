"""The Centralisateur's app: the portal's context on it, and its routes."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from rpa.sandbox.host import Host
from rpa.sandbox.reseauxconnect import accueil, declarer, profil
from rpa.sandbox.reseauxconnect.layout import DECLARER_URL, FORM_URL, Centralisateur
from rpa.sandbox.reseauxconnect.release import PORTAL


def build_app(sandbox: Host) -> Starlette:
    portal = Centralisateur(sandbox, sandbox.sessions[PORTAL])
    sandbox.inline_error_pages[PORTAL] = portal.inline_error
    app = Starlette(routes=[
        Route("/", accueil.home),
        Route("/sso", accueil.sso),
        Route("/Profil", profil.profil, methods=["GET", "POST"]),
        Route(DECLARER_URL, declarer.declarer, methods=["GET", "POST"]),
        Route(FORM_URL, declarer.formulaire, methods=["GET", "POST"]),
        Route("/Support", accueil.support),
        Route("/Deconnexion", accueil.logout),
        Route("/api/declarations", accueil.api_declarations),
    ])
    app.state.context = portal
    return app
