"""GuideWire: the Stellantis Assurance policy portal ("PSA Used Vehicle Warranty"), PORTALS.md §3.

A devis arrives here from a reseauxconnect declaration. The user opens it from `DEVIS
OUVERTS` (or the search box), walks the wizard `Contrat` → `Véhicules` → `Devis` →
`Informations sur la police`, buys it behind a confirmation dialog, and later downloads the
policy PDF from the policy's `DOCUMENTS`, which appears a little after the purchase.

Buying is idempotent per devis: a second `Oui` shows the policy already bought. Sessions
expire after inactivity (and, as a fault knob, after N requests): any page then answers
with the login form at the same URL, as the real portal does.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from rpa.sandbox.pdf import policy_pdf
from rpa.sandbox.reseauxconnect import (
    add_months,
    guidewire_vehicle,
    parse_fr_date,
    prefill,
)
from rpa.sandbox.server import Sandbox
from rpa.sandbox.state import (
    Devis,
    Offer,
    Policy,
    Purchase,
    SandboxState,
    fr_amount,
    fr_date,
    today,
)

PORTAL = "guidewire"
PRODUCT = "GVO France"
VIN_HINT = "17 caractères alphanumériques en majuscules"
IMMAT_HINT = (
    "9 caractères alphanumériques, en majuscules XX-XXX-XX, sans espace, "
    "sans caractères spéciaux (!,&,-)"
)


@dataclass(frozen=True)
class GwField:
    name: str
    label: str
    kind: str = "text"  # text | select
    options: tuple[str, ...] = ()
    hint: str = ""

    @property
    def key(self) -> str:
        """The key in `Devis.vehicle`: the label without its required mark."""
        return self.label.removesuffix(" *")

    @property
    def required(self) -> bool:
        return self.label.endswith(" *")


VEHICLE_FIELDS = (
    GwField("vin", "VIN *", hint=VIN_HINT),
    GwField("immatriculation", "Immatriculation *", hint=IMMAT_HINT),
    GwField("type_vehicule", "Type de véhicule *", "select",
            ("", "Véhicule Particulier (VP)", "Véhicule Utilitaire (VU)")),
    GwField("date_immat", "Première date d'immatriculation *"),
    GwField("marque", "Marque *"),
    GwField("modele", "Modèle *"),
    GwField("energie", "Type d'énergie *"),
    GwField("puissance", "Puissance de la voiture *"),
    GwField("km", "Kilométrage *"),
    GwField("fin_gtie", "Garantie constructeur - date de fin *"),
    GwField("km_gtie", "Garantie constructeur - kilomètres *"),
    GwField("specificites", "Spécificités du véhicule *", "select", ("", "Non 4x4", "4x4")),
    GwField("vendeur", "Vendeur véhicule d'occasion"),
)

STEPS = (
    ("contrat", "Contrat"),
    ("vehicules", "Véhicules"),
    ("offres", "Devis"),
    ("police", "Informations sur la police"),
    ("confirmation", "Confirmation"),
)

Handler = Callable[[Request, dict[str, Any]], Awaitable[Response]]


# -- what the screens show ----------------------------------------------------------------
def devis_status(devis: Devis) -> str:
    if devis.police:
        return "Lié"
    if devis.status == "Supprimé":
        return "Supprimé"
    if today() > devis.expires:
        return "Expiré"
    return "Devis en ébauche"


def is_open(devis: Devis) -> bool:
    return not devis.police and devis.status != "Supprimé"


def open_devis(state: SandboxState) -> list[Devis]:
    """`Devis ouverts au cours des 30 derniers jours`, newest first."""
    recent = [
        (i, d) for i, d in enumerate(state.devis)
        if is_open(d) and (today() - d.created).days <= 30
    ]
    return [d for _, d in sorted(recent, key=lambda item: (item[1].created, item[0]), reverse=True)]


def account_name(state: SandboxState, devis: Devis) -> str:
    """`Compte client : DURANT DUPONT`: first name then name, as the account is titled."""
    declaration = next((d for d in state.declarations if d.devis == devis.numero), None)
    if declaration is not None and declaration.fields.get("Nom*"):
        return f"{declaration.fields.get('Prenom*', '')} {declaration.fields['Nom*']}".strip().upper()
    words = devis.client.split()[1:]  # drop the civilité
    return " ".join(words[1:] + words[:1]) if words else devis.client


def vehicle_values(state: SandboxState, devis: Devis) -> dict[str, str]:
    """The `Véhicules` step as saved on the devis, or as the declaration would have sent it."""
    if devis.vehicle:
        return dict(devis.vehicle)
    vehicle = next((v for v in state.vehicles if v.vin == devis.vin), None)
    bdc = state.bdc_for_vehicle(vehicle.police) if vehicle is not None else None
    if bdc is None:
        return {"VIN": devis.vin, "Immatriculation": devis.immat}
    return guidewire_vehicle(prefill(state, bdc))


def offers_for(state: SandboxState, devis: Devis) -> list[Offer]:
    return [o for o in state.offers if o.garantie == devis.garantie]


def offer_named(state: SandboxState, name: str) -> Offer | None:
    return next((o for o in state.offers if o.name == name), None)


def euros(value: float) -> str:
    return f"{fr_amount(value)} €"


def policy_period(devis: Devis, offer: Offer) -> tuple[dt.date, dt.date]:
    return devis.date_livraison, add_months(devis.date_livraison, offer.duree_mois)


def document_count(policy: Policy) -> int:
    return 1 if dt.datetime.now() >= policy.document_ready_at else 0


# -- the app ---------------------------------------------------------------------------------
def build_app(sandbox: Sandbox) -> Starlette:
    store = sandbox.sessions[PORTAL]

    def state() -> SandboxState:
        return sandbox.state

    def render(template: str, status_code: int = 200, **ctx: Any) -> Response:
        s = state()
        ctx.setdefault("open_count", len(open_devis(s)))
        return sandbox.render(f"guidewire/{template}", status_code=status_code, **ctx)

    def login_page(request: Request, *, error: str = "", expired: bool = False) -> Response:
        response = sandbox.render("guidewire/login.html", error=error, expired=expired)
        if expired:
            response.delete_cookie(store.cookie)
        return response

    def current_session(request: Request) -> tuple[dict[str, Any] | None, bool]:
        """The live session, or None and whether a session had existed (so it expired)."""
        had_cookie = bool(request.cookies.get(store.cookie))
        session = store.get(request)
        if session is None:
            return None, had_cookie
        now = time.monotonic()
        limit = sandbox.guidewire_expire_after_requests
        if now - session["last"] > sandbox.guidewire_idle_seconds or (
            limit is not None and session["requests"] >= limit
        ):
            store.drop(request)
            return None, True
        session["last"] = now
        session["requests"] += 1
        return session, False

    def authed(handler: Handler, *, api: bool = False) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            session, expired = current_session(request)
            if session is None:
                if api:
                    return JSONResponse({"error": "session expirée"}, status_code=401)
                return login_page(request, expired=expired)
            return await handler(request, session)

        return endpoint

    def not_found(what: str) -> Response:
        return render("simple.html", status_code=404, title="Introuvable",
                      message=f"{what} introuvable.", alert=True)

    # -- login ---------------------------------------------------------------------------
    async def login(request: Request) -> Response:
        if request.method == "GET":
            return RedirectResponse("/", status_code=303)
        form = await request.form()
        account = state().guidewire_account
        if (str(form.get("username", "")).strip() != account.username
                or str(form.get("password", "")) != account.password):
            return login_page(request, error="Nom d'utilisateur ou mot de passe incorrect")
        store.drop(request)
        sid = store.create({"user": account.username, "last": time.monotonic(), "requests": 0,
                            "viewed": []})
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(store.cookie, sid, httponly=True, samesite="lax")
        return response

    async def logout(request: Request) -> Response:
        store.drop(request)
        response = login_page(request)
        response.delete_cookie(store.cookie)
        return response

    # -- home, tabs, search --------------------------------------------------------------
    async def home(request: Request, session: dict[str, Any]) -> Response:
        return render("home.html", tab="")

    async def devis_ouverts(request: Request, session: dict[str, Any]) -> Response:
        return render("devis_ouverts.html", tab="")

    async def api_devis_ouverts(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        rows = []
        for d in open_devis(s):
            offer = offer_named(s, d.selected_offer) if d.selected_offer else None
            rows.append({
                "cree": fr_date(d.created), "produit": PRODUCT, "numero": d.numero,
                "href": f"/devis/{d.numero}", "compte": d.client,
                "premium": euros(offer.price) if offer else "-", "statut": devis_status(d),
            })
        return JSONResponse(rows)

    async def recherche(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        query = request.query_params.get("q", "").strip()
        q = query.upper()
        rows: list[dict[str, str]] = []
        if q:
            for d in s.devis:
                if q in (d.numero.upper(), d.vin.upper(), d.police.upper()):
                    rows.append({"type": "Devis", "numero": d.numero, "href": f"/devis/{d.numero}",
                                 "statut": devis_status(d), "compte": d.client, "vin": d.vin})
            for p in s.policies:
                if q in (p.numero.upper(), p.vin.upper(), p.devis.upper()):
                    rows.append({"type": "Police", "numero": p.numero,
                                 "href": f"/police/{p.numero}", "statut": p.status,
                                 "compte": p.client, "vin": p.vin})
        return render("recherche.html", tab="", query=query, rows=rows)

    async def polices(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        viewed = [p for n in session["viewed"] if (p := s.policy_by_numero(n)) is not None]
        return render("polices.html", tab="polices", view="consultees", policies=viewed)

    async def polices_emises(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        issued = sorted(s.policies, key=lambda p: p.issued_at, reverse=True)
        return render("polices.html", tab="polices", view="emises", policies=issued)

    async def comptes(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        accounts: dict[str, dict[str, int]] = {}
        for d in s.devis:
            entry = accounts.setdefault(d.client, {"devis": 0, "polices": 0})
            entry["devis"] += 1
            entry["polices"] += 1 if d.police else 0
        return render("comptes.html", tab="comptes", accounts=sorted(accounts.items()))

    def simple(title: str, message: str, tab: str = "") -> Handler:
        async def handler(request: Request, session: dict[str, Any]) -> Response:
            return render("simple.html", tab=tab, title=title, message=message)

        return handler

    # -- the devis and its wizard ----------------------------------------------------------
    def devis_or_none(request: Request) -> Devis | None:
        return state().devis_by_numero(request.path_params["numero"])

    def wizard(template: str, devis: Devis, step: str, status_code: int = 200,
               **ctx: Any) -> Response:
        return render(template, status_code=status_code, tab="polices", devis=devis,
                      step=step, steps=STEPS, **ctx)

    async def devis_page(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        s = state()
        offer = offer_named(s, devis.selected_offer) if devis.selected_offer else None
        return render("devis.html", tab="polices", devis=devis, status=devis_status(devis),
                      account=account_name(s, devis), offer=offer)

    async def devis_supprimer(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if is_open(devis):
            devis.status = "Supprimé"
            sandbox.changed()
        return RedirectResponse(f"/devis/{devis.numero}", status_code=303)

    def editable(devis: Devis) -> bool:
        return is_open(devis)

    async def step_contrat(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if not editable(devis):
            return RedirectResponse(f"/devis/{devis.numero}", status_code=303)
        if request.method == "GET":
            return wizard("contrat.html", devis, "contrat", value=fr_date(devis.date_livraison),
                          errors=[])
        form = await request.form()
        if form.get("action") == "annuler":
            return RedirectResponse(f"/devis/{devis.numero}", status_code=303)
        value = str(form.get("date_livraison", "")).strip()
        delivery = parse_fr_date(value)
        if delivery is None:
            error = ("Date de livraison : Champ obligatoire" if not value
                     else "Date de livraison : format attendu JJ/MM/AAAA")
            return wizard("contrat.html", devis, "contrat", value=value, errors=[error])
        devis.date_livraison = delivery
        sandbox.changed()
        return RedirectResponse(f"/devis/{devis.numero}/vehicules", status_code=303)

    async def step_vehicules(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if not editable(devis):
            return RedirectResponse(f"/devis/{devis.numero}", status_code=303)
        s = state()
        if request.method == "GET":
            return wizard("vehicules.html", devis, "vehicules", fields=VEHICLE_FIELDS,
                          values=vehicle_values(s, devis), errors=[], invalid=set(), saved=False)
        form = await request.form()
        action = form.get("action")
        if action == "annuler":
            return RedirectResponse(f"/devis/{devis.numero}", status_code=303)
        values = {f.key: str(form.get(f.name, "")).strip() for f in VEHICLE_FIELDS}
        if action == "precedent":
            devis.vehicle = values
            sandbox.changed()
            return RedirectResponse(f"/devis/{devis.numero}/contrat", status_code=303)
        if action == "sauvegarder":
            devis.vehicle = values
            sandbox.changed()
            return wizard("vehicules.html", devis, "vehicules", fields=VEHICLE_FIELDS,
                          values=values, errors=[], invalid=set(), saved=True)
        errors: list[str] = []
        invalid: set[str] = set()
        for f in VEHICLE_FIELDS:
            if f.required and not values[f.key]:
                errors.append(f"{f.key} : Champ obligatoire")
                invalid.add(f.name)
        if values["VIN"] and not re.fullmatch(r"[A-Z0-9]{17}", values["VIN"]):
            errors.append(f"VIN : {VIN_HINT}")
            invalid.add("vin")
        if errors:
            return wizard("vehicules.html", devis, "vehicules", fields=VEHICLE_FIELDS,
                          values=values, errors=errors, invalid=invalid, saved=False)
        devis.vehicle = values
        sandbox.changed()
        return RedirectResponse(f"/devis/{devis.numero}/offres", status_code=303)

    async def step_offres(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if not editable(devis):
            return RedirectResponse(f"/devis/{devis.numero}", status_code=303)
        s = state()
        if request.method == "POST":
            form = await request.form()
            if form.get("action") == "precedent":
                return RedirectResponse(f"/devis/{devis.numero}/vehicules", status_code=303)
            offer = offer_named(s, str(form.get("offer", "")))
            if offer is not None and offer in offers_for(s, devis):
                devis.selected_offer = offer.name
                sandbox.changed()
                return RedirectResponse(f"/devis/{devis.numero}/police", status_code=303)
        return wizard("offres.html", devis, "offres", offers=offers_for(s, devis), euros=euros)

    def police_step(devis: Devis, offer: Offer, *, errors: list[str] | None = None,
                    status_code: int = 200) -> Response:
        s = state()
        start, end = policy_period(devis, offer)
        expired = today() > devis.expires
        alerts = list(errors or [])
        if expired and "Ce devis a expiré" not in alerts:
            alerts.append("Ce devis a expiré")
        return wizard("police.html", devis, "police", status_code=status_code, offer=offer,
                      start=start, end=end, price=euros(offer.price), alerts=alerts,
                      vehicle=vehicle_values(s, devis))

    async def step_police(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if not editable(devis):
            return RedirectResponse(f"/devis/{devis.numero}", status_code=303)
        offer = offer_named(state(), devis.selected_offer) if devis.selected_offer else None
        if offer is None:
            return RedirectResponse(f"/devis/{devis.numero}/offres", status_code=303)
        if request.method == "POST":
            form = await request.form()
            if form.get("action") == "precedent":
                return RedirectResponse(f"/devis/{devis.numero}/offres", status_code=303)
        return police_step(devis, offer)

    async def acheter(request: Request, session: dict[str, Any]) -> Response:
        """`Oui` on the purchase dialog: buys once, whatever is retried."""
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        s = state()
        if devis.police:
            # Already bought (a double click, a retry after a crash): show it, never rebuy.
            return RedirectResponse(f"/devis/{devis.numero}/confirmation", status_code=303)
        if devis.status == "Supprimé":
            return RedirectResponse(f"/devis/{devis.numero}", status_code=303)
        offer = offer_named(s, devis.selected_offer) if devis.selected_offer else None
        if offer is None:
            return RedirectResponse(f"/devis/{devis.numero}/offres", status_code=303)
        if today() > devis.expires:
            return police_step(devis, offer, errors=["Ce devis a expiré"])
        now = dt.datetime.now()
        start, end = policy_period(devis, offer)
        vehicle = vehicle_values(s, devis)
        policy = Policy(
            numero=s.new_police_number(), devis=devis.numero, vin=devis.vin,
            immat=vehicle.get("Immatriculation") or devis.immat, client=devis.client,
            offer=offer.name, price=offer.price, start=start, end=end, issued_at=now,
            document_ready_at=now + dt.timedelta(seconds=s.document_delay_seconds),
        )
        s.policies.append(policy)
        devis.police = policy.numero
        devis.status = "Lié"
        s.purchases.append(Purchase(at=now, devis=devis.numero, police=policy.numero,
                                    vin=devis.vin))
        sandbox.changed()
        return RedirectResponse(f"/devis/{devis.numero}/confirmation", status_code=303)

    async def step_confirmation(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if not devis.police:
            return RedirectResponse(f"/devis/{devis.numero}", status_code=303)
        return wizard("confirmation.html", devis, "confirmation")

    # -- policies ----------------------------------------------------------------------------
    async def police_page(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        policy = s.policy_by_numero(request.path_params["numero"])
        if policy is None:
            return not_found("Police")
        if policy.numero in session["viewed"]:
            session["viewed"].remove(policy.numero)
        session["viewed"].insert(0, policy.numero)
        devis = s.devis_by_numero(policy.devis)
        view = request.query_params.get("vue", "synthese")
        count = document_count(policy)
        return render(
            "police_page.html", tab="polices", policy=policy, view=view, count=count,
            account=account_name(s, devis) if devis else policy.client,
            document=policy.document_name(s.dealer.code_vendeur), devis=devis,
            vehicle=vehicle_values(s, devis) if devis else {}, price=euros(policy.price),
        )

    async def police_document(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        policy = s.policy_by_numero(request.path_params["numero"])
        if policy is None:
            return not_found("Police")
        name = policy.document_name(s.dealer.code_vendeur)
        if request.path_params["filename"] != name or document_count(policy) == 0:
            return not_found("Document")
        return Response(
            policy_pdf(policy, s.dealer), media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    def r(path: str, handler: Handler, methods: tuple[str, ...] = ("GET",),
          api: bool = False) -> Route:
        return Route(path, authed(handler, api=api), methods=list(methods))

    get_post = ("GET", "POST")
    return Starlette(routes=[
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout),
        r("/", home),
        r("/devis", devis_ouverts),
        r("/api/devis-ouverts", api_devis_ouverts, api=True),
        r("/recherche", recherche),
        r("/comptes", comptes),
        r("/polices", polices),
        r("/polices/emises", polices_emises),
        r("/sinistres", simple("Sinistres", "Aucun sinistre", "sinistres")),
        r("/activites", simple("Activités", "Aucune activité", "activites")),
        r("/souscription", simple(
            "Nouvelle souscription",
            "Les devis GVO France sont créés depuis le Centralisateur Spoticar.")),
        r("/annulations", simple("Annulations ouvertes", "Aucun résultat")),
        r("/devis/{numero}", devis_page),
        r("/devis/{numero}/supprimer", devis_supprimer, ("POST",)),
        r("/devis/{numero}/contrat", step_contrat, get_post),
        r("/devis/{numero}/vehicules", step_vehicules, get_post),
        r("/devis/{numero}/offres", step_offres, get_post),
        r("/devis/{numero}/police", step_police, get_post),
        r("/devis/{numero}/acheter", acheter, ("POST",)),
        r("/devis/{numero}/confirmation", step_confirmation),
        r("/police/{numero}", police_page),
        r("/police/{numero}/documents/{filename}", police_document),
    ])
