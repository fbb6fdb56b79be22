"""The remover's screens: the lines addressed to it (fetched by script after the page, like
the real grid), and the moves a line's status dialog offers: Accepter, Refuser (with a
reason) or Signaler (a form: the box is out). Each is kept in the line's history, saved,
and e-mailed to the requester; a move the status does not allow is refused in the portal's
words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from rpa.sandbox.traqueur.layout import Extranet, flash, vehicle_block
from rpa.sandbox.traqueur.state import Demande, DemandeLine, IllegalTransition, TraqueurAccount

MOTIF_REQUIRED = "Le champ motif du refus est obligatoire"
BOITIER_ERROR = "Le numéro de boîtier doit comporter 7 chiffres"


def _now_text() -> str:
    return dt.datetime.now().strftime("%d/%m/%Y %H:%M:%S")


def parse_depose_date(text: str) -> dt.datetime | None:
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


async def api_deposes(request: Request, session: dict[str, Any],
                      account: TraqueurAccount) -> Response:
    portal = Extranet.of(request)
    s = portal.state
    rows = []
    for demande, index, line in s.lines_for_remover(account.distributor_code):
        requester = s.account(demande.requester)
        vehicle = s.vehicle(line.vin)
        rows.append({
            "numero": demande.numero, "index": index,
            "demandeur": requester.name if requester else demande.requester,
            "code_demandeur": requester.distributor_code if requester else "",
            "marque": line.marque, "modele": line.modele, "vin": line.vin,
            "emplacement": vehicle.emplacement if vehicle else "",
            "abonnement": line.abonnement, "lieu": line.lieu, "date": line.date_souhaitee,
            "statut": line.statut, "final": line.final, "motif": line.motif_refus,
        } | ({"commentaires": line.commentaires} if portal.release().on else {}))
    return JSONResponse(rows)


def remover_line(portal: Extranet, request: Request,
                 account: TraqueurAccount) -> tuple[Demande, DemandeLine] | None:
    """The line the path names, if it is addressed to this remover."""
    demande = portal.state.demande(request.path_params["numero"])
    index = request.path_params["index"]
    if demande is None or not 0 <= index < len(demande.lines):
        return None
    line = demande.lines[index]
    if line.code_distributeur != account.distributor_code:
        return None
    return demande, line


def remover_name(portal: Extranet, account: TraqueurAccount) -> str:
    distributor = portal.state.distributor(account.distributor_code)
    return distributor.name if distributor else account.name


def back_to_list() -> Response:
    return RedirectResponse("/deposes", status_code=303)


async def transition(portal: Extranet, session: dict[str, Any], account: TraqueurAccount,
                     demande: Demande, line: DemandeLine, action: str, done: str, subject: str,
                     body: Callable[[], str], record: Callable[[], None] | None = None) -> Response:
    """A remover's move: apply it (or refuse it in the portal's words), keep its details,
    persist, tell the user and e-mail the requester."""
    try:
        line.apply(action, account.email)
    except IllegalTransition as err:
        flash(session, "alert", str(err))
        return back_to_list()
    if record is not None:
        record()
    portal.sandbox.changed()
    flash(session, "status", done)
    await portal.mail(portal.requester_addresses(demande), subject, body())
    return back_to_list()


async def accepter(request: Request, session: dict[str, Any],
                   account: TraqueurAccount) -> Response:
    portal = Extranet.of(request)
    found = remover_line(portal, request, account)
    if found is None:
        return portal.not_found(session, account)
    demande, line = found
    return await transition(
        portal, session, account, demande, line, "accepter",
        f"La demande de dépose du véhicule {line.vin} est acceptée.",
        f"Acceptation de votre demande de dépose {line.vin}",
        lambda: f"Bonjour,\n\nLe mandataire {remover_name(portal, account)} a accepté la "
                f"demande de dépose suivante :\n\n{vehicle_block(line)}\n")


async def refuser(request: Request, session: dict[str, Any],
                  account: TraqueurAccount) -> Response:
    portal = Extranet.of(request)
    found = remover_line(portal, request, account)
    if found is None:
        return portal.not_found(session, account)
    demande, line = found
    form = await request.form()
    motif = str(form.get("motif", "")).strip()
    if line.final:
        flash(session, "alert", str(IllegalTransition(line.statut)))
        return back_to_list()
    if not motif:
        flash(session, "alert", MOTIF_REQUIRED)
        return back_to_list()

    def record_motif() -> None:
        line.motif_refus = motif

    return await transition(
        portal, session, account, demande, line, "refuser",
        f"La demande de dépose du véhicule {line.vin} est refusée.",
        f"Refus de votre demande de dépose {line.vin}",
        lambda: f"Bonjour,\n\nLe mandataire {remover_name(portal, account)} a refusé la "
                f"demande de dépose suivante :\n\n{vehicle_block(line)}\n\nMotif du refus : {motif}\n",
        record_motif)


def depose_errors(values: dict[str, str]) -> tuple[list[str], set[str], dt.datetime | None]:
    """`Signaler`'s checks: the portal's messages, the fields they mark invalid, and the date
    of the removal as read."""
    errors, invalid = [], set()
    when = parse_depose_date(values["date_depose"])
    if not values["date_depose"]:
        errors.append("Le champ date de dépose est obligatoire")
        invalid.add("date_depose")
    elif when is None:
        errors.append("La date de dépose doit être au format JJ/MM/AAAA hh:mm:ss")
        invalid.add("date_depose")
    elif when > dt.datetime.now() + dt.timedelta(minutes=5):
        errors.append("La date de dépose ne peut pas être dans le futur")
        invalid.add("date_depose")
    if not re.fullmatch(r"\d{7}", values["boitier"]):
        errors.append(BOITIER_ERROR)
        invalid.add("boitier")
    if not values["technicien"]:
        errors.append("Le champ nom du technicien est obligatoire")
        invalid.add("technicien")
    return errors, invalid, when


async def signaler(request: Request, session: dict[str, Any],
                   account: TraqueurAccount) -> Response:
    portal = Extranet.of(request)
    found = remover_line(portal, request, account)
    if found is None:
        return portal.not_found(session, account)
    demande, line = found
    if line.final:
        flash(session, "alert", str(IllegalTransition(line.statut)))
        return back_to_list()
    if request.method == "GET":
        return portal.page("signaler.html", session, account, line=line, errors=[],
                           invalid=set(),
                           values={"date_depose": _now_text(), "boitier": "", "technicien": ""})
    form = await request.form()
    values = {key: str(form.get(key, "")).strip()
              for key in ("date_depose", "boitier", "technicien")}
    errors, invalid, when = depose_errors(values)
    if errors:
        return portal.page("signaler.html", session, account, line=line, errors=errors,
                           invalid=invalid, values=values)
    assert when is not None

    def record_depose() -> None:
        line.date_depose = when.strftime("%d/%m/%Y %H:%M:%S")
        line.boitier = values["boitier"]
        line.technicien = values["technicien"]

    return await transition(
        portal, session, account, demande, line, "signaler",
        f"La dépose du véhicule {line.vin} a bien été signalée.",
        f"Dépose effectuée {line.vin}",
        lambda: f"Bonjour,\n\nLe mandataire {remover_name(portal, account)} a effectué la dépose "
                f"suivante :\n\n{vehicle_block(line)}\n\nDate de dépose : {line.date_depose}\n"
                f"Boîtier : {line.boitier}\nTechnicien : {line.technicien}\n",
        record_depose)
