"""GuideWire as a client-side application (the `spa` drift, rpa/sandbox/drift.py).

The real GuideWire is a single-page application: one HTML shell whose script draws every
screen from JSON calls. So is this one:

- every GET outside `/api/` answers the same shell (templates/guidewire/spa.html); its script
  (spa.js) reads the URL and draws that screen, so F5 on any screen draws it again, and
  clicks move between screens with `history.pushState` (`popstate` for Back);
- everything else is JSON under `/api/`: sign-in, lists, the devis and its wizard, the
  purchase, the policy and its document (the PDF itself, as an attachment);
- a failed call (5xx, no answer, an answer that is not JSON) leaves the screen as it is with
  an alert `Erreur technique (NNN). Veuillez réessayer.`; an ended session (401) brings the
  login screen back with a message, or a `Session expirée` dialog: a seeded choice per expiry.
- sign-in follows the sandbox's bad-world knobs (server.py): a locked account's refusal is
  an alert on the login screen; an expired password's `Mot de passe expiré` is drawn by the
  script from `/api/login`'s answer, and no session is opened.

The rules are guidewire_domain.py's, the same as the server-rendered portal's; the markup
drift's choices are guidewire_markup.py's, handed to the script in its config.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rpa.sandbox.guidewire_domain import (
    EXPIRED,
    LOGIN_REFUSED,
    PORTAL,
    PRODUCT,
    VEHICLE_FIELDS,
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
from rpa.sandbox.guidewire_markup import Markup
from rpa.sandbox.pdf import policy_pdf
from rpa.sandbox.server import ACCOUNT_LOCKED, PASSWORD_EXPIRED, Sandbox
from rpa.sandbox.state import Devis, Offer, SandboxState, fr_date

# How a session that ended shows (PORTALS.md, "Trouble"): drawn per expiry, seeded.
EXPIRY_VIEWS = ("login", "dialog")
# The screens that only say one thing, by path.
SIMPLE_PAGES = {
    "sinistres": ("Sinistres", "Aucun sinistre", "sinistres"),
    "activites": ("Activités", "Aucune activité", "activites"),
    "souscription": ("Nouvelle souscription",
                     "Les devis GVO France sont créés depuis le Centralisateur Spoticar.", ""),
    "annulations": ("Annulations ouvertes", "Aucun résultat", ""),
}
VEHICLES_INTRO = "Veuillez corriger les champs suivants :"
NO_SUCH_OFFER = "Ce produit n'est pas proposé pour ce devis"
# Scripted waits the answers prescribe to the script, counted in `Sandbox.scripted_seconds`
# as they are served (through `Sandbox._waits`, as the templates' `waits`):
# the list `DEVIS OUVERTS` is drawn a moment after its answer, like the server-rendered grid;
LIST_DELAY_MS = 200
# the purchase dialog opens only after the portal has re-checked the quote (plus `late_ms`).
DIALOG_DELAY_MS = 200

Api = Callable[[Request, dict[str, Any]], Awaitable[Response]]


def ok(data: Any) -> JSONResponse:
    return JSONResponse(data)


def refused(errors: list[str], status_code: int = 400, **extra: Any) -> JSONResponse:
    """The portal's own words against what was asked (validation, a business refusal)."""
    return JSONResponse({"errors": errors, **extra}, status_code=status_code)


def go(path: str) -> JSONResponse:
    """Not this screen but that one (the server-rendered portal's 303)."""
    return JSONResponse({"redirect": path})


def not_found(what: str) -> JSONResponse:
    return refused([f"{what} introuvable."], status_code=404, title="Introuvable")


async def json_body(request: Request) -> dict[str, Any]:
    """The call's JSON object; anything else counts as empty (the checks then refuse it)."""
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value if isinstance(value, str) else ""


def build_spa_app(sandbox: Sandbox) -> Starlette:
    """GuideWire drawn by script: the shell on every page URL, the JSON API under `/api/`."""
    sessions = GwSessions(sandbox)
    store = sessions.store
    mk = Markup.draw(sandbox.drift)
    expiry = sandbox.drift.rng("guidewire-expiry")

    def state() -> SandboxState:
        return sandbox.state

    # -- the shell -------------------------------------------------------------------------
    async def shell(request: Request) -> Response:
        """The one page: whatever the path, the script draws the screen it names."""
        return sandbox.render("guidewire/spa.html", config={"markup": mk.config()})

    # -- sessions --------------------------------------------------------------------------
    def ended(request: Request, expired: bool) -> JSONResponse:
        """401: no session. After an expiry, how the screen says so is drawn anew each time."""
        body: dict[str, Any] = {"error": "Session expirée", "expired": expired}
        if expired:
            body["show"] = expiry.choice(EXPIRY_VIEWS)
        response = JSONResponse(body, status_code=401)
        if request.cookies.get(store.cookie):
            response.delete_cookie(store.cookie)
        return response

    def authed(handler: Api) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            session, expired = sessions.current(request)
            if session is None:
                return ended(request, expired)
            return await handler(request, session)

        return endpoint

    async def login(request: Request) -> Response:
        """Sign-in; an expired password answers, without a session, the words of the screen the
        script then draws in place of the login (`passwordExpired` in spa.js)."""
        data = await json_body(request)
        outcome = sandbox.sign_in(
            PORTAL, credentials_ok(state(), text(data, "username"), text(data, "password")))
        if outcome == "locked":
            return refused([ACCOUNT_LOCKED], status_code=403)
        if outcome == "refused":
            return refused([LOGIN_REFUSED])
        if outcome == "expired":
            return ok({"password_expired": PASSWORD_EXPIRED.as_json()})
        response = ok({"user": state().guidewire_account.username})
        response.set_cookie(store.cookie, sessions.open(request), httponly=True, samesite="lax")
        return response

    async def logout(request: Request) -> Response:
        store.drop(request)
        response = ok({})
        response.delete_cookie(store.cookie)
        return response

    # -- home, lists, search ----------------------------------------------------------------
    def counts() -> dict[str, int]:
        return {"open_count": len(open_devis(state())), "annulations": 0}

    async def accueil(request: Request, session: dict[str, Any]) -> Response:
        return ok(counts())

    async def devis_ouverts(request: Request, session: dict[str, Any]) -> Response:
        return ok(counts() | {"rows": open_devis_rows(state()),
                              "draw_after_ms": sandbox._waits(LIST_DELAY_MS)})

    async def recherche(request: Request, session: dict[str, Any]) -> Response:
        query = request.query_params.get("q", "").strip()
        return ok({"query": query, "rows": search(state(), query)})

    async def polices(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        view = "emises" if request.query_params.get("vue") == "emises" else "consultees"
        shown = issued_policies(s) if view == "emises" else viewed_policies(s, session)
        heading = "Polices émises récemment" if view == "emises" else "Polices consultées récemment"
        return ok(counts() | {"view": view, "heading": heading,
                              "rows": [policy_row(s, p) for p in shown]})

    async def comptes(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        return ok({"rows": [{"compte": name, "devis": str(c["devis"]), "polices": str(c["polices"]),
                             "agence": s.dealer.name} for name, c in accounts(s)]})

    async def simple(request: Request, session: dict[str, Any]) -> Response:
        page = SIMPLE_PAGES.get(request.path_params["name"])
        if page is None:
            return not_found("Page")
        title, message, tab = page
        return ok({"title": title, "message": message, "tab": tab})

    # -- the devis and its wizard -------------------------------------------------------------
    def devis_of(request: Request) -> Devis | None:
        return state().devis_by_numero(request.path_params["numero"])

    def header(devis: Devis) -> dict[str, str]:
        """What every wizard step shows above it."""
        return {"numero": devis.numero, "client": devis.client}

    def open_step(handler: Callable[[Request, Devis], Awaitable[Response]]) -> Api:
        """A wizard step of an open devis: any other devis goes back to its own screen."""
        async def endpoint(request: Request, session: dict[str, Any]) -> Response:
            devis = devis_of(request)
            if devis is None:
                return not_found("Devis")
            if not is_open(devis):
                return go(f"/devis/{devis.numero}")
            return await handler(request, devis)

        return endpoint

    async def devis_screen(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_of(request)
        if devis is None:
            return not_found("Devis")
        s = state()
        offer = selected_offer(s, devis)
        status = devis_status(devis)
        return ok({
            "numero": devis.numero, "status": status, "account": account_name(s, devis),
            "police": devis.police, "can_continue": status in ("Devis en ébauche", "Expiré"),
            "summary": [
                ["Produit", PRODUCT], ["Créé le", fr_date(devis.created)],
                ["Date d'expiration du devis", fr_date(devis.expires)], ["VIN", devis.vin],
                ["Immatriculation", devis.immat],
                ["Garantie déclarée", f"{devis.garantie} {devis.duree}"],
                ["Produit sélectionné", offer.name if offer else "-"],
            ],
        })

    async def supprimer(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_of(request)
        if devis is None:
            return not_found("Devis")
        if delete_devis(devis):
            sandbox.changed()
        return go(f"/devis/{devis.numero}")

    @open_step
    async def contrat(request: Request, devis: Devis) -> Response:
        if request.method == "GET":
            return ok(header(devis) | {"value": fr_date(devis.date_livraison)})
        error = save_delivery(devis, text(await json_body(request), "date_livraison"))
        if error:
            return refused([error], invalid=["date_livraison"])
        sandbox.changed()
        return go(f"/devis/{devis.numero}/vehicules")

    @open_step
    async def vehicules(request: Request, devis: Devis) -> Response:
        if request.method == "GET":
            return ok(header(devis) | {
                "fields": [{"name": f.name, "label": f.label, "kind": f.kind,
                            "options": list(f.options), "hint": f.hint, "required": f.required}
                           for f in VEHICLE_FIELDS],
                "values": vehicle_values(state(), devis),
            })
        data = await json_body(request)
        sent = data.get("values")
        values = vehicle_form(lambda name: text(sent, name) if isinstance(sent, dict) else "")
        action = text(data, "action")
        if action in ("precedent", "sauvegarder"):
            devis.vehicle = values
            sandbox.changed()
            if action == "precedent":
                return go(f"/devis/{devis.numero}/contrat")
            return ok({"saved": True})
        errors, invalid = vehicle_errors(values)
        if errors:
            return refused(errors, intro=VEHICLES_INTRO, invalid=sorted(invalid))
        devis.vehicle = values
        sandbox.changed()
        return go(f"/devis/{devis.numero}/offres")

    def offer_card(offer: Offer) -> dict[str, Any]:
        return {"name": offer.name, "price": euros(offer.price), "assistance": offer.assistance,
                "relation_client": offer.relation_client, "carence_mois": offer.carence_mois,
                "duree_mois": offer.duree_mois}

    @open_step
    async def offres(request: Request, devis: Devis) -> Response:
        s = state()
        if request.method == "GET":
            return ok(header(devis) | {"selected": devis.selected_offer,
                                       "offers": [offer_card(o) for o in offers_for(s, devis)]})
        if choose_offer(s, devis, text(await json_body(request), "offer")) is None:
            return refused([NO_SUCH_OFFER])
        sandbox.changed()
        return go(f"/devis/{devis.numero}/police")

    def police_info(devis: Devis, offer: Offer) -> dict[str, Any]:
        vehicle = vehicle_values(state(), devis)
        start, end = policy_period(devis, offer)
        return header(devis) | {
            "details": [
                ["Date de livraison du véhicule", fr_date(devis.date_livraison)],
                ["Date d'expiration du devis", fr_date(devis.expires)],
                ["Type de produit", offer.name],
                ["Durée de la police", f"{fr_date(start)} - {fr_date(end)}"],
                ["Prix total", euros(offer.price)],
            ],
            "vehicles": [{"immat": vehicle.get("Immatriculation", devis.immat),
                          "vin": vehicle.get("VIN", devis.vin),
                          "marque": vehicle.get("Marque", "").lower(),
                          "modele": vehicle.get("Modèle", "")}],
            "alerts": police_alerts(devis),
            "dialog_ms": sandbox._waits(DIALOG_DELAY_MS + sandbox.faults.late_ms),
        }

    @open_step
    async def police_step(request: Request, devis: Devis) -> Response:
        offer = selected_offer(state(), devis)
        if offer is None:
            return go(f"/devis/{devis.numero}/offres")
        return ok(police_info(devis, offer))

    async def acheter(request: Request, session: dict[str, Any]) -> Response:
        """`Oui`: buys once, whatever is retried (a double click, a lost answer)."""
        devis = devis_of(request)
        if devis is None:
            return not_found("Devis")
        outcome = buy(state(), devis)
        if outcome == "bought":
            sandbox.changed()
        if outcome in ("bought", "already-bought"):
            return go(f"/devis/{devis.numero}/confirmation")
        if outcome == "expired":
            return refused([EXPIRED])
        return go(f"/devis/{devis.numero}{'/offres' if outcome == 'no-offer' else ''}")

    async def confirmation(request: Request, session: dict[str, Any]) -> Response:
        devis = devis_of(request)
        if devis is None:
            return not_found("Devis")
        if not devis.police:
            return go(f"/devis/{devis.numero}")
        return ok(header(devis) | {"police": devis.police})

    # -- policies --------------------------------------------------------------------------------
    async def police_screen(request: Request, session: dict[str, Any]) -> Response:
        s = state()
        policy = s.policy_by_numero(request.path_params["numero"])
        if policy is None:
            return not_found("Police")
        note_viewed(session, policy)
        devis = s.devis_by_numero(policy.devis)
        vehicle = vehicle_values(s, devis) if devis else {}
        count = document_count(policy)
        name = policy.document_name(s.dealer.code_vendeur)
        return ok({
            "numero": policy.numero, "status": policy.status,
            "account": account_name(s, devis) if devis else policy.client,
            "count": count, "devis": devis.numero if devis else "",
            "document": {"name": name, "href": f"/api/police/{policy.numero}/documents/{name}"}
            if count else None,
            "synthese": [
                ["Produit", PRODUCT], ["Type de couverture", policy.offer],
                ["Prix total", euros(policy.price)],
                ["Durée de la police", f"{fr_date(policy.start)} - {fr_date(policy.end)}"],
                ["Date d'émission", fr_date(policy.issued_at.date())],
                ["Devis", devis.numero if devis else ""], ["Immatriculation", policy.immat],
                ["VIN", policy.vin], ["Marque", vehicle.get("Marque", "")],
                ["Modèle", vehicle.get("Modèle", "")],
            ],
        })

    async def document(request: Request, session: dict[str, Any]) -> Response:
        """The policy PDF, as an attachment: the browser downloads it."""
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

    async def no_icon(request: Request) -> Response:
        return Response(status_code=404)

    async def no_api(request: Request) -> Response:
        return not_found("Service")

    def api(path: str, handler: Api, methods: tuple[str, ...] = ("GET",)) -> Route:
        return Route(f"/api{path}", authed(handler), methods=list(methods))

    get_post = ("GET", "POST")
    return Starlette(routes=[
        Route("/api/login", login, methods=["POST"]),
        Route("/api/logout", logout, methods=["POST"]),
        api("/accueil", accueil),
        api("/devis-ouverts", devis_ouverts),
        api("/recherche", recherche),
        api("/polices", polices),
        api("/comptes", comptes),
        api("/pages/{name}", simple),
        api("/devis/{numero}", devis_screen),
        api("/devis/{numero}/supprimer", supprimer, ("POST",)),
        api("/devis/{numero}/contrat", contrat, get_post),
        api("/devis/{numero}/vehicules", vehicules, get_post),
        api("/devis/{numero}/offres", offres, get_post),
        api("/devis/{numero}/police", police_step),
        api("/devis/{numero}/acheter", acheter, ("POST",)),
        api("/devis/{numero}/confirmation", confirmation),
        api("/police/{numero}", police_screen),
        api("/police/{numero}/documents/{filename}", document),
        Route("/api/{rest:path}", no_api, methods=["GET", "POST"]),
        Route("/favicon.ico", no_icon),
        Route("/{path:path}", shell, methods=["GET"]),
    ])
