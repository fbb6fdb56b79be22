"""GuideWire: the Stellantis Assurance policy portal ("PSA Used Vehicle Warranty"), PORTALS.md §3.

A devis arrives here from a reseauxconnect declaration. The user opens it from `DEVIS
OUVERTS` (or the search box), walks the wizard `Contrat` → `Véhicules` → `Devis` →
`Informations sur la police`, buys it behind a confirmation dialog, and later downloads the
policy PDF from the policy's `DOCUMENTS`, which appears a little after the purchase.

Buying is idempotent per devis: a second `Oui` shows the policy already bought. Sessions
expire after inactivity (and, as a fault knob, after N requests): any page then answers
with the login form at the same URL, as the real portal does.
Sign-in follows the sandbox's bad-world knobs (server.py): every submission is counted, a
locked account refuses it, an expired password leads to `Mot de passe expiré` (no session).

This module is the server-rendered portal; with the `spa` drift on, `build_app` serves the
client-side application instead (guidewire_spa.py). Both follow the rules of
guidewire_domain.py, and both draw the `markup` drift from guidewire_markup.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from rpa.sandbox.guidewire_domain import (
    EXPIRED,
    IMMAT_HINT,
    LOGIN_REFUSED,
    PORTAL,
    PRODUCT,
    STEPS,
    VEHICLE_FIELDS,
    VIN_HINT,
    GwField,
    GwSessions,
    account_name,
    accounts,
    buy,
    choose_offer,
    credentials_ok,
    delete_devis,
    devis_status,
    document_count,
    euros,
    is_open,
    issued_policies,
    note_viewed,
    offers_for,
    open_devis,
    open_devis_rows,
    police_alerts,
    policy_period,
    policy_row,
    save_delivery,
    search,
    selected_offer,
    vehicle_errors,
    vehicle_form,
    vehicle_values,
    viewed_policies,
)
from rpa.sandbox.guidewire_markup import EXTRA_KEYS, Markup
from rpa.sandbox.pdf import policy_pdf
from rpa.sandbox.server import ACCOUNT_LOCKED, PASSWORD_EXPIRED, Sandbox
from rpa.sandbox.state import Devis, Offer, SandboxState, fr_date

# Re-exported: the rules' names as tests and tools know them from this module.
__all__ = [
    "IMMAT_HINT", "PORTAL", "PRODUCT", "STEPS", "VEHICLE_FIELDS", "VIN_HINT", "GwField",
    "build_app", "devis_status", "open_devis", "vehicle_values",
]

Handler = Callable[[Request, dict[str, Any]], Awaitable[Response]]


def build_app(sandbox: Sandbox) -> Starlette:
    """The portal a browser gets: client-side with the `spa` drift, server-rendered without."""
    if sandbox.drift.on("spa"):
        from rpa.sandbox.guidewire_spa import build_spa_app

        return build_spa_app(sandbox)
    return build_pages_app(sandbox)


def build_pages_app(sandbox: Sandbox) -> Starlette:
    """Today's GuideWire: every screen a page the server renders."""
    sessions = GwSessions(sandbox)
    store = sessions.store
    mk = Markup.draw(sandbox.drift)

    def state() -> SandboxState:
        return sandbox.state

    def render(template: str, status_code: int = 200, **ctx: Any) -> Response:
        s = state()
        ctx.setdefault("open_count", len(open_devis(s)))
        return sandbox.render(f"guidewire/{template}", status_code=status_code, mk=mk, **ctx)

    def login_page(request: Request, *, error: str = "", expired: bool = False) -> Response:
        response = sandbox.render("guidewire/login.html", error=error, expired=expired, mk=mk)
        if expired:
            response.delete_cookie(store.cookie)
        return response

    def authed(handler: Handler, *, api: bool = False) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            session, expired = sessions.current(request)
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
        outcome = sandbox.sign_in(
            PORTAL, credentials_ok(state(), str(form.get("username", "")), str(form.get("password", ""))))
        if outcome == "expired":  # no session: the user must choose a new password first
            return sandbox.render("guidewire/mot_de_passe_expire.html", screen=PASSWORD_EXPIRED, mk=mk)
        if outcome != "accepted":
            return login_page(request, error=ACCOUNT_LOCKED if outcome == "locked" else LOGIN_REFUSED)
        sid = sessions.open(request)
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
        rows = open_devis_rows(state())
        if not mk.on:  # today's release has no extra columns to fill
            rows = [{k: v for k, v in row.items() if k not in EXTRA_KEYS} for row in rows]
        return JSONResponse(rows)

    async def recherche(request: Request, session: dict[str, Any]) -> Response:
        query = request.query_params.get("q", "").strip()
        return render("recherche.html", tab="", query=query, rows=search(state(), query))

    def policies_page(view: str, session: dict[str, Any]) -> Response:
        s = state()
        shown = issued_policies(s) if view == "emises" else viewed_policies(s, session)
        return render("polices.html", tab="polices", view=view, policies=shown,
                      rows=[policy_row(s, p) for p in shown])

    async def polices(request: Request, session: dict[str, Any]) -> Response:
        return policies_page("consultees", session)

    async def polices_emises(request: Request, session: dict[str, Any]) -> Response:
        return policies_page("emises", session)

    async def comptes(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        listed = accounts(s)
        rows = [{"compte": name, "devis": str(c["devis"]), "polices": str(c["polices"]),
                 "agence": s.dealer.name} for name, c in listed]
        return render("comptes.html", tab="comptes", accounts=listed, rows=rows)

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

    def to_devis(devis: Devis, step: str = "") -> Response:
        return RedirectResponse(f"/devis/{devis.numero}{'/' + step if step else ''}", status_code=303)

    async def devis_page(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        s = state()
        return render("devis.html", tab="polices", devis=devis, status=devis_status(devis),
                      account=account_name(s, devis), offer=selected_offer(s, devis))

    async def devis_supprimer(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if delete_devis(devis):
            sandbox.changed()
        return to_devis(devis)

    async def step_contrat(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if not is_open(devis):
            return to_devis(devis)
        if request.method == "GET":
            return wizard("contrat.html", devis, "contrat", value=fr_date(devis.date_livraison),
                          errors=[])
        form = await request.form()
        if form.get("action") == "annuler":
            return to_devis(devis)
        value = str(form.get("date_livraison", "")).strip()
        error = save_delivery(devis, value)
        if error:
            return wizard("contrat.html", devis, "contrat", value=value, errors=[error])
        sandbox.changed()
        return to_devis(devis, "vehicules")

    async def step_vehicules(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if not is_open(devis):
            return to_devis(devis)
        s = state()
        if request.method == "GET":
            return wizard("vehicules.html", devis, "vehicules", fields=VEHICLE_FIELDS,
                          values=vehicle_values(s, devis), errors=[], invalid=set(), saved=False)
        form = await request.form()
        action = form.get("action")
        if action == "annuler":
            return to_devis(devis)
        values = vehicle_form(lambda name: str(form.get(name, "")))
        if action in ("precedent", "sauvegarder"):
            devis.vehicle = values
            sandbox.changed()
            if action == "precedent":
                return to_devis(devis, "contrat")
            return wizard("vehicules.html", devis, "vehicules", fields=VEHICLE_FIELDS,
                          values=values, errors=[], invalid=set(), saved=True)
        errors, invalid = vehicle_errors(values)
        if errors:
            return wizard("vehicules.html", devis, "vehicules", fields=VEHICLE_FIELDS,
                          values=values, errors=errors, invalid=invalid, saved=False)
        devis.vehicle = values
        sandbox.changed()
        return to_devis(devis, "offres")

    async def step_offres(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if not is_open(devis):
            return to_devis(devis)
        s = state()
        if request.method == "POST":
            form = await request.form()
            if form.get("action") == "precedent":
                return to_devis(devis, "vehicules")
            if choose_offer(s, devis, str(form.get("offer", ""))) is not None:
                sandbox.changed()
                return to_devis(devis, "police")
        return wizard("offres.html", devis, "offres", offers=offers_for(s, devis), euros=euros)

    def police_step(devis: Devis, offer: Offer, *, errors: list[str] | None = None,
                    status_code: int = 200) -> Response:
        s = state()
        start, end = policy_period(devis, offer)
        vehicle = vehicle_values(s, devis)
        return wizard("police.html", devis, "police", status_code=status_code, offer=offer,
                      start=start, end=end, price=euros(offer.price),
                      alerts=police_alerts(devis, errors), vehicle=vehicle,
                      vehicle_rows=[vehicle_row(devis, vehicle)])

    async def step_police(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if not is_open(devis):
            return to_devis(devis)
        offer = selected_offer(state(), devis)
        if offer is None:
            return to_devis(devis, "offres")
        if request.method == "POST":
            form = await request.form()
            if form.get("action") == "precedent":
                return to_devis(devis, "offres")
        return police_step(devis, offer)

    async def acheter(request: Request, session: dict[str, Any]) -> Response:
        """`Oui` on the purchase dialog: buys once, whatever is retried."""
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        outcome = buy(state(), devis)
        if outcome == "bought":
            sandbox.changed()
        if outcome in ("bought", "already-bought"):
            return to_devis(devis, "confirmation")
        if outcome == "expired":
            offer = selected_offer(state(), devis)
            assert offer is not None  # buy() checks the offer before the date
            return police_step(devis, offer, errors=[EXPIRED])
        return to_devis(devis, "offres" if outcome == "no-offer" else "")

    async def step_confirmation(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_or_none(request)
        if devis is None:
            return not_found("Devis")
        if not devis.police:
            return to_devis(devis)
        return wizard("confirmation.html", devis, "confirmation")

    # -- policies ----------------------------------------------------------------------------
    async def police_page(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        policy = s.policy_by_numero(request.path_params["numero"])
        if policy is None:
            return not_found("Police")
        note_viewed(session, policy)
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


def vehicle_row(devis: Devis, vehicle: dict[str, str]) -> dict[str, str]:
    """The `Véhicules` table of `Informations sur la police`, keyed by column."""
    return {"immat": vehicle.get("Immatriculation", devis.immat), "vin": vehicle.get("VIN", devis.vin),
            "marque": vehicle.get("Marque", "").lower(), "modele": vehicle.get("Modèle", "")}
