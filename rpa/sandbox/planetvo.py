"""Planet VO ("Jupiter"), the dealer management system: the sandbox replica (PORTALS.md §1).

What matters to the bot is what a person sees: labels, button texts, link texts, column
headers, headings and dialog titles, all verbatim from PORTALS.md. Markup, ids and URLs
are this replica's own business (the bot never deep-links past the login page).

Like the real portal, some things arrive late: the BDC result table is fetched by script
after the page loads, and both dialogs (`Modifier une localisation`, `Information
garantisseur`) are fetched a moment after the click that opens them.

Routes (all but `/` need a signed-in session, else they go back to the login page):

    GET/POST /                          login (GET while signed in -> /accueil)
    GET  /deconnexion                   sign out
    GET  /accueil                       home
    GET  /menu/{slug}                   placeholder pages for the menu entries that don't matter
    GET  /parametrage                   sites table
    GET  /parametrage/lignes            its rows (fragment, re-fetched after a save)
    GET/POST /parametrage/sites/{id}    dialog fragment / save (JSON)
    GET  /bdc                           search form + (script-loaded) result table
    GET  /bdc/lignes                    result table + footer (fragment)
    GET  /bdc/export                    current search result as .xlsx
    GET/POST /bdc/{numero}              BDC form / Enregistrer, Clôturer
    GET  /vehicules                     Gestion Véhicules search
    GET  /vehicules/{police}            Modifier véhicule
    GET/POST /vehicules/{police}/garantir   dialog fragment / Valider, Configurer (JSON)
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from rpa.sandbox.server import Sandbox
from rpa.sandbox.state import Bdc, Site, Vehicle, fr_amount, fr_date, today

T = "planetvo/"

MENU: list[tuple[str, str]] = [
    ("Accueil", "/accueil"),
    ("Sourcing : Bourse VO", "/menu/bourse-vo"),
    ("Estimations de reprise", "/menu/estimations-de-reprise"),
    ("Gestion Véhicules", "/vehicules"),
    ("Gestion Stock", "/menu/gestion-stock"),
    ("Remarketing", "/menu/remarketing"),
    ("Recherche avancée", "/menu/recherche-avancee"),
    ("Impression", "/menu/impression"),
    ("Scan VO", "/menu/scan-vo"),
    ("Scan", "/menu/scan"),
    ("Cotation", "/menu/cotation"),
    ("Cotation rapide", "/menu/cotation-rapide"),
    ("Import", "/menu/import"),
    ("Export", "/menu/export"),
    ("Photos", "/menu/photos"),
    ("Lots", "/menu/lots"),
    ("Bon de commande", "/bdc"),
    ("Envoyer / Recevoir", "/menu/envoyer-recevoir"),
    ("Paramétrage", "/parametrage"),
    ("Conversion", "/menu/conversion"),
    ("Solutions Argus", "/menu/solutions-argus"),
]
PLACEHOLDERS = {href.rsplit("/", 1)[1]: name for name, href in MENU if href.startswith("/menu/")}

BDC_COLUMNS = [
    "N°", "Statut", "Type", "Date de création", "Date de modification", "Acheteur", "Vendeur",
    "Vo Vendu", "Modèle", "Origine Vo Vendu", "Vo Repris", "Prix négocié", "Site VO Vendu",
    "Organisme de Financement",
]
# Search form: (label, query parameter, Bdc attribute) -- `statut` is a select, handled apart.
BDC_TEXT_FILTERS = [
    ("N°", "numero", "numero"),
    ("Acheteur", "acheteur", "nom"),
    ("vo repris", "vo_repris", "vo_repris"),
    ("vo vendu", "vo_vendu", "vo_vendu"),
    ("Vendeur", "vendeur", "vendeur"),
    ("Type", "type", "type"),
    ("Organisme de financement", "organisme", "organisme_financement"),
]
BDC_PARAMS = ["numero", "statut", "acheteur", "vo_repris", "vo_vendu", "vendeur", "type", "organisme"]
PAGE_SIZE = 25

GARANTIES = [
    "Spoticar Essential 12 mois",
    "Spoticar Premium 12 mois",
    "Spoticar Premium 24 mois",
    "Spoticar Advanced 36 mois",
    "DS Certified 12 mois",
    "DS Certified 24 mois",
    "Garantie constructeur",
    "Garantie Opteven 12 mois",
]
CIVILITES = ["Monsieur", "Madame", "Mademoiselle"]
CIVILITE_ABBR = {"Monsieur": "M.", "Madame": "Mme", "Mademoiselle": "Melle"}

GARANTISSEURS = [
    "Déclaration SPOTICAR (stellantis)",
    "Déclaration DS CERTIFIED (stellantis)",
    "Opteven",
    "Icare",
]
STELLANTIS_GARANTISSEURS = GARANTISSEURS[:2]

SITE_FIELDS: list[tuple[str, str]] = [  # (label, Site attribute), in the dialog's order
    ("Code RRD1", "rrd1"),
    ("Code BIC Argus", "code_bic_argus"),
    ("Code", "code"),
    ("Libellé", "libelle"),
    ("Raison sociale", "raison_sociale"),
    ("Adresse", "adresse"),
    ("Code postal", "code_postal"),
    ("Ville", "ville"),
    ("Pays", "pays"),
    ("Téléphone 1", "telephone"),
    ("Frais fixes", "frais_fixes"),
    ("Frais fixes marchand", "frais_fixes_marchand"),
    ("Code DMS", "code_dms"),
    ("Code Constructeur", "code_constructeur"),
    ("Marques représentées", "marques"),
]

# BDC form fields the user may edit and `Enregistrer` saves: form name -> Bdc attribute.
BDC_EDITABLE = [
    "garantie", "organisme_financement", "civilite", "nom", "prenom", "adresse", "code_postal",
    "ville", "complement", "email", "telephone", "date_livraison", "lieu_livraison",
]

Handler = Callable[[Request], Awaitable[Response]]


# -- small helpers ---------------------------------------------------------------------
def fold(text: str) -> str:
    """Case- and accent-insensitive form (`Clôturé` == `Cloturé` == `cloture`)."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def plate_key(text: str) -> str:
    return re.sub(r"[\s\-.]", "", text).upper()


def parse_fr_date(text: str) -> dt.date | None:
    """`JJ/MM/AAAA` -> date; raises ValueError on anything else non-empty."""
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if not match:
        raise ValueError(text)
    day, month, year = (int(g) for g in match.groups())
    return dt.date(year, month, day)


def garantie_months(garantie: str) -> str:
    match = re.search(r"(\d+)\s*mois", garantie)
    return f"{match.group(1)} mois" if match else ""


def build_app(sandbox: Sandbox) -> Starlette:
    sessions = sandbox.sessions["planetvo"]

    # -- rendering & auth -----------------------------------------------------------------
    def signed_in(request: Request) -> dict[str, Any] | None:
        return sessions.get(request)

    def page(request: Request, template: str, active: str = "", **ctx: Any) -> Response:
        session = signed_in(request) or {}
        return sandbox.render(
            T + template, menu=MENU, active=active, user=session.get("user", ""), **ctx
        )

    def login_required(handler: Handler, fragment: bool = False) -> Handler:
        async def guarded(request: Request) -> Response:
            if signed_in(request) is None:
                if fragment:
                    return JSONResponse({"error": "Session expirée", "login": "/"}, 401)
                return RedirectResponse("/", status_code=303)
            return await handler(request)

        return guarded

    # -- look-ups -------------------------------------------------------------------------
    def site_of_vehicle(vehicle: Vehicle) -> Site | None:
        return sandbox.state.site_by_code(vehicle.site_code)

    def full_model(vehicle: Vehicle | None) -> str:
        if vehicle is None:
            return ""
        return " ".join(p for p in (vehicle.marque, vehicle.modele, vehicle.version) if p)

    def bdc_cells(bdc: Bdc) -> list[str]:
        """One result row, exactly as displayed (and exported)."""
        vehicle = sandbox.state.vehicle(bdc.vo_vendu)
        return [
            bdc.numero,
            bdc.statut,
            bdc.type,
            fr_date(bdc.date_creation),
            fr_date(bdc.date_modification),
            bdc.nom,
            bdc.vendeur,
            bdc.vo_vendu,
            full_model(vehicle),
            bdc.origine_vo_vendu,
            bdc.vo_repris,
            fr_amount(bdc.prix_negocie),
            bdc.site_libelle,
            bdc.organisme_financement,
        ]

    def bdc_criteria(request: Request) -> dict[str, str]:
        return {k: request.query_params.get(k, "").strip() for k in BDC_PARAMS}

    def bdc_search(criteria: dict[str, str]) -> list[Bdc]:
        found = []
        for bdc in sandbox.state.bdcs:
            if criteria["statut"] and fold(bdc.statut) != fold(criteria["statut"]):
                continue
            if any(
                criteria[param] and fold(criteria[param]) not in fold(str(getattr(bdc, attr)))
                for _label, param, attr in BDC_TEXT_FILTERS
            ):
                continue
            found.append(bdc)
        found.sort(key=lambda b: (b.date_creation, b.numero), reverse=True)
        return found

    def query_string(criteria: dict[str, str], **extra: Any) -> str:
        params = {k: v for k, v in criteria.items() if v}
        params.update({k: str(v) for k, v in extra.items()})
        return urlencode(params)

    def alert_json(message: str) -> JSONResponse:
        return JSONResponse({"error": message})

    # -- login ----------------------------------------------------------------------------
    async def login_page(request: Request) -> Response:
        if signed_in(request) is not None:
            return RedirectResponse("/accueil", status_code=303)
        return page(request, "login.html", error="", username="")

    async def login_submit(request: Request) -> Response:
        form = await request.form()
        username = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        account = sandbox.state.planetvo_account
        if username != account.username or password != account.password:
            return page(
                request, "login.html", error="Identifiant ou mot de passe incorrect",
                username=username,
            )
        token = sessions.create({"user": username})
        response = RedirectResponse("/accueil", status_code=303)
        response.set_cookie(sessions.cookie, token, httponly=True, samesite="lax")
        return response

    async def logout(request: Request) -> Response:
        sessions.drop(request)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(sessions.cookie)
        return response

    async def home(request: Request) -> Response:
        return page(request, "accueil.html", active="Accueil", today=today())

    async def placeholder(request: Request) -> Response:
        name = PLACEHOLDERS.get(request.path_params["slug"])
        if name is None:
            return page(request, "placeholder.html", title="Page introuvable")
        return page(request, "placeholder.html", active=name, title=name)

    # -- Paramétrage ----------------------------------------------------------------------
    async def parametrage(request: Request) -> Response:
        return page(request, "parametrage.html", active="Paramétrage", sites=sandbox.state.sites)

    async def parametrage_rows(request: Request) -> Response:
        return sandbox.render(T + "parametrage_rows.html", sites=sandbox.state.sites)

    def find_site(request: Request) -> Site | None:
        try:
            site_id = int(request.path_params["site_id"])
        except ValueError:
            return None
        return next((s for s in sandbox.state.sites if s.id == site_id), None)

    async def site_dialog(request: Request) -> Response:
        site = find_site(request)
        if site is None:
            return Response("Localisation introuvable", status_code=404)
        return sandbox.render(T + "site_dialog.html", site=site, fields=SITE_FIELDS)

    async def site_save(request: Request) -> Response:
        site = find_site(request)
        if site is None:
            return alert_json("Localisation introuvable")
        form = await request.form()
        values = {attr: str(form.get(attr, "")).strip() for _label, attr in SITE_FIELDS}
        if not values["code"]:
            return alert_json("Le champ Code est obligatoire")
        if not values["libelle"]:
            return alert_json("Le champ Libellé est obligatoire")
        if any(s.code == values["code"] and s.id != site.id for s in sandbox.state.sites):
            return alert_json(f"Le code {values['code']} est déjà utilisé par un autre site")
        old_libelle = site.libelle
        for attr, value in values.items():
            setattr(site, attr, value)
        site.bloque = form.get("bloque") is not None
        if site.libelle != old_libelle:  # BDCs name their site by libellé: follow the rename
            for bdc in sandbox.state.bdcs:
                if bdc.site_libelle == old_libelle:
                    bdc.site_libelle = site.libelle
        sandbox.changed()
        return JSONResponse({"ok": True, "message": "Localisation enregistrée"})

    # -- Bon de commande ------------------------------------------------------------------
    async def bdc_list(request: Request) -> Response:
        criteria = bdc_criteria(request)
        page_no = request.query_params.get("page", "1")
        return page(
            request, "bdc_list.html", active="Bon de commande", criteria=criteria,
            statut=next((s for s in ("En cours", "Cloturé") if fold(s) == fold(criteria["statut"])), ""),
            filters=BDC_TEXT_FILTERS, results_src="/bdc/lignes?" + query_string(criteria, page=page_no),
            export_href="/bdc/export?" + query_string(criteria),
            retour=query_string(criteria, page=page_no),
        )

    async def bdc_rows(request: Request) -> Response:
        criteria = bdc_criteria(request)
        found = bdc_search(criteria)
        pages = max(1, (len(found) + PAGE_SIZE - 1) // PAGE_SIZE)
        try:
            page_no = min(max(1, int(request.query_params.get("page", "1"))), pages)
        except ValueError:
            page_no = 1
        start = (page_no - 1) * PAGE_SIZE
        shown = found[start:start + PAGE_SIZE]
        return sandbox.render(
            T + "bdc_rows.html", columns=BDC_COLUMNS,
            rows=[(b.numero, bdc_cells(b)) for b in shown],
            first=start + 1 if shown else 0, last=start + len(shown), total=len(found),
            page_no=page_no, pages=pages,
            prev_href="/bdc?" + query_string(criteria, page=page_no - 1) if page_no > 1 else "",
            next_href="/bdc?" + query_string(criteria, page=page_no + 1) if page_no < pages else "",
        )

    async def bdc_export(request: Request) -> Response:
        found = bdc_search(bdc_criteria(request))
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Bons de commande"
        sheet.append(BDC_COLUMNS)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for bdc in found:
            sheet.append(bdc_cells(bdc))
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.number_format = "@"  # everything is text, as displayed
        for index, title in enumerate(BDC_COLUMNS, start=1):
            width = max([len(title)] + [len(str(c)) for c in (bdc_cells(b)[index - 1] for b in found)])
            sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 50)
        buffer = io.BytesIO()
        book.save(buffer)
        filename = f"BonsDeCommande_{today():%Y%m%d}.xlsx"
        return Response(
            buffer.getvalue(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def bdc_values(bdc: Bdc) -> dict[str, str]:
        values = {name: str(getattr(bdc, name)) for name in BDC_EDITABLE}
        values["date_livraison"] = fr_date(bdc.date_livraison)
        return values

    def bdc_form(request: Request, bdc: Bdc, values: dict[str, str], *, error: str = "",
                 message: str = "", retour: str = "") -> Response:
        vehicle = sandbox.state.vehicle(bdc.vo_vendu)
        site = sandbox.state.site_by_libelle(bdc.site_libelle)
        garanties = list(GARANTIES)
        if values["garantie"] and values["garantie"] not in garanties:
            garanties.append(values["garantie"])
        ttc = bdc.prix_negocie
        ht = round(ttc / 1.2, 2)
        return page(
            request, "bdc_form.html", active="Bon de commande", bdc=bdc, vehicle=vehicle,
            site=site, v=values, garanties=garanties, civilites=CIVILITES, error=error,
            message=message, retour=retour, modele=full_model(vehicle),
            prix={"ht": fr_amount(ht), "tva": fr_amount(round(ttc - ht, 2)), "ttc": fr_amount(ttc)},
        )

    async def bdc_edit(request: Request) -> Response:
        bdc = sandbox.state.bdc(request.path_params["numero"])
        if bdc is None:
            return page(request, "placeholder.html", active="Bon de commande",
                        title="Bon de commande introuvable")
        notice = {"enregistre": "Bon de commande enregistré", "cloture": "Bon de commande clôturé"}
        return bdc_form(
            request, bdc, bdc_values(bdc), retour=request.query_params.get("retour", ""),
            message=notice.get(request.query_params.get("ok", ""), ""),
        )

    async def bdc_submit(request: Request) -> Response:
        bdc = sandbox.state.bdc(request.path_params["numero"])
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
        if action == "cloturer":
            missing = []
            if not values["garantie"]:
                missing.append("la garantie")
            if livraison is None:
                missing.append("la date de livraison")
            if missing:
                return bdc_form(
                    request, bdc, values, retour=retour,
                    error="Impossible de clôturer le bon de commande : "
                    + " et ".join(missing) + (" sont obligatoires" if len(missing) > 1
                                              else " est obligatoire"),
                )
        for name in BDC_EDITABLE:
            if name != "date_livraison":
                setattr(bdc, name, values[name])
        bdc.date_livraison = livraison
        bdc.date_modification = today()
        if action == "cloturer":
            bdc.statut = "Cloturé"
        sandbox.changed()
        ok = "cloture" if action == "cloturer" else "enregistre"
        return RedirectResponse(
            f"/bdc/{bdc.numero}?" + urlencode({"ok": ok, "retour": retour}), status_code=303
        )

    # -- Gestion Véhicules ----------------------------------------------------------------
    async def vehicle_search(request: Request) -> Response:
        q = {k: request.query_params.get(k, "").strip() for k in ("immat", "vin", "police")}
        searched = "rechercher" in request.query_params or any(q.values())
        results: list[tuple[Vehicle, str]] = []
        if searched:
            for vehicle in sandbox.state.vehicles:
                if q["immat"] and plate_key(q["immat"]) not in plate_key(vehicle.immat):
                    continue
                if q["vin"] and q["vin"].upper() not in vehicle.vin.upper():
                    continue
                if q["police"] and q["police"].casefold() != vehicle.police.casefold():
                    continue
                site = site_of_vehicle(vehicle)
                results.append((vehicle, site.libelle if site else vehicle.site_code))
        return page(
            request, "vehicules.html", active="Gestion Véhicules", q=q, searched=searched,
            results=results, retour=urlencode({**q, "rechercher": "1"}) if searched else "",
        )

    async def vehicle_edit(request: Request) -> Response:
        vehicle = sandbox.state.vehicle(request.path_params["police"])
        if vehicle is None:
            return page(request, "placeholder.html", active="Gestion Véhicules",
                        title="Véhicule introuvable")
        bdcs = [b for b in sandbox.state.bdcs if b.vo_vendu == vehicle.police]
        bdc = sandbox.state.bdc_for_vehicle(vehicle.police)
        site = site_of_vehicle(vehicle)
        acheteur = ""
        if bdc is not None and bdc.nom:
            civ = CIVILITE_ABBR.get(bdc.civilite, bdc.civilite)
            acheteur = f"{civ} {bdc.nom}.{bdc.prenom}-{bdc.code_postal} {bdc.ville}".strip(" -")
        ttc = bdc.prix_negocie if bdc else 0.0
        achat_ttc = round(ttc * 0.7, -1)
        return page(
            request, "vehicule.html", active="Gestion Véhicules", vehicle=vehicle, bdc=bdc,
            bdc_count=len(bdcs), site=site, acheteur=acheteur,
            jours_stock=(today() - vehicle.premiere_immat).days,
            achat={"ht": fr_amount(round(achat_ttc / 1.2, 2)), "ttc": fr_amount(achat_ttc)},
            vente={"ht": fr_amount(round(ttc / 1.2, 2)), "ttc": fr_amount(ttc)} if bdc else None,
            garantie=garantie_months(bdc.garantie) if bdc else "",
            retour=request.query_params.get("retour", ""),
        )

    async def garantir_dialog(request: Request) -> Response:
        vehicle = sandbox.state.vehicle(request.path_params["police"])
        if vehicle is None:
            return Response("Véhicule introuvable", status_code=404)
        return sandbox.render(T + "garantir_dialog.html", vehicle=vehicle,
                              garantisseurs=GARANTISSEURS)

    async def garantir_submit(request: Request) -> Response:
        vehicle = sandbox.state.vehicle(request.path_params["police"])
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
        bdc = sandbox.state.bdc_for_vehicle(vehicle.police)
        if bdc is None or fold(bdc.statut) != fold("Cloturé"):
            return alert_json("Le bon de commande doit être clôturé avant de garantir le véhicule")
        site = sandbox.state.site_by_libelle(bdc.site_libelle)
        if site is None or not site.rrd1.strip():
            return alert_json(f"Code RRD1 SPOTICAR manquant pour le site {bdc.site_libelle}")
        token = secrets.token_urlsafe(24)
        sandbox.handoffs[token] = bdc.numero
        return JSONResponse(
            {"ok": True, "url": sandbox.url("reseauxconnect") + "sso?token=" + token}
        )

    def guard(handler: Handler) -> Handler:
        return login_required(handler)

    def guard_fragment(handler: Handler) -> Handler:
        return login_required(handler, fragment=True)

    routes = [
        Route("/", login_page, methods=["GET"]),
        Route("/", login_submit, methods=["POST"]),
        Route("/deconnexion", logout, methods=["GET"]),
        Route("/accueil", guard(home), methods=["GET"]),
        Route("/menu/{slug}", guard(placeholder), methods=["GET"]),
        Route("/parametrage", guard(parametrage), methods=["GET"]),
        Route("/parametrage/lignes", guard_fragment(parametrage_rows), methods=["GET"]),
        Route("/parametrage/sites/{site_id}", guard_fragment(site_dialog), methods=["GET"]),
        Route("/parametrage/sites/{site_id}", guard_fragment(site_save), methods=["POST"]),
        Route("/bdc", guard(bdc_list), methods=["GET"]),
        Route("/bdc/lignes", guard_fragment(bdc_rows), methods=["GET"]),
        Route("/bdc/export", guard(bdc_export), methods=["GET"]),
        Route("/bdc/{numero}", guard(bdc_edit), methods=["GET"]),
        Route("/bdc/{numero}", guard(bdc_submit), methods=["POST"]),
        Route("/vehicules", guard(vehicle_search), methods=["GET"]),
        Route("/vehicules/{police}", guard(vehicle_edit), methods=["GET"]),
        Route("/vehicules/{police}/garantir", guard_fragment(garantir_dialog), methods=["GET"]),
        Route("/vehicules/{police}/garantir", guard_fragment(garantir_submit), methods=["POST"]),
    ]
    return Starlette(routes=routes)
