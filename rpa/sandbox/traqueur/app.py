"""The extranet's app: the portal's context on it, and its routes (a requester's and a
remover's pages are refused to the other kind of account)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from rpa.sandbox.host import Host
from rpa.sandbox.traqueur import auth, demandes, deposes
from rpa.sandbox.traqueur.layout import Extranet, route
from rpa.sandbox.traqueur.menu import PLACEHOLDERS, placeholder
from rpa.sandbox.traqueur.release import PORTAL


def build_app(sandbox: Host) -> Starlette:
    portal = Extranet(sandbox, sandbox.sessions[PORTAL])
    sandbox.inline_error_pages[PORTAL] = portal.inline_error
    get_post = ("GET", "POST")
    line_path = "/deposes/{numero:int}/{index:int}"
    app = Starlette(routes=[
        Route("/", auth.root),
        Route("/login", auth.login, methods=["GET", "POST"]),
        Route("/installation", auth.installation, methods=["POST"]),
        Route("/deconnexion", auth.logout),
        *(route(path, placeholder(path)) for path in PLACEHOLDERS),
        route("/deposes", demandes.deposes),
        route("/deposes/nouvelle", demandes.nouvelle, get_post, kind="demandeur"),
        route("/deposes/confirmer", demandes.confirmer, ("POST",), kind="demandeur"),
        route("/deposes/enregistree/{numero:int}", demandes.enregistree, kind="demandeur"),
        route("/deposes/{numero:int}", demandes.demande_detail, kind="demandeur"),
        route(f"{line_path}/annuler", demandes.annuler, ("POST",), kind="demandeur"),
        route("/api/deposes", deposes.api_deposes, api=True, kind="deposeur"),
        route(f"{line_path}/accepter", deposes.accepter, ("POST",), kind="deposeur"),
        route(f"{line_path}/refuser", deposes.refuser, ("POST",), kind="deposeur"),
        route(f"{line_path}/signaler", deposes.signaler, get_post, kind="deposeur"),
    ])
    app.state.context = portal
    return app
