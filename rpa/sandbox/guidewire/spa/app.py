"""The client-side GuideWire's app: the shell on every page URL, the JSON API under `/api/`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rpa.sandbox.guidewire.markup import Markup
from rpa.sandbox.guidewire.sessions import GwSessions
from rpa.sandbox.guidewire.spa import auth, lists, policies, wizard
from rpa.sandbox.guidewire.spa.layout import Spa, api, not_found
from rpa.sandbox.host import Host


async def shell(request: Request) -> Response:
    """The one page: whatever the path, the script draws the screen it names."""
    portal = Spa.of(request)
    return portal.sandbox.render("guidewire/spa.html", config={"markup": portal.mk.config()})


async def no_icon(request: Request) -> Response:
    return Response(status_code=404)


async def no_api(request: Request) -> Response:
    return not_found("Service")


def build_spa_app(sandbox: Host) -> Starlette:
    """GuideWire drawn by script: the shell on every page URL, the JSON API under `/api/`."""
    sessions = GwSessions(sandbox)
    portal = Spa(sandbox, sessions, sessions.store, Markup.draw(sandbox.drift),
                 sandbox.drift.rng("guidewire-expiry"))
    get_post = ("GET", "POST")
    app = Starlette(routes=[
        Route("/api/login", auth.login, methods=["POST"]),
        Route("/api/logout", auth.logout, methods=["POST"]),
        api("/accueil", lists.accueil),
        api("/devis-ouverts", lists.devis_ouverts),
        api("/recherche", lists.recherche),
        api("/polices", lists.polices),
        api("/comptes", lists.comptes),
        api("/pages/{name}", lists.simple),
        api("/devis/{numero}", wizard.devis_screen),
        api("/devis/{numero}/supprimer", wizard.supprimer, ("POST",)),
        api("/devis/{numero}/contrat", wizard.contrat, get_post),
        api("/devis/{numero}/vehicules", wizard.vehicules, get_post),
        api("/devis/{numero}/offres", wizard.offres, get_post),
        api("/devis/{numero}/police", wizard.police_step),
        api("/devis/{numero}/acheter", wizard.acheter, ("POST",)),
        api("/devis/{numero}/confirmation", wizard.confirmation),
        api("/police/{numero}", policies.police_screen),
        api("/police/{numero}/documents/{filename}", policies.document),
        Route("/api/{rest:path}", no_api, methods=["GET", "POST"]),
        Route("/favicon.ico", no_icon),
        Route("/{path:path}", shell, methods=["GET"]),
    ])
    app.state.context = portal
    return app
