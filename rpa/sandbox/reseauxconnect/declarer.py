"""`Déclarer Vente` (pick a garantisseur) and the declaration form: a valid declaration is
kept, and creates the devis at GuideWire as the real portal does through its Stellantis
interface, under the GuideWire account of the site that sold the vehicle (its point of sale).
A vehicle is declared once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rpa.sandbox.dates import parse_fr_date
from rpa.sandbox.declaration import (
    ALL_FIELDS,
    DATE_FIELDS,
    FIELD_BY_NAME,
    GROUPS,
    TOP_FIELDS,
    by_label,
    devis_client,
    guidewire_vehicle,
    prefill,
)
from rpa.sandbox.reseauxconnect.layout import DECLARER_URL, FORM_URL, Centralisateur
from rpa.sandbox.state import Bdc, Declaration, Devis, today


async def declarer(request: Request) -> Response:
    portal = Centralisateur.of(request)
    session = portal.session_of(request)
    if session is None:
        return portal.no_session()
    s = portal.state
    bdc = s.bdc(session["bdc"] or "")
    errors: list[str] = []
    if request.method == "POST":
        form = await request.form()
        choice = str(form.get("garantisseur", ""))
        if choice in s.garantisseurs:
            session["garantisseur"] = choice
            return RedirectResponse(FORM_URL, status_code=303)
        errors.append("Veuillez choisir une garantie commerciale")
    return portal.page("declarer.html", session, bdc=bdc, errors=errors,
                       garantisseurs=s.garantisseurs)


def render_form(portal: Centralisateur, session: dict[str, Any], bdc: Bdc,
                values: dict[str, str], errors: list[str], invalid: set[str],
                status_code: int = 200) -> Response:
    if not session.get("reference"):
        session["reference"] = portal.state.new_reference()
        portal.sandbox.changed()
    return portal.page("formulaire.html", session, status_code=status_code, bdc=bdc,
                       values=values, errors=errors, invalid=invalid, top_fields=TOP_FIELDS,
                       groups=GROUPS)


def form_errors(values: dict[str, str]) -> tuple[list[str], set[str]]:
    """The portal's messages against the form sent (required fields first, then dates), and
    the fields they mark invalid."""
    errors = [f.missing_message for f in ALL_FIELDS if f.required and not values[f.name]]
    invalid = {f.name for f in ALL_FIELDS if f.required and not values[f.name]}
    for name in DATE_FIELDS:
        if values[name] and parse_fr_date(values[name]) is None:
            label = FIELD_BY_NAME[name].label.rstrip("*").strip().lower()
            errors.append(f"Le champ {label} doit être une date au format JJ/MM/AAAA")
            invalid.add(name)
    return errors, invalid


def declare(portal: Centralisateur, session: dict[str, Any], bdc: Bdc,
            values: dict[str, str]) -> Devis:
    """Keep the declaration, and create its devis at GuideWire, under the account of the
    point of sale that sold the vehicle."""
    s = portal.state
    vehicle = s.vehicle(bdc.vo_vendu)
    account = s.account_for_vehicle(vehicle) if vehicle is not None else s.account_for_bdc(bdc)
    vin = values["vin"].upper()
    delivery = parse_fr_date(values["date_livraison"])
    assert delivery is not None  # checked by form_errors
    created = today()
    devis = Devis(
        numero=s.new_devis_number(), created=created,
        expires=created + dt.timedelta(days=14), vin=vin,
        immat=values["immatriculation"].upper(),
        client=devis_client(values["civilite"], values["nom"], values["prenom"]),
        garantie=values["garantie"], duree=values["duree"], date_livraison=delivery,
        vehicle=guidewire_vehicle(values), account=account.username,
    )
    s.devis.append(devis)
    s.declarations.append(
        Declaration(
            reference=session["reference"], date=created, immat=devis.immat, vin=vin,
            client=f"{values['nom']} {values['prenom']}".strip(), garantie=values["garantie"],
            duree=values["duree"], devis=devis.numero, fields=by_label(values),
        )
    )
    portal.sandbox.changed()
    return devis


async def formulaire(request: Request) -> Response:
    portal = Centralisateur.of(request)
    session = portal.session_of(request)
    if session is None:
        return portal.no_session()
    s = portal.state
    bdc = s.bdc(session["bdc"] or "")
    if bdc is None:
        return portal.page("declarer.html", session, bdc=None, errors=[],
                           garantisseurs=s.garantisseurs)
    if not session.get("garantisseur"):
        return RedirectResponse(DECLARER_URL, status_code=303)
    if request.method == "GET":
        return render_form(portal, session, bdc, prefill(s, bdc), [], set())
    form = await request.form()
    values = {f.name: str(form.get(f.name, "")).strip() for f in ALL_FIELDS}
    errors, invalid = form_errors(values)
    if errors:
        return render_form(portal, session, bdc, values, errors, invalid)
    vin = values["vin"].upper()
    already = s.declaration_for_vin(vin) or next(
        (d for d in s.declarations if d.vin.upper() == vin), None
    )
    if already is not None:
        return render_form(
            portal, session, bdc, values,
            [f"Ce véhicule a déjà été déclaré (numéro devis : {already.devis})"], set(),
        )
    devis = declare(portal, session, bdc, values)
    return portal.page("succes.html", session, devis=devis,
                       guidewire_url=portal.sandbox.url("guidewire"))
