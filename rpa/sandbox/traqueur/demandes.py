"""The requester's screens: a new request from a file (upload, review, `CONFIRMER`: one
demande per upload, whatever is retried, each remover named in it e-mailed), the list of
its demandes, one demande's lines, and cancelling a line. Also the list both kinds of
account reach from the menu (`Gérer les demandes de déposes`)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rpa.sandbox.traqueur.layout import Extranet, flash, vehicle_block
from rpa.sandbox.traqueur.state import (
    PREVENU,
    Demande,
    DemandeLine,
    IllegalTransition,
    StatusChange,
    TraqueurAccount,
)
from rpa.sandbox.traqueur.upload import UploadError, parse_upload, review

NO_FILE = "Veuillez sélectionner un fichier"
NOTHING_TO_CONFIRM = "Aucune ligne valide : aucune demande n'a été enregistrée"
UPLOAD_LOST = "Le fichier n'est plus disponible, veuillez le charger à nouveau"


async def nouvelle(request: Request, session: dict[str, Any],
                   account: TraqueurAccount) -> Response:
    portal = Extranet.of(request)
    if request.method == "GET":
        return portal.page("nouvelle.html", session, account, error="")
    async with request.form() as form:
        upload = form.get("fichier")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return portal.page("nouvelle.html", session, account, error=NO_FILE)
        filename = upload.filename
        data = await upload.read()
    try:
        lines = parse_upload(data)
    except UploadError as err:
        return portal.page("nouvelle.html", session, account, error=str(err))
    token = secrets.token_urlsafe(12)
    uploads: dict[str, Any] = session.setdefault("uploads", {})
    uploads[token] = {"filename": filename, "lines": lines}
    while len(uploads) > 10:
        uploads.pop(next(iter(uploads)))
    return portal.page("review.html", session, account, token=token,
                       rows=review(portal.state, account, lines), error="")


def new_demande(portal: Extranet, account: TraqueurAccount, upload: dict[str, Any], token: str,
                kept: list[dict[str, Any]]) -> Demande:
    """The demande an upload's valid lines make, every line `Prévenu`."""
    now = dt.datetime.now()
    return Demande(
        numero=portal.state.new_demande_number(), created=now.date(), requester=account.email,
        email_suivi=account.contact_email, description=upload["filename"],
        upload_token=token,
        lines=[
            DemandeLine(
                vin=row["vin"], abonnement=row["abonnement"], marque=row["marque"],
                modele=row["modele"], code_distributeur=row["code"], lieu=row["lieu"],
                date_souhaitee=row["date"], commentaires=row["commentaires"],
                statut=PREVENU,
                history=[StatusChange(when=now, old="", new=PREVENU, by=account.email)],
            )
            for row in kept
        ],
    )


async def tell_removers(portal: Extranet, demande: Demande, account: TraqueurAccount,
                        base: str) -> None:
    """One e-mail to each remover the demande names, listing its vehicles."""
    for code in dict.fromkeys(line.code_distributeur for line in demande.lines):
        distributor = portal.state.distributor(code)
        if distributor is None:
            continue
        blocks = "\n\n".join(vehicle_block(line) for line in demande.lines
                             if line.code_distributeur == code)
        await portal.mail(
            [distributor.email], "Nouvelle demande de dépose",
            f"Bonjour,\n\n{account.name} vous adresse une demande de dépose "
            f"(demande #{demande.numero}) pour le ou les véhicules suivants :\n\n{blocks}\n\n"
            f"Sur l'Extranet PRO ({base}), connectez-vous pour accepter, refuser ou "
            f"confirmer la dépose.\n",
        )


async def confirmer(request: Request, session: dict[str, Any],
                    account: TraqueurAccount) -> Response:
    portal = Extranet.of(request)
    form = await request.form()
    token = str(form.get("token", ""))
    s = portal.state
    existing = s.demande_for_upload(token)
    if existing is not None:
        # A second CONFIRMER of the same upload (double click, retry): nothing new.
        return RedirectResponse(f"/deposes/enregistree/{existing.numero}", status_code=303)
    upload = session.get("uploads", {}).get(token)
    if upload is None:
        return portal.page("nouvelle.html", session, account, error=UPLOAD_LOST)
    rows = review(s, account, upload["lines"])
    kept = [row for row in rows if row["ok"]]
    if not kept:
        return portal.page("review.html", session, account, token=token, rows=rows,
                           error=NOTHING_TO_CONFIRM)
    demande = new_demande(portal, account, upload, token, kept)
    s.demandes.append(demande)
    session.get("uploads", {}).pop(token, None)
    portal.sandbox.changed()
    await tell_removers(portal, demande, account, str(request.base_url))
    return RedirectResponse(f"/deposes/enregistree/{demande.numero}", status_code=303)


async def enregistree(request: Request, session: dict[str, Any],
                      account: TraqueurAccount) -> Response:
    portal = Extranet.of(request)
    demande = portal.state.demande(request.path_params["numero"])
    if demande is None or demande.requester != account.email:
        return portal.not_found(session, account)
    return portal.page("enregistree.html", session, account)


async def deposes(request: Request, session: dict[str, Any],
                  account: TraqueurAccount) -> Response:
    portal = Extranet.of(request)
    if account.kind == "deposeur":
        return portal.page("deposeur.html", session, account)
    return portal.page("demandes.html", session, account,
                       demandes=portal.state.demandes_of(account.email), requester=account)


async def demande_detail(request: Request, session: dict[str, Any],
                         account: TraqueurAccount) -> Response:
    portal = Extranet.of(request)
    s = portal.state
    demande = s.demande(request.path_params["numero"])
    if demande is None or demande.requester != account.email:
        return portal.not_found(session, account)
    rows = []
    for index, line in enumerate(demande.lines):
        distributor = s.distributor(line.code_distributeur)
        rows.append({"index": index, "line": line,
                     "distributeur": distributor.name if distributor else "",
                     "email": distributor.email if distributor else ""})
    return portal.page("demande.html", session, account, demande=demande, rows=rows)


async def annuler(request: Request, session: dict[str, Any],
                  account: TraqueurAccount) -> Response:
    portal = Extranet.of(request)
    s = portal.state
    demande = s.demande(request.path_params["numero"])
    index = request.path_params["index"]
    if demande is None or demande.requester != account.email \
            or not 0 <= index < len(demande.lines):
        return portal.not_found(session, account)
    line = demande.lines[index]
    back = RedirectResponse(f"/deposes/{demande.numero}", status_code=303)
    try:
        line.apply("annuler", account.email)
    except IllegalTransition as err:
        flash(session, "alert", str(err))
        return back
    portal.sandbox.changed()
    flash(session, "status", f"La demande de dépose du véhicule {line.vin} est annulée.")
    distributor = s.distributor(line.code_distributeur)
    if distributor is not None:
        await portal.mail([distributor.email], f"Annulation de la demande de dépose {line.vin}",
                          f"Bonjour,\n\n{account.name} a annulé la demande de dépose suivante :"
                          f"\n\n{vehicle_block(line)}\n")
    return back
