"""The home page, and the menu entries the bot never needs: a page each, with its title."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.planetvo.layout import PlanetVo
from rpa.sandbox.planetvo.words import PLACEHOLDERS
from rpa.sandbox.state import today


async def home(request: Request) -> Response:
    return PlanetVo.of(request).page(request, "accueil.html", active="Accueil", today=today())


async def placeholder(request: Request) -> Response:
    portal = PlanetVo.of(request)
    name = PLACEHOLDERS.get(request.path_params["slug"])
    if name is None:
        return portal.page(request, "placeholder.html", title="Page introuvable")
    return portal.page(request, "placeholder.html", active=name, title=name)
