"""reseauxconnect: the Spoticar "Centralisateur" (by Axilog), PORTALS.md §2.

Only reachable through the Planet VO popup: `/sso?token=…` trades a one-time token for a
session bound to one BDC. The first visit lands on `Profil` (choose the garantisseurs),
then `Déclarer Vente` (pick one of them), then the declaration form pre-filled from the
BDC. A successful declaration also creates the devis at GuideWire, as the real portal
does through its Stellantis interface.

Every label is the portal's verbatim text; required fields are checked server-side (no
HTML `required`, so the user sees the portal's own `Le champ … est obligatoire` lines).

Drift (rpa/sandbox/drift.py): with `inline-errors`, a failed page comes back with status 200 in
this layout (`inline_error`) and a failed `Accueil` list says `Erreur technique (503).
Veuillez réessayer.` in the grid. With `markup`, the next release (planetvo.Release): `Modifier`,
`Page Suivante` and `Déclarer et Garantir` drawn as links, the `Accueil` list with its columns
shuffled and extra ones (`Référence`, `Marque`), maybe as an ARIA grid (or the Profil table),
labels tied by `aria-labelledby`, required marks as `<abbr>`, headings as `div role=heading`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from rpa.sandbox.drift import Drift
from rpa.sandbox.planetvo import Release, TableSpec
from rpa.sandbox.server import Sandbox
from rpa.sandbox.state import Bdc, Declaration, Devis, SandboxState, fr_amount, fr_date, today

PORTAL = "reseauxconnect"
DECLARER_URL = "/VenteGarantie/CreerVenteGarantie"
FORM_URL = "/VenteGarantie/Formulaire"

GARANTISSEURS = (
    "Garantie Stellantis Assurance",
    "Auto Garantie",
    "Garantie Cirano",
    "Garantie Icare",
)
TYPES_GESTION = ("Forfait", "Gestion")


@dataclass(frozen=True)
class FormField:
    """One control of the declaration form; `label` is the portal's text, `*` included."""

    name: str
    label: str
    kind: str = "text"  # text | date | select | checkbox
    options: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.label.endswith("*")

    @property
    def missing_message(self) -> str:
        return f"Le champ {self.label.rstrip('*').strip().lower()} est obligatoire"


def _f(name: str, label: str, kind: str = "text", *options: str) -> FormField:
    return FormField(name, label, kind, ("", *options) if kind == "select" else ())


TOP_FIELDS = (
    _f("consentement", "Consentement du client (FOCUS)*", "select",
       "Oui Email", "Oui SMS", "Oui Email et SMS", "Non"),
    _f("origine", "Origine de la vente*", "select",
       "Reprise VO sur VN", "Reprise VO sur VO", "Sans reprise"),
    _f("vendeur", "Vendeur véhicule d'occasion*"),
)
CLIENT_FIELDS = (
    _f("civilite", "Civilité*", "select", "Monsieur", "Madame", "Mademoiselle"),
    _f("nom", "Nom*"),
    _f("prenom", "Prenom*"),
    _f("email", "Email"),
    _f("tel_fixe", "Tel. Fixe"),
    _f("tel_mobile", "Tel. Mobile"),
    _f("adresse", "Adresse*"),
    _f("complement1", "Complément adresse 1"),
    _f("complement2", "Complément adresse 2"),
    _f("code_postal", "Code Postal*"),
    _f("ville", "Ville*"),
    _f("pays", "Pays*"),
    _f("date_naissance", "Date de naissance", "date"),
    _f("ville_naissance", "Ville de naissance"),
    _f("profession", "Profession"),
)
VEHICLE_FIELDS = (
    _f("type_vehicule", "Type véhicule*", "select", "VP", "VU"),
    _f("immatriculation", "Immatriculation*"),
    _f("marque", "Marque*"),
    _f("type_carte_grise", "Type carte grise"),
    _f("date_immat", "Date première immat.*", "date"),
    _f("modele", "Modèle véhicule*"),
    _f("energie", "Energie*", "select", "DIESEL", "ESSENCE", "ELECTRIQUE", "HYBRIDE"),
    _f("cylindree", "Cylindrée"),
    _f("version", "Version*"),
    _f("puissance_fiscale", "Puissance Fiscale"),
    _f("puissance_din", "Puissance Din*"),
    _f("puissance_kw", "Puissance KW"),
    _f("vin", "VIN*"),
    _f("quatre_quatre", "4x4", "checkbox"),
    _f("km", "Km jour de la vente*"),
    _f("prix_vente", "Prix de vente"),
    _f("date_livraison", "Date de livraison*", "date"),
    _f("valeur_reprise", "Valeur de reprise"),
    _f("fin_gtie", "Date fin gtie constructeur*", "date"),
    _f("km_gtie", "Km gtie constructeur*"),
    _f("cote", "Côte du véhicule"),
)
GUARANTEE_FIELDS = (
    _f("garantie", "Garantie*", "select",
       "SPOTICAR PREMIUM", "SPOTICAR ESSENTIAL", "SPOTICAR ADVANCED", "DS CERTIFIED"),
    _f("duree", "Durée*", "select", "12 mois", "24 mois", "36 mois"),
    _f("debut_garantie", "Date début de garantie*", "date"),
    _f("fin_garantie", "Date fin de garantie*", "date"),
)
GROUPS = (
    ("Données client", CLIENT_FIELDS),
    ("Données véhicule", VEHICLE_FIELDS),
    ("Garantie", GUARANTEE_FIELDS),
)
ALL_FIELDS = TOP_FIELDS + CLIENT_FIELDS + VEHICLE_FIELDS + GUARANTEE_FIELDS
FIELD_BY_NAME = {f.name: f for f in ALL_FIELDS}
DATE_FIELDS = ("date_livraison", "debut_garantie", "fin_garantie")

# `Accueil`'s list: (column title, key in /api/declarations), and what a drifted release adds.
DECLARATION_COLUMNS = (
    ("Date", "date"), ("Immatriculation", "immat"), ("VIN", "vin"), ("Client", "client"),
    ("Garantie", "garantie"), ("Numéro devis", "devis"),
)
RELEASE_DECLARATION_EXTRAS = (("Référence", "reference"), ("Marque", "marque"))
RELEASE_TABLES = {"declarations": TableSpec(
    tuple(title for title, _ in DECLARATION_COLUMNS),
    tuple(title for title, _ in RELEASE_DECLARATION_EXTRAS),
)}


def centralisateur_release(drift: Drift) -> Release:
    """The Centralisateur's next release (drift `markup`): its three submit buttons as links."""
    return Release.draw(drift, PORTAL, links=("Modifier", "Page Suivante", "Déclarer et Garantir"),
                        maybe_links=(), tables=RELEASE_TABLES, other_tables=("profil",),
                        forms=("profil", "declarer", "formulaire"))


# -- date and value helpers (shared with the GuideWire replica) ------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def parse_fr_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def months_of(duree: str) -> int | None:
    match = re.match(r"\s*(\d+)\s*mois", duree)
    return int(match.group(1)) if match else None


def split_garantie(garantie: str) -> tuple[str, str]:
    """`Spoticar Premium 24 mois` (Planet VO) -> (`SPOTICAR PREMIUM`, `24 mois`) (this form)."""
    match = re.match(r"\s*(.*?)\s+(\d+)\s*mois\s*$", garantie, re.IGNORECASE)
    if not match:
        return "", ""
    name, duree = match.group(1).upper(), f"{int(match.group(2))} mois"
    return (
        name if name in FIELD_BY_NAME["garantie"].options else "",
        duree if duree in FIELD_BY_NAME["duree"].options else "",
    )


def prefill(state: SandboxState, bdc: Bdc) -> dict[str, str]:
    """The form as the popup opens it: what Planet VO knows of the sale, by field name."""
    values = {f.name: "" for f in ALL_FIELDS}
    vehicle = state.vehicle(bdc.vo_vendu)
    garantie, duree = split_garantie(bdc.garantie)
    values.update(
        consentement="Oui Email",
        origine="Reprise VO sur VN" if bdc.vo_repris else "Sans reprise",
        vendeur=bdc.vendeur,
        civilite=bdc.civilite if bdc.civilite in FIELD_BY_NAME["civilite"].options else "",
        nom=bdc.nom,
        prenom=bdc.prenom,
        email=bdc.email,
        tel_mobile=bdc.telephone,
        adresse=bdc.adresse,
        complement1=bdc.complement,
        code_postal=bdc.code_postal,
        ville=bdc.ville,
        pays="France",
        prix_vente=fr_amount(bdc.prix_negocie) if bdc.prix_negocie else "",
        date_livraison=fr_date(bdc.date_livraison),
        garantie=garantie,
        duree=duree,
        debut_garantie=fr_date(bdc.date_livraison),
    )
    months = months_of(duree)
    if bdc.date_livraison and months:
        values["fin_garantie"] = fr_date(add_months(bdc.date_livraison, months))
    if vehicle is not None:
        values.update(
            type_vehicule=vehicle.type_vehicule,
            immatriculation=vehicle.immat,
            marque=vehicle.marque,
            date_immat=fr_date(vehicle.premiere_immat),
            modele=vehicle.modele,
            energie=vehicle.energie,
            cylindree=str(vehicle.cylindree),
            version=vehicle.version,
            puissance_fiscale=str(vehicle.puissance_fiscale),
            puissance_din=str(vehicle.puissance_din),
            puissance_kw=str(vehicle.puissance_kw),
            vin=vehicle.vin,
            quatre_quatre="on" if vehicle.quatre_quatre else "",
            km=str(vehicle.km),
            fin_gtie=fr_date(vehicle.fin_garantie_constructeur),
            km_gtie=str(vehicle.km_garantie_constructeur),
        )
    return values


def by_label(values: dict[str, str]) -> dict[str, str]:
    out = {}
    for f in ALL_FIELDS:
        value = values.get(f.name, "")
        out[f.label] = ("Oui" if value else "") if f.kind == "checkbox" else value
    return out


def _brand(text: str) -> str:
    # GuideWire writes makes like a name ("Peugeot"), keeping short acronyms ("DS").
    return text.capitalize() if len(text) > 2 else text


def guidewire_vehicle(values: dict[str, str]) -> dict[str, str]:
    """What the declaration hands GuideWire: its `Véhicules` step, keyed by label (no `*`)."""
    return {
        "VIN": values.get("vin", "").strip().upper(),
        "Immatriculation": values.get("immatriculation", "").strip().upper(),
        "Type de véhicule": {
            "VP": "Véhicule Particulier (VP)", "VU": "Véhicule Utilitaire (VU)"
        }.get(values.get("type_vehicule", ""), ""),
        "Première date d'immatriculation": values.get("date_immat", ""),
        "Marque": _brand(values.get("marque", "").strip()),
        "Modèle": values.get("modele", ""),
        "Type d'énergie": values.get("energie", "").capitalize(),
        "Puissance de la voiture": values.get("puissance_din", ""),
        "Kilométrage": values.get("km", ""),
        "Garantie constructeur - date de fin": values.get("fin_gtie", ""),
        "Garantie constructeur - kilomètres": values.get("km_gtie", ""),
        "Spécificités du véhicule": "4x4" if values.get("quatre_quatre") else "Non 4x4",
        "Vendeur véhicule d'occasion": values.get("vendeur", ""),
    }


def devis_client(civilite: str, nom: str, prenom: str) -> str:
    """GuideWire's account name, e.g. `M. DUPONT DURANT`."""
    civ = "M." if civilite == "Monsieur" else "MME"
    return f"{civ} {nom.strip().upper()} {prenom.strip().upper()}"


# -- the app ---------------------------------------------------------------------------------
def build_app(sandbox: Sandbox) -> Starlette:
    store = sandbox.sessions[PORTAL]

    def state() -> SandboxState:
        return sandbox.state  # looked up each time: tests may swap the state object

    releases: dict[int, Release] = {}

    def release() -> Release:
        """This seed's next release (drift `markup`), or today's markup."""
        if not sandbox.drift.on("markup"):
            return Release()
        if sandbox.drift.seed not in releases:
            releases[sandbox.drift.seed] = centralisateur_release(sandbox.drift)
        return releases[sandbox.drift.seed]

    def render(template: str, status_code: int = 200, **ctx: Any) -> Response:
        return sandbox.render(f"reseauxconnect/{template}", status_code=status_code,
                              mk=release(), **ctx)

    def no_session() -> Response:
        return render("no_session.html")

    def session_of(request: Request) -> dict[str, Any] | None:
        return store.get(request)

    def page(template: str, session: dict[str, Any], status_code: int = 200, **ctx: Any) -> Response:
        return render(template, status_code=status_code, session=session, **ctx)

    def inline_error(request: Request, message: str, role: str) -> Response:
        """A failed page, as the Centralisateur shows it (drift `inline-errors`): status 200,
        its top links and the dealer for a signed-in user, the bare frame otherwise."""
        return render("erreur.html", session=session_of(request), message=message, role=role)

    sandbox.inline_error_pages[PORTAL] = inline_error

    async def home(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return no_session()
        mk = release()
        titles = mk.order("declarations", RELEASE_TABLES["declarations"].columns)
        keys = dict(DECLARATION_COLUMNS + RELEASE_DECLARATION_EXTRAS)
        return page("accueil.html", session, columns=[(title, keys[title]) for title in titles])

    async def api_declarations(request: Request) -> Response:
        if session_of(request) is None:
            return JSONResponse({"error": "session"}, status_code=401)
        rows = sorted(
            enumerate(state().declarations), key=lambda item: (item[1].date, item[0]), reverse=True
        )
        extras = release().on  # what a drifted release's extra columns show
        return JSONResponse([
            {
                "date": fr_date(d.date), "immat": d.immat, "vin": d.vin, "client": d.client,
                "garantie": f"{d.garantie} {d.duree}".strip(), "devis": d.devis,
            } | ({"reference": d.reference, "marque": d.fields.get("Marque*", "")} if extras else {})
            for _, d in rows
        ])

    async def sso(request: Request) -> Response:
        token = request.query_params.get("token", "")
        numero = sandbox.handoffs.pop(token, None)
        if numero is None:
            return render("link_expired.html")
        sid = store.create({"bdc": numero, "reference": None, "garantisseur": None})
        target = DECLARER_URL if state().profil_configured else "/Profil"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(store.cookie, sid, httponly=True, samesite="lax")
        return response

    async def logout(request: Request) -> Response:
        store.drop(request)
        response = no_session()
        response.delete_cookie(store.cookie)
        return response

    async def support(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return no_session()
        return page("support.html", session)

    async def profil(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return no_session()
        s = state()
        if request.method == "GET":
            return page("profil.html", session, checked=set(s.garantisseurs), errors=[],
                        configured=s.profil_configured,
                        invalid=set(), form={})
        form = await request.form()
        checked = [g for g in GARANTISSEURS if g in form.getlist("garantisseurs")]
        values = {k: str(form.get(k, "")).strip()
                  for k in ("cirano_identifiant", "icare_identifiant", "icare_type")}
        errors: list[str] = []
        invalid: set[str] = set()
        if not checked:
            errors.append("Veuillez sélectionner au moins un garantisseur")
        for garantie, key in (("Garantie Cirano", "cirano_identifiant"),
                              ("Garantie Icare", "icare_identifiant")):
            if garantie in checked and not values[key]:
                invalid.add(key)
                if "Le champ identifiant est obligatoire" not in errors:
                    errors.append("Le champ identifiant est obligatoire")
        if "Garantie Icare" in checked and values["icare_type"] not in TYPES_GESTION:
            invalid.add("icare_type")
            errors.append("Le champ type de gestion est obligatoire")
        if errors:
            return page("profil.html", session, checked=set(checked), errors=errors,
                        configured=s.profil_configured,
                        invalid=invalid, form=values)
        s.garantisseurs = checked
        s.profil_configured = True
        sandbox.changed()
        return RedirectResponse(DECLARER_URL, status_code=303)

    async def declarer(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return no_session()
        s = state()
        bdc = s.bdc(session["bdc"] or "")
        errors: list[str] = []
        if request.method == "POST":
            form = await request.form()
            choice = str(form.get("garantisseur", ""))
            if choice in s.garantisseurs:
                session["garantisseur"] = choice
                return RedirectResponse(FORM_URL, status_code=303)
            errors.append("Veuillez choisir une garantie commerciale")
        return page("declarer.html", session, bdc=bdc, errors=errors,
                    garantisseurs=s.garantisseurs)

    def render_form(session: dict[str, Any], bdc: Bdc, values: dict[str, str],
                    errors: list[str], invalid: set[str], status_code: int = 200) -> Response:
        if not session.get("reference"):
            session["reference"] = state().new_reference()
            sandbox.changed()
        return page("formulaire.html", session, status_code=status_code, bdc=bdc, values=values,
                    errors=errors, invalid=invalid, top_fields=TOP_FIELDS, groups=GROUPS)

    async def formulaire(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return no_session()
        s = state()
        bdc = s.bdc(session["bdc"] or "")
        if bdc is None:
            return page("declarer.html", session, bdc=None, errors=[], garantisseurs=s.garantisseurs)
        if not session.get("garantisseur"):
            return RedirectResponse(DECLARER_URL, status_code=303)
        if request.method == "GET":
            return render_form(session, bdc, prefill(s, bdc), [], set())

        form = await request.form()
        values = {f.name: str(form.get(f.name, "")).strip() for f in ALL_FIELDS}
        errors = [f.missing_message for f in ALL_FIELDS if f.required and not values[f.name]]
        invalid = {f.name for f in ALL_FIELDS if f.required and not values[f.name]}
        for name in DATE_FIELDS:
            if values[name] and parse_fr_date(values[name]) is None:
                field = FIELD_BY_NAME[name]
                label = field.label.rstrip("*").strip().lower()
                errors.append(f"Le champ {label} doit être une date au format JJ/MM/AAAA")
                invalid.add(name)
        if errors:
            return render_form(session, bdc, values, errors, invalid)

        vin = values["vin"].upper()
        already = s.declaration_for_vin(vin) or next(
            (d for d in s.declarations if d.vin.upper() == vin), None
        )
        if already is not None:
            return render_form(
                session, bdc, values,
                [f"Ce véhicule a déjà été déclaré (numéro devis : {already.devis})"], set(),
            )

        delivery = parse_fr_date(values["date_livraison"])
        assert delivery is not None  # checked above
        created = today()
        devis = Devis(
            numero=s.new_devis_number(), created=created,
            expires=created + dt.timedelta(days=14), vin=vin,
            immat=values["immatriculation"].upper(),
            client=devis_client(values["civilite"], values["nom"], values["prenom"]),
            garantie=values["garantie"], duree=values["duree"], date_livraison=delivery,
            vehicle=guidewire_vehicle(values),
        )
        s.devis.append(devis)
        s.declarations.append(
            Declaration(
                reference=session["reference"], date=created, immat=devis.immat, vin=vin,
                client=f"{values['nom']} {values['prenom']}".strip(), garantie=values["garantie"],
                duree=values["duree"], devis=devis.numero, fields=by_label(values),
            )
        )
        sandbox.changed()
        return page("succes.html", session, devis=devis, guidewire_url=sandbox.url("guidewire"))

    return Starlette(routes=[
        Route("/", home),
        Route("/sso", sso),
        Route("/Profil", profil, methods=["GET", "POST"]),
        Route(DECLARER_URL, declarer, methods=["GET", "POST"]),
        Route(FORM_URL, formulaire, methods=["GET", "POST"]),
        Route("/Support", support),
        Route("/Deconnexion", logout),
        Route("/api/declarations", api_declarations),
    ])
