"""`Paramétrage`: the sites table, and the `Modifier une localisation` dialog that saves one
(a renamed site's BDCs follow it, since they name their site by libellé; a recoded site's
GuideWire account follows it, since points of sale are known by code)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from rpa.sandbox.planetvo.layout import PlanetVo, alert_json
from rpa.sandbox.planetvo.release import RELEASE_TABLES
from rpa.sandbox.planetvo.words import SITE_FIELDS
from rpa.sandbox.state import Site


async def parametrage(request: Request) -> Response:
    portal = PlanetVo.of(request)
    return portal.page(request, "parametrage.html", active="Paramétrage", sites=portal.state.sites,
                       columns=portal.release().order("sites", RELEASE_TABLES["sites"].columns))


async def parametrage_rows(request: Request) -> Response:
    portal = PlanetVo.of(request)
    return portal.fragment("parametrage_rows.html", sites=portal.state.sites,
                           columns=portal.release().order("sites", RELEASE_TABLES["sites"].columns))


def find_site(portal: PlanetVo, request: Request) -> Site | None:
    try:
        site_id = int(request.path_params["site_id"])
    except ValueError:
        return None
    return next((s for s in portal.state.sites if s.id == site_id), None)


async def site_dialog(request: Request) -> Response:
    portal = PlanetVo.of(request)
    site = find_site(portal, request)
    if site is None:
        return Response("Localisation introuvable", status_code=404)
    return portal.fragment("site_dialog.html", site=site, fields=SITE_FIELDS)


async def site_save(request: Request) -> Response:
    portal = PlanetVo.of(request)
    site = find_site(portal, request)
    if site is None:
        return alert_json("Localisation introuvable")
    form = await request.form()
    values = {attr: str(form.get(attr, "")).strip() for _label, attr in SITE_FIELDS}
    if not values["code"]:
        return alert_json("Le champ Code est obligatoire")
    if not values["libelle"]:
        return alert_json("Le champ Libellé est obligatoire")
    if any(s.code == values["code"] and s.id != site.id for s in portal.state.sites):
        return alert_json(f"Le code {values['code']} est déjà utilisé par un autre site")
    old_libelle, old_code = site.libelle, site.code
    for attr, value in values.items():
        setattr(site, attr, value)
    site.bloque = form.get("bloque") is not None
    portal.state.recode_site(old_code, site.code)  # its GuideWire account follows the code
    if site.libelle != old_libelle:  # BDCs name their site by libellé: follow the rename
        for bdc in portal.state.bdcs:
            if bdc.site_libelle == old_libelle:
                bdc.site_libelle = site.libelle
    portal.sandbox.changed()
    return JSONResponse({"ok": True, "message": "Localisation enregistrée"})
