"""`Gestion Véhicules`: the search, `Modifier véhicule`, and its `Information garantisseur`
dialog, whose `Valider` opens the reseauxconnect popup through a one-time token."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from rpa.sandbox.planetvo.layout import PlanetVo, alert_json
from rpa.sandbox.planetvo.release import RELEASE_TABLES
from rpa.sandbox.planetvo.text import fold, garantie_months, plate_key
from rpa.sandbox.planetvo.words import CIVILITE_ABBR, GARANTISSEURS, STELLANTIS_GARANTISSEURS
from rpa.sandbox.state import Bdc, SandboxState, Site, Vehicle, fr_amount, today


def site_of_vehicle(state: SandboxState, vehicle: Vehicle) -> Site | None:
    return state.site_by_code(vehicle.site_code)


def matches(vehicle: Vehicle, q: dict[str, str]) -> bool:
    """Whether `vehicle` is found by the search `q` (immat, vin, police; empty ones ignored)."""
    if q["immat"] and plate_key(q["immat"]) not in plate_key(vehicle.immat):
        return False
    if q["vin"] and q["vin"].upper() not in vehicle.vin.upper():
        return False
    return not (q["police"] and q["police"].casefold() != vehicle.police.casefold())


async def vehicle_search(request: Request) -> Response:
    portal = PlanetVo.of(request)
    q = {k: request.query_params.get(k, "").strip() for k in ("immat", "vin", "police")}
    searched = "rechercher" in request.query_params or any(q.values())
    results: list[tuple[Vehicle, str]] = []
    if searched:
        for vehicle in portal.state.vehicles:
            if matches(vehicle, q):
                site = site_of_vehicle(portal.state, vehicle)
                results.append((vehicle, site.libelle if site else vehicle.site_code))
    return portal.page(
        request, "vehicules.html", active="Gestion Véhicules", q=q, searched=searched,
        results=results, retour=urlencode({**q, "rechercher": "1"}) if searched else "",
        columns=portal.release().order("vehicules", RELEASE_TABLES["vehicules"].columns),
    )


def acheteur(bdc: Bdc | None) -> str:
    """The buyer as the vehicle's page names him: `M. DUPONT.Jean-75001 PARIS`."""
    if bdc is None or not bdc.nom:
        return ""
    civ = CIVILITE_ABBR.get(bdc.civilite, bdc.civilite)
    return f"{civ} {bdc.nom}.{bdc.prenom}-{bdc.code_postal} {bdc.ville}".strip(" -")


async def vehicle_edit(request: Request) -> Response:
    portal = PlanetVo.of(request)
    vehicle = portal.state.vehicle(request.path_params["police"])
    if vehicle is None:
        return portal.page(request, "placeholder.html", active="Gestion Véhicules",
                           title="Véhicule introuvable")
    bdcs = [b for b in portal.state.bdcs if b.vo_vendu == vehicle.police]
    bdc = portal.state.bdc_for_vehicle(vehicle.police)
    ttc = bdc.prix_negocie if bdc else 0.0
    achat_ttc = round(ttc * 0.7, -1)
    return portal.page(
        request, "vehicule.html", active="Gestion Véhicules", vehicle=vehicle, bdc=bdc,
        bdc_count=len(bdcs), site=site_of_vehicle(portal.state, vehicle), acheteur=acheteur(bdc),
        jours_stock=(today() - vehicle.premiere_immat).days,
        achat={"ht": fr_amount(round(achat_ttc / 1.2, 2)), "ttc": fr_amount(achat_ttc)},
        vente={"ht": fr_amount(round(ttc / 1.2, 2)), "ttc": fr_amount(ttc)} if bdc else None,
        garantie=garantie_months(bdc.garantie) if bdc else "",
        retour=request.query_params.get("retour", ""),
    )


async def garantir_dialog(request: Request) -> Response:
    portal = PlanetVo.of(request)
    vehicle = portal.state.vehicle(request.path_params["police"])
    if vehicle is None:
        return Response("Véhicule introuvable", status_code=404)
    return portal.fragment("garantir_dialog.html", vehicle=vehicle, garantisseurs=GARANTISSEURS)


async def garantir_submit(request: Request) -> Response:
    portal = PlanetVo.of(request)
    vehicle = portal.state.vehicle(request.path_params["police"])
    if vehicle is None:
        return alert_json("Véhicule introuvable")
    form = await request.form()
    garantisseur = str(form.get("garantisseur", "")).strip()
    action = str(form.get("action", "valider"))
    if not garantisseur:
        return alert_json("Veuillez choisir un garantisseur")
    if garantisseur not in GARANTISSEURS:
        return alert_json("Garantisseur inconnu")
    if action == "configurer":
        return JSONResponse({"ok": True, "message": f"Garantisseur {garantisseur} configuré"})
    if garantisseur not in STELLANTIS_GARANTISSEURS:
        return alert_json(
            f"La déclaration {garantisseur} n'est pas disponible pour ce point de vente"
        )
    bdc = portal.state.bdc_for_vehicle(vehicle.police)
    if bdc is None or fold(bdc.statut) != fold("Cloturé"):
        return alert_json("Le bon de commande doit être clôturé avant de garantir le véhicule")
    site = portal.state.site_by_libelle(bdc.site_libelle)
    if site is None or not site.rrd1.strip():
        return alert_json(f"Code RRD1 SPOTICAR manquant pour le site {bdc.site_libelle}")
    token = secrets.token_urlsafe(24)
    portal.sandbox.handoffs[token] = bdc.numero
    return JSONResponse(
        {"ok": True, "url": portal.sandbox.url("reseauxconnect") + "sso?token=" + token}
    )
