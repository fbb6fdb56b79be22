"""Planet VO ("Jupiter"), the dealer management system: the sandbox replica (PORTALS.md §1).

What matters to the bot is what a person sees: labels, button texts, link texts, column
headers, headings and dialog titles, all verbatim from PORTALS.md. Markup, ids and URLs
are this replica's own business (the bot never deep-links past the login page).

Like the real portal, some things arrive late: the BDC result table is fetched by script
after the page loads, and both dialogs (`Modifier une localisation`, `Information
garantisseur`) are fetched a moment after the click that opens them.

Drift (rpa/sandbox/drift.py): with `inline-errors`, a failed page comes back with status 200 in
this layout (`inline_error`), and a failed script call says `Erreur technique (503). Veuillez
réessayer.` where it happened (the grid, the open dialog, or the page). With `markup`, the next
release (`Release`, shared with reseauxconnect and the extranet): buttons drawn as links, tables
with their columns shuffled and extra ones, some as ARIA grids, labels tied by
`aria-labelledby`, headings as `div role=heading`, wrappers around rows, cells and controls.

Sign-in follows the sandbox's bad-world knobs (server.py): every submission is counted, a
locked account refuses it, an expired password leads to `Mot de passe expiré` (no session).

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
import random
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from rpa.sandbox.drift import Drift
from rpa.sandbox.server import ACCOUNT_LOCKED, PASSWORD_EXPIRED, Sandbox
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


# -- the next release's markup (drift `markup`), for reseauxconnect and the extranet too -------
@dataclass(frozen=True)
class TableSpec:
    """A list's columns as PORTALS.md gives them, and those only a drifted release adds."""

    columns: tuple[str, ...]
    extras: tuple[str, ...] = ()


@dataclass(frozen=True)
class Release:
    """A portal's next release, as far as its markup goes; `Release()` is today's markup.

    A person notices none of it: the same labels, button and link texts, column headers,
    headings and dialog titles. What changes is what a script written against markup relies
    on. Fixed per seed and portal (a release does not redesign itself between two pages, nor
    when the server comes back after an outage): drawn from its own generator, so turning on
    another drift, or visiting the pages in another order, draws the same release.
    """

    on: bool = False
    wrappers: int = 0  # extra elements around cell content and controls; a `tbody` a row
    links: frozenset[str] = frozenset()  # button texts drawn as links
    grids: frozenset[str] = frozenset()  # tables drawn as `<table role="grid">`
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # table -> shown
    labelledby: frozenset[str] = frozenset()  # forms whose labels are tied by aria-labelledby
    abbr: bool = False  # required marks drawn as `<abbr title="obligatoire">*</abbr>`
    div_headings: frozenset[int] = frozenset()  # heading levels drawn as `div role=heading`

    @classmethod
    def draw(cls, drift: Drift, portal: str, *, links: Sequence[str],
             maybe_links: Sequence[str], tables: Mapping[str, TableSpec],
             forms: Sequence[str], other_tables: Sequence[str] = ()) -> Release:
        """`links` always become links (those the bot clicks most), `maybe_links` by chance;
        every list in `tables` shows its columns in another order with its extras; a table in
        two (at least one; `other_tables` keep their columns) is a grid, a form in two (at
        least one) ties its labels by id."""
        if not drift.on("markup"):
            return cls()
        rng = random.Random(f"{drift.seed}:{portal}-markup")
        columns = {key: tuple(rng.sample(spec.columns + spec.extras, len(spec.columns + spec.extras)))
                   for key, spec in tables.items()}
        return cls(
            on=True,
            wrappers=rng.choice([1, 2]),
            links=frozenset(links) | {text for text in maybe_links if rng.random() < 0.5},
            columns=columns,
            grids=_some(rng, sorted([*tables, *other_tables])),
            labelledby=_some(rng, forms),
            abbr=rng.random() < 0.5,
            div_headings=frozenset(level for level in (1, 2) if rng.random() < 0.5),
        )

    # -- what templates ask ------------------------------------------------------------------
    def link(self, text: str) -> bool:
        return text in self.links

    def grid(self, table: str) -> bool:
        return table in self.grids

    def order(self, table: str, default: Sequence[str]) -> tuple[str, ...]:
        """The columns a list shows, in the release's order."""
        return self.columns.get(table, tuple(default))

    def by_id(self, form: str) -> bool:
        return form in self.labelledby

    # -- small pieces of HTML, today's markup when the release is not drawn --------------------
    def table_role(self, table: str) -> Markup:
        return Markup(' role="grid"') if self.grid(table) else Markup("")

    def cell(self, content: object) -> Markup:
        """A cell's content (escaped unless already markup), inside the release's wrappers."""
        inner = escape(content)
        if self.wrappers:
            inner = Markup("<span>{}</span>").format(inner)
        for depth in range(self.wrappers):
            inner = Markup('<div class="rw{}">{}</div>').format(depth + 1, inner)
        return inner

    def control(self, html: Markup | str) -> Markup:
        """A control inside the release's wrappers (laid out as if they were not there)."""
        inner = Markup(html)
        for depth in range(self.wrappers):
            inner = Markup('<span class="rw{}" style="display:contents">{}</span>').format(depth + 1, inner)
        return inner

    def row_group(self, opening: bool) -> Markup:
        """`<tbody>` around each row in a drifted release (around all of them today)."""
        if not self.wrappers:
            return Markup("")
        return Markup("<tbody>" if opening else "</tbody>")

    def rows_group(self, opening: bool) -> Markup:
        """Today's one `<tbody>` around all the rows (none when each row has its own)."""
        if self.wrappers:
            return Markup("")
        return Markup("<tbody>" if opening else "</tbody>")

    def mark(self, text: str) -> Markup:
        """A label's text; its required mark (`Nom*`, `Date de dépose *`) may be an `<abbr>`."""
        if self.abbr and text.endswith("*"):
            return Markup('{}<abbr title="obligatoire">*</abbr>').format(text[:-1])
        return escape(text)

    def label(self, form: str, control_id: str, text: str, cls: str = "") -> Markup:
        """The label of control `control_id`: `<label for>`, or a text the control points at."""
        klass = Markup(' class="{}"').format(cls) if cls else Markup("")
        if self.by_id(form):
            return Markup('<span{} id="{}-label">{}</span>').format(klass, control_id, self.mark(text))
        return Markup('<label{} for="{}">{}</label>').format(klass, control_id, self.mark(text))

    def tie(self, form: str, control_id: str) -> Markup:
        """The attribute a control needs when its label points at it by id."""
        if self.by_id(form):
            return Markup(' aria-labelledby="{}-label"').format(control_id)
        return Markup("")

    def heading(self, level: int, text: str, id: str = "", cls: str = "") -> Markup:
        """`<hN>`, or `<div role="heading" aria-level="N">`: same name, same level."""
        ident = Markup(' id="{}"').format(id) if id else Markup("")
        if level in self.div_headings:
            return Markup('<div role="heading" aria-level="{}" class="{}"{}>{}</div>').format(
                level, f"h{level} {cls}".strip(), ident, text)
        klass = Markup(' class="{}"').format(cls) if cls else Markup("")
        return Markup("<h{}{}{}>{}</h{}>").format(level, klass, ident, text, level)


def _some(rng: random.Random, keys: Sequence[str]) -> frozenset[str]:
    """About half of `keys`, never none of them."""
    chosen = {key for key in keys if rng.random() < 0.5}
    return frozenset(chosen or {rng.choice(list(keys))}) if keys else frozenset()


# Planet VO's next release: the buttons the bot clicks become links, a few others by chance;
# its lists get columns a release adds (PORTALS.md's columns stay, in another order).
RELEASE_LINKS = ("Rechercher", "Modifier", "Garantir", "Valider", "Fermer")
RELEASE_MAYBE_LINKS = ("Exporter", "Créer", "Supprimer", "Configurer", "Enregistrer", "Clôturer")
RELEASE_TABLES = {
    "bdc": TableSpec(tuple(BDC_COLUMNS), ("Agence", "Kilométrage")),
    "vehicules": TableSpec(("N° Police", "Immat.", "VIN", "Modèle", "Statut", "Site"),
                           ("Énergie", "Date 1ère immat.")),
    "sites": TableSpec(("ID", "Code", "Libellé"), ("Ville", "Raison sociale")),
}
RELEASE_FORMS = ("recherche-bdc", "recherche-vehicules", "bdc", "vehicule", "site", "garantir")


def planetvo_release(drift: Drift) -> Release:
    """Planet VO's next release (drift `markup`), the same for a seed whatever is visited first."""
    return Release.draw(drift, "planetvo", links=RELEASE_LINKS, maybe_links=RELEASE_MAYBE_LINKS,
                        tables=RELEASE_TABLES, forms=RELEASE_FORMS)


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

    releases: dict[int, Release] = {}

    def release() -> Release:
        """This seed's next release (drift `markup`), or today's markup."""
        if not sandbox.drift.on("markup"):
            return Release()
        if sandbox.drift.seed not in releases:
            releases[sandbox.drift.seed] = planetvo_release(sandbox.drift)
        return releases[sandbox.drift.seed]

    def fragment(template: str, **ctx: Any) -> Response:
        return sandbox.render(T + template, mk=release(), **ctx)

    def page(request: Request, template: str, active: str = "", **ctx: Any) -> Response:
        session = signed_in(request) or {}
        return sandbox.render(
            T + template, menu=MENU, active=active, user=session.get("user", ""), mk=release(),
            **ctx
        )

    def inline_error(request: Request, message: str, role: str) -> Response:
        """A failed page, as this portal shows it (drift `inline-errors`): status 200, the
        menu of the screen asked for (or the sign-in frame when signed out) and the message."""
        path = request.url.path
        active = next((name for name, href in MENU
                       if path == href or (href != "/accueil" and path.startswith(href + "/"))), "")
        return page(request, "erreur.html", active=active, title=active or "Planet VO",
                    message=message, role=role)

    sandbox.inline_error_pages["planetvo"] = inline_error

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

    def bdc_shown(bdc: Bdc) -> dict[str, str]:
        """One result row by column title, with the columns a drifted release adds."""
        vehicle = sandbox.state.vehicle(bdc.vo_vendu)
        site = sandbox.state.site_by_libelle(bdc.site_libelle)
        return dict(zip(BDC_COLUMNS, bdc_cells(bdc))) | {
            "Agence": site.code if site else "",
            "Kilométrage": str(vehicle.km) if vehicle else "",
        }

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
        outcome = sandbox.sign_in("planetvo", username == account.username and password == account.password)
        if outcome == "expired":  # no session: the user must choose a new password first
            return page(request, "mot_de_passe_expire.html", screen=PASSWORD_EXPIRED)
        if outcome != "accepted":
            error = ACCOUNT_LOCKED if outcome == "locked" else "Identifiant ou mot de passe incorrect"
            return page(request, "login.html", error=error, username=username)
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
        return page(request, "parametrage.html", active="Paramétrage", sites=sandbox.state.sites,
                    columns=release().order("sites", RELEASE_TABLES["sites"].columns))

    async def parametrage_rows(request: Request) -> Response:
        return fragment("parametrage_rows.html", sites=sandbox.state.sites,
                        columns=release().order("sites", RELEASE_TABLES["sites"].columns))

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
        return fragment("site_dialog.html", site=site, fields=SITE_FIELDS)

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
        return fragment(
            "bdc_rows.html", columns=release().order("bdc", BDC_COLUMNS),
            rows=[(b.numero, bdc_shown(b)) for b in shown],
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
            columns=release().order("vehicules", RELEASE_TABLES["vehicules"].columns),
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
        return fragment("garantir_dialog.html", vehicle=vehicle, garantisseurs=GARANTISSEURS)

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
