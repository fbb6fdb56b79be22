"""A devis and its wizard as JSON calls: each step's data on GET, its checks on POST (the
portal's words, or the next screen), then the purchase (once per devis, whatever is
retried) and its confirmation."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.guidewire.domain import (
    EXPIRED,
    PRODUCT,
    VEHICLE_FIELDS,
    account_name,
    buy,
    choose_offer,
    delete_devis,
    devis_status,
    euros,
    offers_for,
    police_alerts,
    policy_period,
    save_delivery,
    selected_offer,
    session_user,
    vehicle_errors,
    vehicle_form,
    vehicle_values,
)
from rpa.sandbox.guidewire.spa.layout import (
    Spa,
    go,
    header,
    json_body,
    not_found,
    ok,
    open_step,
    refused,
    text,
)
from rpa.sandbox.state import Devis, Offer, fr_date

VEHICLES_INTRO = "Veuillez corriger les champs suivants :"
NO_SUCH_OFFER = "Ce produit n'est pas proposé pour ce devis"
# A scripted wait the answer prescribes to the script, counted in `Sandbox.scripted_seconds`
# as it is served: the purchase dialog opens only after the portal has re-checked the quote
# (plus `late_ms`).
DIALOG_DELAY_MS = 200


async def devis_screen(request: Request, session: dict[str, Any]) -> Response:
    portal = Spa.of(request)
    devis = portal.devis_of(request, session)
    if devis is None:
        return not_found("Devis")
    s = portal.state
    offer = selected_offer(s, devis)
    status = devis_status(devis)
    return ok({
        "numero": devis.numero, "status": status, "account": account_name(s, devis),
        "police": devis.police, "can_continue": status in ("Devis en ébauche", "Expiré"),
        "summary": [
            ["Produit", PRODUCT], ["Créé le", fr_date(devis.created)],
            ["Date d'expiration du devis", fr_date(devis.expires)], ["VIN", devis.vin],
            ["Immatriculation", devis.immat],
            ["Garantie déclarée", f"{devis.garantie} {devis.duree}"],
            ["Produit sélectionné", offer.name if offer else "-"],
        ],
    })


async def supprimer(request: Request, session: dict[str, Any]) -> Response:
    portal = Spa.of(request)
    devis = portal.devis_of(request, session)
    if devis is None:
        return not_found("Devis")
    if delete_devis(devis):
        portal.sandbox.changed()
    return go(f"/devis/{devis.numero}")


@open_step
async def contrat(request: Request, devis: Devis) -> Response:
    if request.method == "GET":
        return ok(header(devis) | {"value": fr_date(devis.date_livraison)})
    error = save_delivery(devis, text(await json_body(request), "date_livraison"))
    if error:
        return refused([error], invalid=["date_livraison"])
    Spa.of(request).sandbox.changed()
    return go(f"/devis/{devis.numero}/vehicules")


@open_step
async def vehicules(request: Request, devis: Devis) -> Response:
    portal = Spa.of(request)
    if request.method == "GET":
        return ok(header(devis) | {
            "fields": [{"name": f.name, "label": f.label, "kind": f.kind,
                        "options": list(f.options), "hint": f.hint, "required": f.required}
                       for f in VEHICLE_FIELDS],
            "values": vehicle_values(portal.state, devis),
        })
    data = await json_body(request)
    sent = data.get("values")
    values = vehicle_form(lambda name: text(sent, name) if isinstance(sent, dict) else "")
    action = text(data, "action")
    if action in ("precedent", "sauvegarder"):
        devis.vehicle = values
        portal.sandbox.changed()
        if action == "precedent":
            return go(f"/devis/{devis.numero}/contrat")
        return ok({"saved": True})
    errors, invalid = vehicle_errors(values)
    if errors:
        return refused(errors, intro=VEHICLES_INTRO, invalid=sorted(invalid))
    devis.vehicle = values
    portal.sandbox.changed()
    return go(f"/devis/{devis.numero}/offres")


def offer_card(offer: Offer) -> dict[str, Any]:
    return {"name": offer.name, "price": euros(offer.price), "assistance": offer.assistance,
            "relation_client": offer.relation_client, "carence_mois": offer.carence_mois,
            "duree_mois": offer.duree_mois}


@open_step
async def offres(request: Request, devis: Devis) -> Response:
    portal = Spa.of(request)
    s = portal.state
    if request.method == "GET":
        return ok(header(devis) | {"selected": devis.selected_offer,
                                   "offers": [offer_card(o) for o in offers_for(s, devis)]})
    if choose_offer(s, devis, text(await json_body(request), "offer")) is None:
        return refused([NO_SUCH_OFFER])
    portal.sandbox.changed()
    return go(f"/devis/{devis.numero}/police")


def police_info(portal: Spa, devis: Devis, offer: Offer) -> dict[str, Any]:
    vehicle = vehicle_values(portal.state, devis)
    start, end = policy_period(devis, offer)
    return header(devis) | {
        "details": [
            ["Date de livraison du véhicule", fr_date(devis.date_livraison)],
            ["Date d'expiration du devis", fr_date(devis.expires)],
            ["Type de produit", offer.name],
            ["Durée de la police", f"{fr_date(start)} - {fr_date(end)}"],
            ["Prix total", euros(offer.price)],
        ],
        "vehicles": [{"immat": vehicle.get("Immatriculation", devis.immat),
                      "vin": vehicle.get("VIN", devis.vin),
                      "marque": vehicle.get("Marque", "").lower(),
                      "modele": vehicle.get("Modèle", "")}],
        "alerts": police_alerts(devis),
        "dialog_ms": portal.sandbox._waits(DIALOG_DELAY_MS + portal.sandbox.faults.late_ms),
    }


@open_step
async def police_step(request: Request, devis: Devis) -> Response:
    portal = Spa.of(request)
    offer = selected_offer(portal.state, devis)
    if offer is None:
        return go(f"/devis/{devis.numero}/offres")
    return ok(police_info(portal, devis, offer))


async def acheter(request: Request, session: dict[str, Any]) -> Response:
    """`Oui`: buys once, whatever is retried (a double click, a lost answer)."""
    portal = Spa.of(request)
    devis = portal.devis_of(request, session)
    if devis is None:
        return not_found("Devis")
    outcome = buy(portal.state, devis, session_user(session))
    if outcome == "bought":
        portal.sandbox.changed()
    if outcome in ("bought", "already-bought"):
        return go(f"/devis/{devis.numero}/confirmation")
    if outcome == "expired":
        return refused([EXPIRED])
    return go(f"/devis/{devis.numero}{'/offres' if outcome == 'no-offer' else ''}")


async def confirmation(request: Request, session: dict[str, Any]) -> Response:
    devis = Spa.of(request).devis_of(request, session)
    if devis is None:
        return not_found("Devis")
    if not devis.police:
        return go(f"/devis/{devis.numero}")
    return ok(header(devis) | {"police": devis.police})
