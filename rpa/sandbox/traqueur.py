"""Traqueur Extranet PRO: tracker-box removal ("dépose") requests, PORTALS.md §4.

A requester (SIXT SAS) uploads an Excel file (`Créer une nouvelle demande de dépose`),
checks the lines on a review page and `CONFIRMER`s them into one demande; each remover
named in it gets an e-mail. A remover (TRAMOSA, WALON) lists the lines addressed to it
(loaded by script after the page, like the real grid) and moves each on from a dialog
opened by clicking its status: Accepter, Refuser (with a reason) or Signaler (a form: the
box is out). The requester may cancel a line still `Prévenu` or `Acceptée`. Every change
is e-mailed, kept in the line's history and saved.

The rules the guide leaves open are decided here, as PORTALS.md says:
- wrong header row: the whole file is refused with an alert naming the expected columns;
- a line is `Rejetée : <motif>` on the review page (and never created) when its VIN was
  already on an earlier line, is not the account's, its subscription differs, its
  distributor code is unknown, its date is not JJ/MM/AAAA, or a request for it is still
  open (`Prévenu` / `Acceptée`);
- CONFIRMER creates one demande per upload, whatever is retried; the demande's
  `description` is the uploaded file's name;
- an action the status does not allow is refused with `Action impossible : la demande est
  <statut>`; `Effectuée`, `Refusée` and `Annulée` never change again.
- sign-in follows the sandbox's bad-world knobs (server.py): every submission is counted, a
  locked account refuses it, an expired password leads to `Mot de passe expiré` (no session).

Drift (rpa/sandbox/drift.py): with `inline-errors`, a failed page comes back with status 200 in
this layout (`inline_error`) and a failed remover's list says `Erreur technique (503). Veuillez
réessayer.` in the grid. With `markup`, the next release (planetvo.Release): `OK`, `CONFIRMER`
and the dialogs' `Fermer` drawn as links (statuses and the dialogs' actions by chance), every
list with its columns shuffled and extra ones, some as ARIA grids, labels tied by
`aria-labelledby`, required marks as `<abbr>`, headings as `div role=heading`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Awaitable, Callable
from typing import Any

import xlrd
from openpyxl import load_workbook
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from xlrd.biffh import XLRDError

from rpa.sandbox.drift import Drift
from rpa.sandbox.planetvo import Release, TableSpec
from rpa.sandbox.server import ACCOUNT_LOCKED, PASSWORD_EXPIRED, Sandbox
from rpa.sandbox.traqueur_state import (
    PREVENU,
    Demande,
    DemandeLine,
    IllegalTransition,
    StatusChange,
    TraqueurAccount,
    TraqueurState,
)

PORTAL = "traqueur"
SENDER = "Extranet PRO Traqueur <extranetpro@traqueur.example>"

EXPECTED_HEADER = (
    "Vin", "N° Abonnement", "Code Distributeur", "Lieu de dépose",
    "Date de dépose souhaitée", "Commentaires",
)
HEADER_ERROR = (
    "Le fichier doit avoir pour première ligne les colonnes : " + ", ".join(EXPECTED_HEADER)
)
UNREADABLE = "Le fichier n'a pas pu être lu : format attendu .xls ou .xlsx"
NO_FILE = "Veuillez sélectionner un fichier"
NO_LINES = "Le fichier ne contient aucune ligne"
NOTHING_TO_CONFIRM = "Aucune ligne valide : aucune demande n'a été enregistrée"
UPLOAD_LOST = "Le fichier n'est plus disponible, veuillez le charger à nouveau"
MOTIF_REQUIRED = "Le champ motif du refus est obligatoire"
BOITIER_ERROR = "Le numéro de boîtier doit comporter 7 chiffres"

NOUVELLE = "Nouvelle"
REJECT_DOUBLE = "Véhicule en double dans le fichier"
REJECT_UNKNOWN = "Véhicule inconnu sur votre compte"
REJECT_ABONNEMENT = "Abonnement non conforme"
REJECT_CODE = "Code distributeur inconnu"
REJECT_DATE = "Date invalide"
REJECT_ACTIVE = "Demande de dépose déjà en cours"

# The menus, and where their placeholder pages live: (group, link, path, requester only).
MENU: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...] = (
    ("Suivi des véhicules", (
        ("Gérer les véhicules clients", "/vehicules-clients", False),
        ("Gérer les véhicules PEQ/VO", "/vehicules-peq-vo", False),
        ("Créer un nouveau dossier", "/nouveau-dossier", False),
        ("Vérifier qu'un VO est équipé", "/verifier-vo", False),
    )),
    ("Gérer les déposes", (
        ("Créer une nouvelle demande de dépose", "/deposes/nouvelle", True),
        ("Gérer les demandes de déposes", "/deposes", False),
    )),
    ("Espace contact", (
        ("Contacter mon commercial", "/contact/commercial", False),
        ("Contacter la hotline", "/contact/hotline", False),
        ("Contacter le service clientèle", "/contact/service-clientele", False),
    )),
)
PLACEHOLDERS = {
    "/vehicules-clients": ("Gérer les véhicules clients", "Aucun véhicule client à afficher."),
    "/vehicules-peq-vo": ("Gérer les véhicules PEQ/VO", "Aucun véhicule PEQ/VO à afficher."),
    "/nouveau-dossier": ("Créer un nouveau dossier",
                         "La création de dossier n'est pas disponible pour votre compte."),
    "/verifier-vo": ("Vérifier qu'un VO est équipé", "Saisissez un VIN pour vérifier l'équipement."),
    "/contact/commercial": ("Contacter mon commercial", "Benoist GARY - 06 76 09 74 55"),
    "/contact/hotline": ("Contacter la hotline", "Hotline : 0 825 00 00 00"),
    "/contact/service-clientele": ("Contacter le service clientèle",
                                   "Service clientèle : info@traqueur.example"),
}

Handler = Callable[[Request, dict[str, Any], TraqueurAccount], Awaitable[Response]]

# The lists' columns (PORTALS.md §4), and those the next release adds (drift `markup`).
LINE_COLUMNS = (
    "Marque", "Modèle", "VIN", "N° Abonnement", "Code distributeur", "Nom du distributeur",
    "Adresse email", "Lieu de dépose", "Date souhaitée", "Statut",
)
DEMANDE_COLUMNS = (
    "N° demande", "Date de création", "Demandeur", "email de suivi", "description", "Résumé (nb)",
)
REMOVER_COLUMNS = (
    "Demandeur", "Code distributeur demandeur", "Marque", "Modèle", "VIN", "Emplacement déclaré",
    "N° Abonnement", "Lieu de dépose", "Date souhaitée", "Statut",
)
RELEASE_TABLES = {
    "review": TableSpec(LINE_COLUMNS, ("Commentaires",)),
    "detail": TableSpec(LINE_COLUMNS, ("Commentaires", "Date de dépose")),
    "demandes": TableSpec(DEMANDE_COLUMNS, ("Nb véhicules",)),
    "deposeur": TableSpec(REMOVER_COLUMNS, ("N° demande", "Commentaires")),
}
# `Statut` stands for the clickable statuses of a list.
RELEASE_MAYBE_LINKS = ("Statut", "Accepter la demande", "Refuser la demande", "Signaler la dépose",
                       "Annuler la demande")


def extranet_release(drift: Drift) -> Release:
    """The extranet's next release (drift `markup`): `OK`, `CONFIRMER`, `Fermer` as links."""
    return Release.draw(drift, PORTAL, links=("OK", "CONFIRMER", "Fermer"),
                        maybe_links=RELEASE_MAYBE_LINKS, tables=RELEASE_TABLES,
                        forms=("nouvelle", "refus", "signaler"))


class UploadError(Exception):
    """The whole file is refused; the message is the portal's alert."""


# -- reading the request file ---------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def read_rows(data: bytes) -> list[list[Any]]:
    """The first sheet's rows, whatever the format says of itself (.xlsx zip or legacy .xls)."""
    if data.startswith(b"PK"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                return [list(row) for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as err:
            raise UploadError(UNREADABLE) from err
    try:
        book = xlrd.open_workbook(file_contents=data)
        legacy = book.sheet_by_index(0)
        rows: list[list[Any]] = []
        for r in range(legacy.nrows):
            row: list[Any] = []
            for cell in legacy.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate_as_datetime(float(cell.value), book.datemode))
                else:
                    row.append(cell.value)
            rows.append(row)
        return rows
    except (XLRDError, ValueError, IndexError, AssertionError, OSError) as err:
        raise UploadError(UNREADABLE) from err


def parse_date(value: Any) -> str | None:
    """A wished date as `JJ/MM/AAAA`, or None when it is not a calendar date."""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", _text(value))
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day).strftime("%d/%m/%Y")
    except ValueError:
        return None


def parse_upload(data: bytes) -> list[dict[str, Any]]:
    """The file's lines, raw; raises `UploadError` for a file refused as a whole."""
    rows = read_rows(data)
    if not rows:
        raise UploadError(HEADER_ERROR)
    header = [_text(c) for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    if tuple(header) != EXPECTED_HEADER:
        raise UploadError(HEADER_ERROR)
    lines = []
    for row in rows[1:]:
        cells = list(row) + [None] * (len(EXPECTED_HEADER) - len(row))
        if not any(_text(c) for c in cells[: len(EXPECTED_HEADER)]):
            continue  # blank rows between or after the lines
        date = parse_date(cells[4])
        lines.append({
            "vin": _text(cells[0]).upper(), "abonnement": _text(cells[1]).upper(),
            "code": _text(cells[2]).upper(), "lieu": _text(cells[3]),
            "date": date or _text(cells[4]), "date_ok": date is not None,
            "commentaires": _text(cells[5]),
        })
    if not lines:
        raise UploadError(NO_LINES)
    return lines


def review(state: TraqueurState, account: TraqueurAccount,
           lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each line as the review page shows it, with `Nouvelle` or `Rejetée : <motif>`."""
    seen: set[str] = set()
    shown = []
    for line in lines:
        vehicle = state.vehicle(line["vin"]) if line["vin"] else None
        if vehicle is not None and vehicle.owner_email.lower() != account.email.lower():
            vehicle = None
        distributor = state.distributor(line["code"]) if line["code"] else None
        motif = ""
        if line["vin"] and line["vin"] in seen:
            motif = REJECT_DOUBLE
        elif vehicle is None:
            motif = REJECT_UNKNOWN
        elif line["abonnement"] != vehicle.abonnement:
            motif = REJECT_ABONNEMENT
        elif distributor is None:
            motif = REJECT_CODE
        elif not line["date_ok"]:
            motif = REJECT_DATE
        elif state.active_line(line["vin"]) is not None:
            motif = REJECT_ACTIVE
        seen.add(line["vin"])
        shown.append({
            **line,
            "marque": vehicle.marque if vehicle else "",
            "modele": vehicle.modele if vehicle else "",
            "distributeur": distributor.name if distributor else "",
            "email": distributor.email if distributor else "",
            "statut": f"Rejetée : {motif}" if motif else NOUVELLE,
            "ok": not motif,
        })
    return shown


# -- e-mails -------------------------------------------------------------------------------------
def vehicle_block(line: DemandeLine) -> str:
    return (f"Marque : {line.marque}\nModèle : {line.modele}\nVIN : {line.vin}\n"
            f"Lieu : {line.lieu}\nDate : {line.date_souhaitee}")


def _now_text() -> str:
    return dt.datetime.now().strftime("%d/%m/%Y %H:%M:%S")


def parse_depose_date(text: str) -> dt.datetime | None:
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


# -- the app ---------------------------------------------------------------------------------------
def build_app(sandbox: Sandbox) -> Starlette:
    store = sandbox.sessions[PORTAL]

    def state() -> TraqueurState:
        return sandbox.state.traqueur

    releases: dict[int, Release] = {}

    def release() -> Release:
        """This seed's next release (drift `markup`), or today's markup."""
        if not sandbox.drift.on("markup"):
            return Release()
        if sandbox.drift.seed not in releases:
            releases[sandbox.drift.seed] = extranet_release(sandbox.drift)
        return releases[sandbox.drift.seed]

    def render(template: str, status_code: int = 200, **ctx: Any) -> Response:
        mk = release()
        columns = {key: mk.order(key, spec.columns) for key, spec in RELEASE_TABLES.items()}
        return sandbox.render(f"traqueur/{template}", status_code=status_code, mk=mk,
                              columns=columns, **ctx)

    def inline_error(request: Request, message: str, role: str) -> Response:
        """A failed page, as the extranet shows it (drift `inline-errors`): status 200, the
        account's banner for a signed-in user, the bare banner otherwise."""
        session = store.get(request)
        account = state().account(session["email"]) if session else None
        return render("erreur.html", account=account, flashes=[], message=message, role=role)

    sandbox.inline_error_pages[PORTAL] = inline_error

    def page(template: str, session: dict[str, Any], account: TraqueurAccount,
             status_code: int = 200, **ctx: Any) -> Response:
        """An inner page, with the messages left for it by the last action."""
        flashes = session.pop("flash", [])
        return render(template, status_code=status_code, account=account, flashes=flashes,
                      **ctx)

    def flash(session: dict[str, Any], role: str, text: str) -> None:
        session.setdefault("flash", []).append({"role": role, "text": text})

    def login_page(*, error: str = "", info: str = "", status_code: int = 200) -> Response:
        return render("login.html", status_code=status_code, error=error, info=info)

    def authed(handler: Handler, *, api: bool = False,
               kind: str | None = None) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            session = store.get(request)
            account = state().account(session["email"]) if session else None
            if session is None or account is None:
                if api:
                    return JSONResponse({"error": "session expirée"}, status_code=401)
                return RedirectResponse("/", status_code=303)
            if kind is not None and account.kind != kind:
                return page("message.html", session, account, status_code=403,
                            title="Accès refusé", crumb="Accès refusé",
                            alert="Cette page n'est pas disponible pour votre compte.")
            return await handler(request, session, account)

        return endpoint

    def not_found(session: dict[str, Any], account: TraqueurAccount) -> Response:
        return page("message.html", session, account, status_code=404, title="Introuvable",
                    crumb="Introuvable", alert="Demande introuvable.")

    async def mail(to: list[str], subject: str, body: str) -> None:
        recipients = list(dict.fromkeys(a for a in to if a))
        await sandbox.send_mail(SENDER, recipients, subject, body)

    def requester_addresses(demande: Demande) -> list[str]:
        requester = state().account(demande.requester)
        return [requester.contact_email if requester else "", demande.email_suivi]

    # -- sign-in ---------------------------------------------------------------------------------
    async def root(request: Request) -> Response:
        session = store.get(request)
        account = state().account(session["email"]) if session else None
        if session is None or account is None:
            return login_page()
        return page("home.html", session, account, menu=MENU)

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return RedirectResponse("/", status_code=303)
        form = await request.form()
        account = state().account(str(form.get("email", "")))
        right = account is not None and str(form.get("password", "")) == account.password
        outcome = sandbox.sign_in(PORTAL, right)
        if outcome == "expired":  # no session: the user must choose a new password first
            return render("mot_de_passe_expire.html", screen=PASSWORD_EXPIRED)
        if outcome != "accepted" or account is None:
            return login_page(error=ACCOUNT_LOCKED if outcome == "locked"
                              else "Adresse email ou mot de passe incorrect")
        store.drop(request)
        sid = store.create({"email": account.email, "uploads": {}})
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(store.cookie, sid, httponly=True, samesite="lax")
        return response

    async def installation(request: Request) -> Response:
        await request.form()
        return login_page(info="L'enregistrement d'une installation n'est pas disponible "
                               "pour ce code.")

    async def logout(request: Request) -> Response:
        store.drop(request)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(store.cookie)
        return response

    def placeholder(path: str) -> Handler:
        title, message = PLACEHOLDERS[path]

        async def handler(request: Request, session: dict[str, Any],
                          account: TraqueurAccount) -> Response:
            return page("message.html", session, account, title=title, crumb=title,
                        message=message)

        return handler

    # -- requester: a new request from a file ----------------------------------------------------
    async def nouvelle(request: Request, session: dict[str, Any],
                       account: TraqueurAccount) -> Response:
        if request.method == "GET":
            return page("nouvelle.html", session, account, error="")
        async with request.form() as form:
            upload = form.get("fichier")
            if not isinstance(upload, UploadFile) or not upload.filename:
                return page("nouvelle.html", session, account, error=NO_FILE)
            filename = upload.filename
            data = await upload.read()
        try:
            lines = parse_upload(data)
        except UploadError as err:
            return page("nouvelle.html", session, account, error=str(err))
        token = secrets.token_urlsafe(12)
        uploads: dict[str, Any] = session.setdefault("uploads", {})
        uploads[token] = {"filename": filename, "lines": lines}
        while len(uploads) > 10:
            uploads.pop(next(iter(uploads)))
        return page("review.html", session, account, token=token,
                    rows=review(state(), account, lines), error="")

    async def confirmer(request: Request, session: dict[str, Any],
                        account: TraqueurAccount) -> Response:
        form = await request.form()
        token = str(form.get("token", ""))
        s = state()
        existing = s.demande_for_upload(token)
        if existing is not None:
            # A second CONFIRMER of the same upload (double click, retry): nothing new.
            return RedirectResponse(f"/deposes/enregistree/{existing.numero}", status_code=303)
        upload = session.get("uploads", {}).get(token)
        if upload is None:
            return page("nouvelle.html", session, account, error=UPLOAD_LOST)
        rows = review(s, account, upload["lines"])
        kept = [row for row in rows if row["ok"]]
        if not kept:
            return page("review.html", session, account, token=token, rows=rows,
                        error=NOTHING_TO_CONFIRM)
        now = dt.datetime.now()
        demande = Demande(
            numero=s.new_demande_number(), created=now.date(), requester=account.email,
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
        s.demandes.append(demande)
        session.get("uploads", {}).pop(token, None)
        sandbox.changed()
        base = str(request.base_url)
        for code in dict.fromkeys(line.code_distributeur for line in demande.lines):
            distributor = s.distributor(code)
            if distributor is None:
                continue
            blocks = "\n\n".join(vehicle_block(line) for line in demande.lines
                                 if line.code_distributeur == code)
            await mail(
                [distributor.email], "Nouvelle demande de dépose",
                f"Bonjour,\n\n{account.name} vous adresse une demande de dépose "
                f"(demande #{demande.numero}) pour le ou les véhicules suivants :\n\n{blocks}\n\n"
                f"Sur l'Extranet PRO ({base}), connectez-vous pour accepter, refuser ou "
                f"confirmer la dépose.\n",
            )
        return RedirectResponse(f"/deposes/enregistree/{demande.numero}", status_code=303)

    async def enregistree(request: Request, session: dict[str, Any],
                          account: TraqueurAccount) -> Response:
        demande = state().demande(request.path_params["numero"])
        if demande is None or demande.requester != account.email:
            return not_found(session, account)
        return page("enregistree.html", session, account)

    # -- lists ---------------------------------------------------------------------------------
    async def deposes(request: Request, session: dict[str, Any],
                      account: TraqueurAccount) -> Response:
        s = state()
        if account.kind == "deposeur":
            return page("deposeur.html", session, account)
        return page("demandes.html", session, account, demandes=s.demandes_of(account.email),
                    requester=account)

    async def demande_detail(request: Request, session: dict[str, Any],
                             account: TraqueurAccount) -> Response:
        s = state()
        demande = s.demande(request.path_params["numero"])
        if demande is None or demande.requester != account.email:
            return not_found(session, account)
        rows = []
        for index, line in enumerate(demande.lines):
            distributor = s.distributor(line.code_distributeur)
            rows.append({"index": index, "line": line,
                         "distributeur": distributor.name if distributor else "",
                         "email": distributor.email if distributor else ""})
        return page("demande.html", session, account, demande=demande, rows=rows)

    async def api_deposes(request: Request, session: dict[str, Any],
                          account: TraqueurAccount) -> Response:
        s = state()
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
            } | ({"commentaires": line.commentaires} if release().on else {}))
        return JSONResponse(rows)

    # -- line actions ------------------------------------------------------------------------------
    def remover_line(request: Request,
                     account: TraqueurAccount) -> tuple[Demande, DemandeLine] | None:
        demande = state().demande(request.path_params["numero"])
        index = request.path_params["index"]
        if demande is None or not 0 <= index < len(demande.lines):
            return None
        line = demande.lines[index]
        if line.code_distributeur != account.distributor_code:
            return None
        return demande, line

    def remover_name(account: TraqueurAccount) -> str:
        distributor = state().distributor(account.distributor_code)
        return distributor.name if distributor else account.name

    def back_to_list() -> Response:
        return RedirectResponse("/deposes", status_code=303)

    async def transition(session: dict[str, Any], account: TraqueurAccount, demande: Demande,
                         line: DemandeLine, action: str, done: str, subject: str,
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
        sandbox.changed()
        flash(session, "status", done)
        await mail(requester_addresses(demande), subject, body())
        return back_to_list()

    async def accepter(request: Request, session: dict[str, Any],
                       account: TraqueurAccount) -> Response:
        found = remover_line(request, account)
        if found is None:
            return not_found(session, account)
        demande, line = found
        return await transition(
            session, account, demande, line, "accepter",
            f"La demande de dépose du véhicule {line.vin} est acceptée.",
            f"Acceptation de votre demande de dépose {line.vin}",
            lambda: f"Bonjour,\n\nLe mandataire {remover_name(account)} a accepté la demande de "
                    f"dépose suivante :\n\n{vehicle_block(line)}\n")

    async def refuser(request: Request, session: dict[str, Any],
                      account: TraqueurAccount) -> Response:
        found = remover_line(request, account)
        if found is None:
            return not_found(session, account)
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
            session, account, demande, line, "refuser",
            f"La demande de dépose du véhicule {line.vin} est refusée.",
            f"Refus de votre demande de dépose {line.vin}",
            lambda: f"Bonjour,\n\nLe mandataire {remover_name(account)} a refusé la demande de "
                    f"dépose suivante :\n\n{vehicle_block(line)}\n\nMotif du refus : {motif}\n",
            record_motif)

    async def signaler(request: Request, session: dict[str, Any],
                       account: TraqueurAccount) -> Response:
        found = remover_line(request, account)
        if found is None:
            return not_found(session, account)
        demande, line = found
        if line.final:
            flash(session, "alert", str(IllegalTransition(line.statut)))
            return back_to_list()
        if request.method == "GET":
            return page("signaler.html", session, account, line=line, errors=[], invalid=set(),
                        values={"date_depose": _now_text(), "boitier": "", "technicien": ""})
        form = await request.form()
        values = {key: str(form.get(key, "")).strip()
                  for key in ("date_depose", "boitier", "technicien")}
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
        if errors:
            return page("signaler.html", session, account, line=line, errors=errors,
                        invalid=invalid, values=values)
        assert when is not None

        def record_depose() -> None:
            line.date_depose = when.strftime("%d/%m/%Y %H:%M:%S")
            line.boitier = values["boitier"]
            line.technicien = values["technicien"]

        return await transition(
            session, account, demande, line, "signaler",
            f"La dépose du véhicule {line.vin} a bien été signalée.",
            f"Dépose effectuée {line.vin}",
            lambda: f"Bonjour,\n\nLe mandataire {remover_name(account)} a effectué la dépose "
                    f"suivante :\n\n{vehicle_block(line)}\n\nDate de dépose : {line.date_depose}\n"
                    f"Boîtier : {line.boitier}\nTechnicien : {line.technicien}\n",
            record_depose)

    async def annuler(request: Request, session: dict[str, Any],
                      account: TraqueurAccount) -> Response:
        s = state()
        demande = s.demande(request.path_params["numero"])
        index = request.path_params["index"]
        if demande is None or demande.requester != account.email \
                or not 0 <= index < len(demande.lines):
            return not_found(session, account)
        line = demande.lines[index]
        back = RedirectResponse(f"/deposes/{demande.numero}", status_code=303)
        try:
            line.apply("annuler", account.email)
        except IllegalTransition as err:
            flash(session, "alert", str(err))
            return back
        sandbox.changed()
        flash(session, "status", f"La demande de dépose du véhicule {line.vin} est annulée.")
        distributor = s.distributor(line.code_distributeur)
        if distributor is not None:
            await mail([distributor.email], f"Annulation de la demande de dépose {line.vin}",
                       f"Bonjour,\n\n{account.name} a annulé la demande de dépose suivante :"
                       f"\n\n{vehicle_block(line)}\n")
        return back

    def r(path: str, handler: Handler, methods: tuple[str, ...] = ("GET",), *,
          api: bool = False, kind: str | None = None) -> Route:
        return Route(path, authed(handler, api=api, kind=kind), methods=list(methods))

    get_post = ("GET", "POST")
    line_path = "/deposes/{numero:int}/{index:int}"
    return Starlette(routes=[
        Route("/", root),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/installation", installation, methods=["POST"]),
        Route("/deconnexion", logout),
        *(r(path, placeholder(path)) for path in PLACEHOLDERS),
        r("/deposes", deposes),
        r("/deposes/nouvelle", nouvelle, get_post, kind="demandeur"),
        r("/deposes/confirmer", confirmer, ("POST",), kind="demandeur"),
        r("/deposes/enregistree/{numero:int}", enregistree, kind="demandeur"),
        r("/deposes/{numero:int}", demande_detail, kind="demandeur"),
        r(f"{line_path}/annuler", annuler, ("POST",), kind="demandeur"),
        r("/api/deposes", api_deposes, api=True, kind="deposeur"),
        r(f"{line_path}/accepter", accepter, ("POST",), kind="deposeur"),
        r(f"{line_path}/refuser", refuser, ("POST",), kind="deposeur"),
        r(f"{line_path}/signaler", signaler, get_post, kind="deposeur"),
    ])
