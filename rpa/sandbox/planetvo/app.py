"""Planet VO's app: the portal's context on it, and its routes (listed in __init__.py)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from rpa.sandbox.host import Host
from rpa.sandbox.planetvo import auth, bdc, bdc_form, menu, parametrage, vehicules
from rpa.sandbox.planetvo.layout import PORTAL, PlanetVo, guard, guard_fragment


def build_app(sandbox: Host) -> Starlette:
    portal = PlanetVo(sandbox, sandbox.sessions[PORTAL])
    sandbox.inline_error_pages[PORTAL] = portal.inline_error
    app = Starlette(routes=[
        Route("/", auth.login_page, methods=["GET"]),
        Route("/", auth.login_submit, methods=["POST"]),
        Route("/deconnexion", auth.logout, methods=["GET"]),
        Route("/accueil", guard(menu.home), methods=["GET"]),
        Route("/menu/{slug}", guard(menu.placeholder), methods=["GET"]),
        Route("/parametrage", guard(parametrage.parametrage), methods=["GET"]),
        Route("/parametrage/lignes", guard_fragment(parametrage.parametrage_rows), methods=["GET"]),
        Route("/parametrage/sites/{site_id}", guard_fragment(parametrage.site_dialog), methods=["GET"]),
        Route("/parametrage/sites/{site_id}", guard_fragment(parametrage.site_save), methods=["POST"]),
        Route("/bdc", guard(bdc.bdc_list), methods=["GET"]),
        Route("/bdc/lignes", guard_fragment(bdc.bdc_rows), methods=["GET"]),
        Route("/bdc/export", guard(bdc.bdc_export), methods=["GET"]),
        Route("/bdc/{numero}", guard(bdc_form.bdc_edit), methods=["GET"]),
        Route("/bdc/{numero}", guard(bdc_form.bdc_submit), methods=["POST"]),
        Route("/vehicules", guard(vehicules.vehicle_search), methods=["GET"]),
        Route("/vehicules/{police}", guard(vehicules.vehicle_edit), methods=["GET"]),
        Route("/vehicules/{police}/garantir", guard_fragment(vehicules.garantir_dialog), methods=["GET"]),
        Route("/vehicules/{police}/garantir", guard_fragment(vehicules.garantir_submit), methods=["POST"]),
    ])
    app.state.context = portal
    return app
