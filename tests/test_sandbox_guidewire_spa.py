"""GuideWire as a client-side application (`--drift spa`), PORTALS.md §3 and "Trouble".

HTTP-level checks of its JSON API (the same rules as the server-rendered portal: validation,
one purchase per devis, the document that comes late, sessions), then real Chromium driving
the application by role and name only, with the `markup` drift on as well: the whole way
from the search box to the policy PDF, a failed call, and an ended session.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pypdf import PdfReader

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for `httpx2` at import
    from starlette.testclient import TestClient

from rpa.sandbox.drift import NOTICE, Drift
from rpa.sandbox.faults import FaultKind, Faults
from rpa.sandbox.guidewire.app import build_app as guidewire_app
from rpa.sandbox.guidewire.domain import EXPIRED, LOGIN_REFUSED, VEHICLE_FIELDS, is_open
from rpa.sandbox.guidewire.spa.layout import EXPIRY_VIEWS
from rpa.sandbox.guidewire.spa.wizard import VEHICLES_INTRO
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.state import Devis, today

OFFER = "GVO Premium 7 / 150"
SESSION_EXPIRED = "Votre session a expiré. Veuillez vous reconnecter."


def open_seed_devis(sandbox: Sandbox) -> Devis:
    """The seed's open, buyable devis (vehicle `001003972`), as test_pages_guidewire finds it."""
    return next(d for d in sandbox.state.devis if is_open(d) and d.expires >= today())


def expired_seed_devis(sandbox: Sandbox) -> Devis:
    vehicle = sandbox.state.vehicle("VINCE09")
    assert vehicle is not None
    return next(d for d in sandbox.state.devis if d.vin == vehicle.vin)


# -- the JSON API ----------------------------------------------------------------------------
@pytest.fixture
def sandbox() -> Sandbox:
    sb = create_sandbox(drift=Drift.parse("spa,markup,notice", seed=3))
    sb.ports = {"planetvo": 1, "reseauxconnect": 2, "guidewire": 3, "traqueur": 4}
    return sb


@pytest.fixture
def gw(sandbox: Sandbox) -> Iterator[TestClient]:
    with TestClient(guidewire_app(sandbox)) as client:
        yield client


def sign_in(gw: TestClient, sandbox: Sandbox) -> None:
    account = sandbox.state.guidewire_account
    answer = gw.post("/api/login", json={"username": account.username, "password": account.password})
    assert answer.status_code == 200, answer.text


def test_every_screen_url_answers_the_shell(gw: TestClient) -> None:
    for path in ("/", "/devis", "/devis/0001006185/police", "/police/0001003079?vue=documents"):
        page = gw.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'id="gw-config"' in page.text and "Chargement…" in page.text
        assert NOTICE in page.text  # _drift.html is included: the notice shows on the SPA too
    assert gw.get("/api/nope").status_code == 404


def test_signing_in(gw: TestClient, sandbox: Sandbox) -> None:
    never = gw.get("/api/accueil")
    assert never.status_code == 401 and never.json() == {"error": "Session expirée", "expired": False}
    wrong = gw.post("/api/login", json={"username": "865268J.vo", "password": "non"})
    assert wrong.status_code == 400 and wrong.json()["errors"] == [LOGIN_REFUSED]
    assert gw.post("/api/login", content=b"pas du json").status_code == 400
    assert not sandbox.sessions["guidewire"].data
    sign_in(gw, sandbox)
    assert gw.get("/api/accueil").json() == {"open_count": 2, "annulations": 0}
    assert gw.post("/api/logout").status_code == 200
    assert gw.get("/api/accueil").status_code == 401


def test_lists_and_search(gw: TestClient, sandbox: Sandbox) -> None:
    sign_in(gw, sandbox)
    devis = open_seed_devis(sandbox)
    listed = gw.get("/api/devis-ouverts").json()
    assert [r["numero"] for r in listed["rows"]] == [devis.numero, expired_seed_devis(sandbox).numero]
    assert listed["rows"][0]["statut"] == "Devis en ébauche" and listed["open_count"] == 2
    assert listed["draw_after_ms"] == 200
    for query in (devis.numero, devis.vin.lower()):
        rows = gw.get("/api/recherche", params={"q": query}).json()["rows"]
        assert [(r["type"], r["numero"], r["statut"], r["vin"]) for r in rows] == [
            ("Devis", devis.numero, "Devis en ébauche", devis.vin)]
    assert gw.get("/api/recherche", params={"q": "ZZNOPE"}).json()["rows"] == []
    assert gw.get("/api/polices", params={"vue": "emises"}).json()["rows"] == []
    assert gw.get("/api/comptes").json()["rows"]
    assert gw.get("/api/pages/sinistres").json()["message"] == "Aucun sinistre"


def test_wizard_validates_as_the_pages_do(gw: TestClient, sandbox: Sandbox) -> None:
    sign_in(gw, sandbox)
    devis = open_seed_devis(sandbox)
    base = f"/api/devis/{devis.numero}"
    shown = gw.get(base).json()
    assert shown["status"] == "Devis en ébauche" and shown["can_continue"]
    assert gw.get(base + "/contrat").json()["value"] == devis.date_livraison.strftime("%d/%m/%Y")
    empty = gw.post(base + "/contrat", json={"date_livraison": ""})
    assert empty.status_code == 400 and empty.json()["errors"] == ["Date de livraison : Champ obligatoire"]
    assert gw.post(base + "/contrat", json={"date_livraison": "12-2030"}).json()["errors"] == [
        "Date de livraison : format attendu JJ/MM/AAAA"]
    assert gw.post(base + "/contrat", json={"date_livraison": "01/02/2030"}).json() == {
        "redirect": f"/devis/{devis.numero}/vehicules"}
    assert devis.date_livraison == dt.date(2030, 2, 1)

    step = gw.get(base + "/vehicules").json()
    values = {f.name: step["values"].get(f.key, "") for f in VEHICLE_FIELDS}
    bad = gw.post(base + "/vehicules", json={"action": "suivant", "values": values | {"marque": "", "vin": "abc"}})
    assert bad.status_code == 400
    assert bad.json() == {"errors": ["Marque : Champ obligatoire", "VIN : 17 caractères alphanumériques en majuscules"],
                          "intro": VEHICLES_INTRO, "invalid": ["marque", "vin"]}
    saved = gw.post(base + "/vehicules", json={"action": "sauvegarder", "values": values | {"km": "12345"}})
    assert saved.json() == {"saved": True} and devis.vehicle["Kilométrage"] == "12345"
    assert gw.post(base + "/vehicules", json={"action": "suivant", "values": values}).json() == {
        "redirect": f"/devis/{devis.numero}/offres"}

    offers = gw.get(base + "/offres").json()["offers"]
    assert OFFER in [o["name"] for o in offers] and offers[0]["price"] == "187,56 €"
    assert gw.post(base + "/offres", json={"offer": "GVO DS Certified 12"}).status_code == 400
    assert gw.get(base + "/police").json() == {"redirect": f"/devis/{devis.numero}/offres"}
    gw.post(base + "/offres", json={"offer": OFFER})
    info = gw.get(base + "/police").json()
    assert dict(info["details"])["Prix total"] == "187,56 €" and info["alerts"] == []
    assert info["dialog_ms"] == 200 + sandbox.faults.late_ms


def test_two_oui_buy_once_then_the_document_comes(gw: TestClient, sandbox: Sandbox) -> None:
    sandbox.state.document_delay_seconds = 3600
    sign_in(gw, sandbox)
    devis = open_seed_devis(sandbox)
    gw.post(f"/api/devis/{devis.numero}/offres", json={"offer": OFFER})
    first = gw.post(f"/api/devis/{devis.numero}/acheter").json()
    second = gw.post(f"/api/devis/{devis.numero}/acheter").json()
    assert first == second == {"redirect": f"/devis/{devis.numero}/confirmation"}
    assert len(sandbox.state.purchases) == 1 and len(sandbox.state.policies) == 1
    police = sandbox.state.policies[0]
    assert gw.get(f"/api/devis/{devis.numero}/confirmation").json()["police"] == police.numero
    assert gw.get(f"/api/devis/{devis.numero}/contrat").json() == {"redirect": f"/devis/{devis.numero}"}
    assert gw.get(f"/api/devis/{devis.numero}").json()["status"] == "Lié"

    emises = gw.get("/api/polices", params={"vue": "emises"}).json()["rows"]
    assert [(r["numero"], r["statut"], r["couverture"]) for r in emises] == [(police.numero, "En vigueur", OFFER)]
    shown = gw.get(f"/api/police/{police.numero}").json()
    assert shown["count"] == 0 and shown["document"] is None
    name = police.document_name(sandbox.state.dealer.code_vendeur)
    assert gw.get(f"/api/police/{police.numero}/documents/{name}").status_code == 404
    assert [r["numero"] for r in gw.get("/api/polices").json()["rows"]] == [police.numero]  # consulté

    police.document_ready_at = dt.datetime.now()
    shown = gw.get(f"/api/police/{police.numero}").json()
    assert shown["count"] == 1 and shown["document"] == {
        "name": name, "href": f"/api/police/{police.numero}/documents/{name}"}
    pdf = gw.get(shown["document"]["href"])
    assert pdf.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert police.numero in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_expired_devis_is_refused(gw: TestClient, sandbox: Sandbox) -> None:
    sign_in(gw, sandbox)
    devis = expired_seed_devis(sandbox)
    gw.post(f"/api/devis/{devis.numero}/offres", json={"offer": OFFER})
    assert gw.get(f"/api/devis/{devis.numero}/police").json()["alerts"] == [EXPIRED]
    refused = gw.post(f"/api/devis/{devis.numero}/acheter")
    assert refused.status_code == 400 and refused.json() == {"errors": [EXPIRED]}
    assert sandbox.state.purchases == []


def test_api_calls_count_toward_the_session_and_each_expiry_draws_its_view(
    gw: TestClient, sandbox: Sandbox
) -> None:
    sandbox.guidewire_expire_after_requests = 3
    views = []
    for _ in range(8):
        sign_in(gw, sandbox)
        for path in ("/api/accueil", "/api/polices", "/api/comptes"):
            assert gw.get(path).status_code == 200
        ended = gw.get("/api/accueil")
        assert ended.status_code == 401 and ended.json()["expired"] is True
        views.append(ended.json()["show"])
        assert gw.get("/api/accueil").json()["expired"] is False  # the cookie went with it
    assert set(views) == set(EXPIRY_VIEWS)
    sandbox.guidewire_expire_after_requests = None
    sign_in(gw, sandbox)
    sandbox.guidewire_idle_seconds = 0.0
    assert gw.get("/api/accueil").json()["show"] in EXPIRY_VIEWS


def test_a_lost_answer_bought_once() -> None:
    """The fault injector answers a POST 502 after doing it: the retry finds it bought."""
    with create_sandbox(drift=Drift.parse("spa", seed=1)) as box:
        devis = open_seed_devis(box)
        account = box.state.guidewire_account
        with httpx.Client(base_url=box.url("guidewire")) as client:
            client.post("/api/login", json={"username": account.username, "password": account.password})
            client.post(f"/api/devis/{devis.numero}/offres", json={"offer": OFFER})
            box.faults = Faults(error_rate=1.0, kinds=("reponse-perdue",))
            lost = client.post(f"/api/devis/{devis.numero}/acheter")
            assert lost.status_code == 502 and len(box.state.purchases) == 1
            box.faults = Faults(error_rate=1.0, kinds=("page-indisponible",))
            unavailable = client.get(f"/api/devis/{devis.numero}")
            assert unavailable.status_code == 200 and "text/html" in unavailable.headers["content-type"]
            box.faults = Faults()
            again = client.post(f"/api/devis/{devis.numero}/acheter")
            assert again.json() == {"redirect": f"/devis/{devis.numero}/confirmation"}
        assert len(box.state.purchases) == 1


# -- in Chromium, by role and name only ----------------------------------------------------------
@pytest.fixture
def spa(tmp_path: Path) -> Iterator[Sandbox]:
    with create_sandbox(tmp_path / "state.json", drift=Drift.parse("spa,markup", seed=3)) as box:
        box.state.document_delay_seconds = 0.3
        yield box


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(8_000)
    yield context.new_page()
    context.close()


def control(scope: Page | Locator, name: str | re.Pattern[str]) -> Locator:
    """A button, or the link a drifted release draws in its place."""
    return scope.get_by_role("button", name=name).or_(scope.get_by_role("link", name=name)).first


def sign_in_page(page: Page, sandbox: Sandbox) -> None:
    account = sandbox.state.guidewire_account
    page.get_by_label("Nom d'utilisateur :").fill(account.username)
    page.get_by_label("Mot de passe :").fill(account.password)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Tableau de gestion")).to_be_visible()


def open_devis(page: Page, numero: str) -> None:
    box = page.get_by_role("searchbox", name="Rechercher")
    box.fill(numero)
    box.press("Enter")
    page.get_by_role("link", name=numero, exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(rf"^Devis \({numero}\) Devis en ébauche"))).to_be_visible()


@pytest.mark.e2e
def test_spa_from_search_to_policy_pdf(page: Page, spa: Sandbox, tmp_path: Path) -> None:
    devis = open_seed_devis(spa)
    page.goto(spa.url("guidewire"))
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    sign_in_page(page, spa)
    expect(page.get_by_role("link", name=re.compile(r"^DEVIS OUVERTS\s*2$"))).to_be_visible()
    open_devis(page, devis.numero)

    control(page, "Continuer le devis").click()
    expect(page.get_by_label(re.compile(r"^Date de livraison \*$"))).to_have_value(
        devis.date_livraison.strftime("%d/%m/%Y"))
    control(page, "Suivant").click()
    expect(page.get_by_label(re.compile(r"^VIN \*$"))).to_have_value(devis.vin)
    page.reload()  # F5 draws the same screen again
    expect(page.get_by_label(re.compile(r"^VIN \*$"))).to_have_value(devis.vin)
    control(page, "Suivant").click()
    control(page.get_by_role("article", name=OFFER, exact=True), "Sélectionner").click()

    control(page, "Acheter maintenant").click()
    dialog = page.get_by_role("dialog", name="Voulez-vous procéder à l'achat de la police maintenant?")
    dialog.get_by_role("button", name="Oui").dblclick()  # twice, and yet one purchase
    done = page.get_by_text(re.compile(r"^Paiement effectué \(Police (\d+)\)$"))
    expect(done).to_be_visible()
    police = re.sub(r"\D", "", done.inner_text())
    assert [(p.devis, p.police) for p in spa.state.purchases] == [(devis.numero, police)]

    page.get_by_role("link", name="Polices", exact=True).click()
    page.get_by_role("link", name=re.compile("^ÉMISES RÉCEMMENT")).click()
    page.get_by_role("link", name=police, exact=True).click()
    expect(page.get_by_role("heading", name=f"PSA Used Vehicle Warranty ({police}) En vigueur")).to_be_visible()
    name = spa.state.policies[0].document_name(spa.state.dealer.code_vendeur)
    document = page.get_by_role("link", name=name)
    for _ in range(20):  # the document comes a little after the purchase: look again
        page.get_by_role("link", name=re.compile(r"^DOCUMENTS")).click()
        try:
            expect(document).to_be_visible(timeout=500)
            break
        except AssertionError:
            continue
    expect(page.get_by_role("link", name=re.compile(r"^DOCUMENTS\s*1$"))).to_be_visible()
    with page.expect_download() as download:
        document.click()
    assert download.value.suggested_filename == name
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    page.go_back()  # popstate: the screen before, drawn again
    expect(page.get_by_role("link", name=re.compile(r"^SYNTHÈSE"))).to_be_visible()


def failing(sandbox: Sandbox, kind: FaultKind) -> None:
    sandbox.faults = Faults(error_rate=1.0, kinds=(kind,))


@pytest.mark.e2e
def test_a_failed_call_shows_in_the_screen(page: Page, spa: Sandbox) -> None:
    devis = open_seed_devis(spa)
    page.goto(spa.url("guidewire"))
    sign_in_page(page, spa)
    open_devis(page, devis.numero)
    heading = page.get_by_role("heading", name=re.compile(rf"^Devis \({devis.numero}\)"))

    for kind, said in (("http-503", "Erreur technique (503). Veuillez réessayer."),
                       ("page-indisponible", "Erreur technique (200). Veuillez réessayer."),
                       ("http-500", "Erreur technique (500). Veuillez réessayer.")):
        failing(spa, kind)
        control(page, "Continuer le devis").click()
        expect(page.get_by_role("alert")).to_have_text(said)
        expect(heading).to_be_visible()  # the screen stays as it was
    spa.faults = Faults()
    control(page, "Continuer le devis").click()  # the user clicks again
    expect(page.get_by_label(re.compile(r"^Date de livraison \*$"))).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

    failing(spa, "reponse-perdue")  # the date is saved, the answer lost
    page.get_by_label(re.compile(r"^Date de livraison \*$")).fill("03/04/2030")
    control(page, "Suivant").click()
    expect(page.get_by_role("alert")).to_have_text("Erreur technique (502). Veuillez réessayer.")
    assert devis.date_livraison == dt.date(2030, 4, 3)
    spa.faults = Faults()
    page.route("**/api/**", lambda route: route.abort())  # no answer at all
    control(page, "Suivant").click()
    expect(page.get_by_role("alert")).to_have_text("Erreur technique. Veuillez réessayer.")
    page.unroute("**/api/**")
    control(page, "Suivant").click()
    expect(page.get_by_label(re.compile(r"^VIN \*$"))).to_be_visible()


@pytest.mark.e2e
def test_an_ended_session_shows_login_or_dialog(page: Page, spa: Sandbox) -> None:
    page.goto(spa.url("guidewire"))
    page.get_by_label("Nom d'utilisateur :").fill(spa.state.guidewire_account.username)
    page.get_by_label("Mot de passe :").fill("pas-le-bon")
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("alert")).to_have_text(LOGIN_REFUSED)
    sign_in_page(page, spa)
    seen = set()
    for _ in range(10):
        spa.guidewire_idle_seconds = 0.0
        page.get_by_role("link", name="Comptes", exact=True).click()
        login_alert = page.get_by_role("alert").filter(has_text=SESSION_EXPIRED)
        dialog = page.get_by_role("dialog", name="Session expirée")
        expect(login_alert.or_(dialog)).to_be_visible()
        spa.guidewire_idle_seconds = 900.0
        if dialog.is_visible():
            seen.add("dialog")
            expect(dialog).to_have_attribute("aria-modal", "true")
            dialog.get_by_role("button", name="Se reconnecter").click()
            expect(dialog).to_have_count(0)
        else:
            seen.add("login")
        expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
        sign_in_page(page, spa)  # and back to `Tableau de gestion`, whatever the screen was
        expect(page.get_by_role("alert")).to_have_count(0)
        if seen == set(EXPIRY_VIEWS):
            break
    assert seen == set(EXPIRY_VIEWS)
