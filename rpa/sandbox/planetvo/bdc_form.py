"""One bon de commande's form: `Enregistrer` saves what the user may edit, `Clôturer` also
closes the sale once its guarantee and delivery date are filled in."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rpa.sandbox.planetvo.layout import PlanetVo
from rpa.sandbox.planetvo.text import full_model, parse_fr_date
from rpa.sandbox.planetvo.words import BDC_EDITABLE, CIVILITES, GARANTIES
from rpa.sandbox.state import Bdc, fr_amount, fr_date, today


def bdc_values(bdc: Bdc) -> dict[str, str]:
    values = {name: str(getattr(bdc, name)) for name in BDC_EDITABLE}
    values["date_livraison"] = fr_date(bdc.date_livraison)
    return values


def bdc_form(request: Request, bdc: Bdc, values: dict[str, str], *, error: str = "",
             message: str = "", retour: str = "") -> Response:
    portal = PlanetVo.of(request)
    vehicle = portal.state.vehicle(bdc.vo_vendu)
    site = portal.state.site_by_libelle(bdc.site_libelle)
    garanties = list(GARANTIES)
    if values["garantie"] and values["garantie"] not in garanties:
        garanties.append(values["garantie"])
    ttc = bdc.prix_negocie
    ht = round(ttc / 1.2, 2)
    return portal.page(
        request, "bdc_form.html", active="Bon de commande", bdc=bdc, vehicle=vehicle,
        site=site, v=values, garanties=garanties, civilites=CIVILITES, error=error,
        message=message, retour=retour, modele=full_model(vehicle),
        prix={"ht": fr_amount(ht), "tva": fr_amount(round(ttc - ht, 2)), "ttc": fr_amount(ttc)},
    )


async def bdc_edit(request: Request) -> Response:
    portal = PlanetVo.of(request)
    bdc = portal.state.bdc(request.path_params["numero"])
    if bdc is None:
        return portal.page(request, "placeholder.html", active="Bon de commande",
                           title="Bon de commande introuvable")
    notice = {"enregistre": "Bon de commande enregistré", "cloture": "Bon de commande clôturé"}
    return bdc_form(
        request, bdc, bdc_values(bdc), retour=request.query_params.get("retour", ""),
        message=notice.get(request.query_params.get("ok", ""), ""),
    )


def closing_error(values: dict[str, str], livraison: dt.date | None) -> str:
    """What `Clôturer` says when the guarantee or the delivery date is missing, else ""."""
    missing = []
    if not values["garantie"]:
        missing.append("la garantie")
    if livraison is None:
        missing.append("la date de livraison")
    if not missing:
        return ""
    return ("Impossible de clôturer le bon de commande : " + " et ".join(missing)
            + (" sont obligatoires" if len(missing) > 1 else " est obligatoire"))


async def bdc_submit(request: Request) -> Response:
    portal = PlanetVo.of(request)
    bdc = portal.state.bdc(request.path_params["numero"])
    if bdc is None:
        return RedirectResponse("/bdc", status_code=303)
    form = await request.form()
    action = str(form.get("action", "enregistrer"))
    retour = str(form.get("retour", ""))
    current = bdc_values(bdc)
    values = {name: str(form.get(name, current[name])).strip() for name in BDC_EDITABLE}
    try:
        livraison = parse_fr_date(values["date_livraison"])
    except ValueError:
        return bdc_form(request, bdc, values, retour=retour,
                        error="La date de livraison doit être au format JJ/MM/AAAA")
    if action == "cloturer" and (error := closing_error(values, livraison)):
        return bdc_form(request, bdc, values, retour=retour, error=error)
    for name in BDC_EDITABLE:
        if name != "date_livraison":
            setattr(bdc, name, values[name])
    bdc.date_livraison = livraison
    bdc.date_modification = today()
    if action == "cloturer":
        bdc.statut = "Cloturé"
    portal.sandbox.changed()
    ok = "cloture" if action == "cloturer" else "enregistre"
    return RedirectResponse(
        f"/bdc/{bdc.numero}?" + urlencode({"ok": ok, "retour": retour}), status_code=303
    )
