"""A devis and its wizard: `Contrat` → `Véhicules` → `Devis` → `Informations sur la police`,
then the purchase (once per devis, whatever is retried) and its confirmation. Only an open
devis walks the wizard; any other goes back to its own page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.guidewire.classic.layout import Classic, to_devis
from rpa.sandbox.guidewire.domain import (
    EXPIRED,
    VEHICLE_FIELDS,
    account_name,
    buy,
    choose_offer,
    delete_devis,
    devis_status,
    euros,
    is_open,
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
from rpa.sandbox.state import Devis, Offer, fr_date


def devis_step(request: Request, session: dict[str, Any], *,
               open_only: bool = False) -> tuple[Classic, Devis] | Response:
    """The devis a wizard URL names, as the signed-in account sees it: 404 when it is another
    account's or none; back to the devis page when `open_only` and it can no longer be worked on."""
    portal = Classic.of(request)
    devis = portal.devis_of(request, session)
    if devis is None:
        return portal.not_found("Devis")
    if open_only and not is_open(devis):
        return to_devis(devis)
    return portal, devis


async def devis_page(request: Request, session: dict[str, Any]) -> Response:
    found = devis_step(request, session)
    if isinstance(found, Response):
        return found
    portal, devis = found
    s = portal.state
    return portal.render("devis.html", tab="polices", devis=devis, status=devis_status(devis),
                         account=account_name(s, devis), offer=selected_offer(s, devis))


async def devis_supprimer(request: Request, session: dict[str, Any]) -> Response:
    found = devis_step(request, session)
    if isinstance(found, Response):
        return found
    portal, devis = found
    if delete_devis(devis):
        portal.sandbox.changed()
    return to_devis(devis)


async def step_contrat(request: Request, session: dict[str, Any]) -> Response:
    found = devis_step(request, session, open_only=True)
    if isinstance(found, Response):
        return found
    portal, devis = found
    if request.method == "GET":
        return portal.wizard("contrat.html", devis, "contrat",
                             value=fr_date(devis.date_livraison), errors=[])
    form = await request.form()
    if form.get("action") == "annuler":
        return to_devis(devis)
    value = str(form.get("date_livraison", "")).strip()
    error = save_delivery(devis, value)
    if error:
        return portal.wizard("contrat.html", devis, "contrat", value=value, errors=[error])
    portal.sandbox.changed()
    return to_devis(devis, "vehicules")


async def step_vehicules(request: Request, session: dict[str, Any]) -> Response:
    found = devis_step(request, session, open_only=True)
    if isinstance(found, Response):
        return found
    portal, devis = found

    def shown(values: dict[str, str], errors: list[str], invalid: set[str],
              saved: bool) -> Response:
        return portal.wizard("vehicules.html", devis, "vehicules", fields=VEHICLE_FIELDS,
                             values=values, errors=errors, invalid=invalid, saved=saved)

    if request.method == "GET":
        return shown(vehicle_values(portal.state, devis), [], set(), False)
    form = await request.form()
    action = form.get("action")
    if action == "annuler":
        return to_devis(devis)
    values = vehicle_form(lambda name: str(form.get(name, "")))
    if action in ("precedent", "sauvegarder"):
        devis.vehicle = values
        portal.sandbox.changed()
        if action == "precedent":
            return to_devis(devis, "contrat")
        return shown(values, [], set(), True)
    errors, invalid = vehicle_errors(values)
    if errors:
        return shown(values, errors, invalid, False)
    devis.vehicle = values
    portal.sandbox.changed()
    return to_devis(devis, "offres")


async def step_offres(request: Request, session: dict[str, Any]) -> Response:
    found = devis_step(request, session, open_only=True)
    if isinstance(found, Response):
        return found
    portal, devis = found
    s = portal.state
    if request.method == "POST":
        form = await request.form()
        if form.get("action") == "precedent":
            return to_devis(devis, "vehicules")
        if choose_offer(s, devis, str(form.get("offer", ""))) is not None:
            portal.sandbox.changed()
            return to_devis(devis, "police")
    return portal.wizard("offres.html", devis, "offres", offers=offers_for(s, devis), euros=euros)


def vehicle_row(devis: Devis, vehicle: dict[str, str]) -> dict[str, str]:
    """The `Véhicules` table of `Informations sur la police`, keyed by column."""
    return {"immat": vehicle.get("Immatriculation", devis.immat), "vin": vehicle.get("VIN", devis.vin),
            "marque": vehicle.get("Marque", "").lower(), "modele": vehicle.get("Modèle", "")}


def police_step(portal: Classic, devis: Devis, offer: Offer, *,
                errors: list[str] | None = None, status_code: int = 200) -> Response:
    start, end = policy_period(devis, offer)
    vehicle = vehicle_values(portal.state, devis)
    return portal.wizard("police.html", devis, "police", status_code=status_code, offer=offer,
                         start=start, end=end, price=euros(offer.price),
                         alerts=police_alerts(devis, errors), vehicle=vehicle,
                         vehicle_rows=[vehicle_row(devis, vehicle)])


async def step_police(request: Request, session: dict[str, Any]) -> Response:
    found = devis_step(request, session, open_only=True)
    if isinstance(found, Response):
        return found
    portal, devis = found
    offer = selected_offer(portal.state, devis)
    if offer is None:
        return to_devis(devis, "offres")
    if request.method == "POST":
        form = await request.form()
        if form.get("action") == "precedent":
            return to_devis(devis, "offres")
    return police_step(portal, devis, offer)


async def acheter(request: Request, session: dict[str, Any]) -> Response:
    """`Oui` on the purchase dialog: buys once, whatever is retried."""
    found = devis_step(request, session)
    if isinstance(found, Response):
        return found
    portal, devis = found
    outcome = buy(portal.state, devis, session_user(session))
    if outcome == "bought":
        portal.sandbox.changed()
    if outcome in ("bought", "already-bought"):
        return to_devis(devis, "confirmation")
    if outcome == "expired":
        offer = selected_offer(portal.state, devis)
        assert offer is not None  # buy() checks the offer before the date
        return police_step(portal, devis, offer, errors=[EXPIRED])
    return to_devis(devis, "offres" if outcome == "no-offer" else "")


async def step_confirmation(request: Request, session: dict[str, Any]) -> Response:
    found = devis_step(request, session)
    if isinstance(found, Response):
        return found
    portal, devis = found
    if not devis.police:
        return to_devis(devis)
    return portal.wizard("confirmation.html", devis, "confirmation")
