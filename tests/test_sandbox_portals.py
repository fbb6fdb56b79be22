"""HTTP-level checks of the reseauxconnect and GuideWire replicas (no browser).

These pin the portal rules the bot relies on (PORTALS.md §2 and §3): the portal's own
validation messages, the already-declared refusal, the GuideWire login, idempotent
purchase, the expired-devis refusal and a readable policy PDF.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

with warnings.catch_warnings():
    # Starlette warns at import when the test client runs on `httpx` rather than `httpx2`.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from rpa.sandbox.dates import add_months
from rpa.sandbox.declaration import prefill, split_garantie
from rpa.sandbox.guidewire.app import build_app as guidewire_app
from rpa.sandbox.guidewire.domain import VEHICLE_FIELDS, VIN_HINT
from rpa.sandbox.pdf import policy_pdf
from rpa.sandbox.reseauxconnect.app import build_app as reseauxconnect_app
from rpa.sandbox.reseauxconnect.layout import DECLARER_URL, FORM_URL
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.state import Devis, Policy, today

STELLANTIS = "Garantie Stellantis Assurance"


@pytest.fixture
def sandbox() -> Sandbox:
    sb = create_sandbox()
    sb.ports = {"planetvo": 1, "reseauxconnect": 2, "guidewire": 3}
    return sb


@pytest.fixture
def rc(sandbox: Sandbox) -> Iterator[TestClient]:
    with TestClient(reseauxconnect_app(sandbox)) as client:
        yield client


@pytest.fixture
def gw(sandbox: Sandbox) -> Iterator[TestClient]:
    with TestClient(guidewire_app(sandbox)) as client:
        yield client


class _RoleText(HTMLParser):
    """Collects the text lines inside every element carrying a given ARIA role."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}

    def __init__(self, role: str) -> None:
        super().__init__()
        self.role, self.depth, self.lines = role, 0, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        if self.depth or dict(attrs).get("role") == self.role:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and data.strip():
            self.lines.append(" ".join(data.split()))


def role_text(html: str, role: str) -> list[str]:
    parser = _RoleText(role)
    parser.feed(html)
    return parser.lines


def alerts(html: str) -> list[str]:
    """The text lines of every role=alert block, in page order."""
    return role_text(html, "alert")


def open_form(rc: TestClient, sandbox: Sandbox, bdc: str) -> str:
    """Popup from Planet VO → (Profil) → Déclarer Vente → the pre-filled form."""
    token = f"tok-{bdc}"
    sandbox.handoffs[token] = bdc
    page = rc.get(f"/sso?token={token}")
    if "<h1>PROFIL</h1>" in page.text:
        page = rc.post("/Profil", data={"garantisseurs": [STELLANTIS]})
    assert "DECLARATION VENTE SPOTICAR" in page.text
    page = rc.post(DECLARER_URL, data={"garantisseur": STELLANTIS})
    assert "Déclarer et Garantir" in page.text
    return page.text


def submit(rc: TestClient, sandbox: Sandbox, bdc: str, **overrides: str) -> str:
    open_form(rc, sandbox, bdc)
    record = sandbox.state.bdc(bdc)
    assert record is not None
    values = prefill(sandbox.state, record) | overrides
    return rc.post(FORM_URL, data=values).text


def login(gw: TestClient, sandbox: Sandbox) -> None:
    account = sandbox.state.guidewire_account
    page = gw.post("/login", data={"username": account.username, "password": account.password})
    assert "<h1>Tableau de gestion</h1>" in page.text


def declare(rc: TestClient, sandbox: Sandbox, bdc: str) -> Devis:
    page = submit(rc, sandbox, bdc)
    assert "<h1>Bienvenue au garage</h1>" in page, alerts(page)
    return sandbox.state.devis[-1]


def choose_offer(gw: TestClient, devis: Devis, offer: str = "GVO Premium 7 / 150") -> None:
    page = gw.post(f"/devis/{devis.numero}/offres", data={"offer": offer})
    assert "<h2>Informations sur la police</h2>" in page.text


# -- reseauxconnect ------------------------------------------------------------------------
def test_base_url_without_session_points_to_the_dms(rc: TestClient) -> None:
    assert alerts(rc.get("/").text) == [
        "Veuillez accéder au Centralisateur depuis votre DMS (Planet VO)."
    ]


def test_sso_token_is_single_use(rc: TestClient, sandbox: Sandbox) -> None:
    sandbox.handoffs["once"] = "74601"
    assert rc.get("/sso?token=once").url.path == "/Profil"
    assert "expiré" in alerts(rc.get("/sso?token=once").text)[0]


def test_profil_requires_a_choice_and_identifiants(rc: TestClient, sandbox: Sandbox) -> None:
    sandbox.handoffs["t"] = "74601"
    page = rc.get("/sso?token=t").text
    assert "Afin de déclarer et garantir, veuillez configurer les garantisseurs" in page
    assert alerts(rc.post("/Profil", data={}).text) == [
        "Veuillez sélectionner au moins un garantisseur"
    ]
    page = rc.post("/Profil", data={"garantisseurs": ["Garantie Cirano"]}).text
    assert alerts(page) == ["Le champ identifiant est obligatoire"]
    assert 'id="cirano_identifiant" name="cirano_identifiant" value="" aria-invalid="true"' in page
    assert not sandbox.state.profil_configured
    page = rc.post("/Profil", data={"garantisseurs": [STELLANTIS, "Auto Garantie"]})
    assert page.url.path == DECLARER_URL
    assert sandbox.state.garantisseurs == [STELLANTIS, "Auto Garantie"]
    assert 'aria-labelledby="block2"' in page.text and f">{STELLANTIS}</label>" in page.text


def test_page_suivante_requires_a_garantie(rc: TestClient, sandbox: Sandbox) -> None:
    sandbox.handoffs["t"] = "74601"
    rc.get("/sso?token=t")
    rc.post("/Profil", data={"garantisseurs": [STELLANTIS]})
    page = rc.post(DECLARER_URL, data={}).text
    assert alerts(page) == ["Veuillez choisir une garantie commerciale"]


def test_form_is_prefilled_from_the_bdc(rc: TestClient, sandbox: Sandbox) -> None:
    page = open_form(rc, sandbox, "74602")
    assert '<label for="f_prenom">Prenom*</label>' in page
    assert '<label for="f_code_postal">Code Postal*</label>' in page
    assert '<label for="f_consentement">Consentement du client (FOCUS)*</label>' in page
    assert '<option value="SPOTICAR PREMIUM" selected>' in page
    assert '<option value="24 mois" selected>' in page
    assert 'name="vin" value="VF3MRHNS6KS060226"' in page
    assert re.search(r'<p class="reference">SP953617Z\d+</p>', page)


def test_garantie_parsing() -> None:
    assert split_garantie("Spoticar Premium 24 mois") == ("SPOTICAR PREMIUM", "24 mois")
    assert split_garantie("DS Certified 12 mois") == ("DS CERTIFIED", "12 mois")
    assert split_garantie("") == ("", "")
    assert add_months(dt.date(2021, 12, 7), 12) == dt.date(2022, 12, 7)
    assert add_months(dt.date(2021, 1, 31), 1) == dt.date(2021, 2, 28)


def test_missing_address_gives_one_line_per_field(rc: TestClient, sandbox: Sandbox) -> None:
    before = len(sandbox.state.devis)
    page = submit(rc, sandbox, "74609")
    assert alerts(page) == [
        "Le champ adresse est obligatoire",
        "Le champ code postal est obligatoire",
        "Le champ ville est obligatoire",
    ]
    for name in ("adresse", "code_postal", "ville"):
        assert re.search(rf'id="f_{name}"[^>]*aria-invalid="true"', page)
    assert len(sandbox.state.devis) == before


def test_required_messages_use_the_lowercase_label(rc: TestClient, sandbox: Sandbox) -> None:
    page = submit(rc, sandbox, "74601", type_vehicule="", immatriculation="")
    assert alerts(page) == [
        "Le champ type véhicule est obligatoire",
        "Le champ immatriculation est obligatoire",
    ]
    assert re.search(r'<select id="f_type_vehicule"[^>]*aria-invalid="true"', page)
    # the user's other values come back as submitted
    assert 'name="nom" value="DUPONT"' in page


def test_already_declared_vehicle_is_refused(rc: TestClient, sandbox: Sandbox) -> None:
    before = (len(sandbox.state.devis), len(sandbox.state.declarations))
    page = submit(rc, sandbox, "74611")
    assert alerts(page) == ["Ce véhicule a déjà été déclaré (numéro devis : 0001006185)"]
    assert (len(sandbox.state.devis), len(sandbox.state.declarations)) == before


def test_declaration_creates_the_guidewire_devis(rc: TestClient, sandbox: Sandbox) -> None:
    page = submit(rc, sandbox, "74601")
    devis = sandbox.state.devis[-1]
    assert role_text(page, "status") == [
        "[Centralisateur] La sauvegarde dans le centralisateur a été effectuée avec succès",
        "[Stellantis GuideWire] La création a été effectuée avec succès "
        f"(numéro devis : {devis.numero})",
    ]
    assert f'href="{sandbox.url("guidewire")}" target="_blank"' in page
    assert devis.client == "M. DUPONT DURANT"
    assert (devis.garantie, devis.duree) == ("SPOTICAR PREMIUM", "12 mois")
    assert devis.expires == today() + dt.timedelta(days=14)
    assert devis.vehicle["Spécificités du véhicule"] == "Non 4x4"
    declaration = sandbox.state.declarations[-1]
    assert declaration.fields["Nom*"] == "DUPONT" and declaration.devis == devis.numero
    listed = rc.get("/api/declarations").json()
    assert listed[0]["devis"] == devis.numero


# -- GuideWire -----------------------------------------------------------------------------
def test_guidewire_login_failure(gw: TestClient, sandbox: Sandbox) -> None:
    page = gw.get("/").text
    assert "<h1>Connexion</h1>" in page and "Nom d'utilisateur :" in page
    page = gw.post("/login", data={"username": "865268J.vo", "password": "wrong"}).text
    assert alerts(page) == ["Nom d'utilisateur ou mot de passe incorrect"]
    login(gw, sandbox)


def test_guidewire_session_expires_after_inactivity(gw: TestClient, sandbox: Sandbox) -> None:
    login(gw, sandbox)
    sandbox.guidewire_idle_seconds = 0.0
    page = gw.get("/polices")
    assert page.status_code == 200 and page.url.path == "/polices"
    assert "<h1>Connexion</h1>" in page.text
    sandbox.guidewire_idle_seconds = 900.0
    login(gw, sandbox)


def test_guidewire_session_expires_after_n_requests(gw: TestClient, sandbox: Sandbox) -> None:
    sandbox.guidewire_expire_after_requests = 3
    login(gw, sandbox)  # the redirect to the home is request 1
    assert "<h1>Polices</h1>" in gw.get("/polices").text
    assert "<h1>Comptes</h1>" in gw.get("/comptes").text
    assert "<h1>Connexion</h1>" in gw.get("/polices").text


def test_devis_ouverts_lists_open_devis(gw: TestClient, sandbox: Sandbox) -> None:
    login(gw, sandbox)
    assert re.search(r'DEVIS OUVERTS</span> <span class="count">2</span>', gw.get("/").text)
    rows = gw.get("/api/devis-ouverts").json()
    assert [r["numero"] for r in rows] == ["0001006185", "0001006186"]
    assert rows[0]["statut"] == "Devis en ébauche" and rows[1]["statut"] == "Expiré"
    assert rows[0]["produit"] == "GVO France" and rows[0]["premium"] == "-"


def test_purchase_twice_buys_once(rc: TestClient, gw: TestClient, sandbox: Sandbox) -> None:
    devis = declare(rc, sandbox, "74601")
    login(gw, sandbox)
    page = gw.get(f"/devis/{devis.numero}").text
    assert f"Devis ({devis.numero}) <span class=\"badge\">Devis en ébauche</span>" in page
    assert "Compte client : DURANT DUPONT | PSA Used Vehicle Warranty" in page
    choose_offer(gw, devis)
    first = gw.post(f"/devis/{devis.numero}/acheter")
    second = gw.post(f"/devis/{devis.numero}/acheter")
    assert len(sandbox.state.purchases) == 1 and len(sandbox.state.policies) == 1
    police = sandbox.state.policies[0].numero
    for page in (first, second):
        assert page.url.path == f"/devis/{devis.numero}/confirmation"
        assert f"Paiement effectué (Police {police})" in page.text
    assert devis.status == "Lié" and devis.police == police
    # once bought, the devis offers no way to continue it
    page = gw.get(f"/devis/{devis.numero}").text
    assert "Lié" in page and "Continuer le devis" not in page
    found = gw.get("/recherche", params={"q": devis.vin.lower()}).text
    assert f'<td>Police</td><td><a href="/police/{police}">{police}</a></td><td>En vigueur</td>' in found


def test_expired_devis_is_refused(gw: TestClient, sandbox: Sandbox) -> None:
    devis = next(d for d in sandbox.state.devis if d.expires < today())
    login(gw, sandbox)
    page = gw.post(f"/devis/{devis.numero}/offres", data={"offer": "GVO Premium 7 / 150"}).text
    assert "Ce devis a expiré" in alerts(page)
    page = gw.post(f"/devis/{devis.numero}/acheter").text
    assert alerts(page) == ["Ce devis a expiré"]
    assert sandbox.state.purchases == [] and not devis.police


def test_vehicle_step_reports_missing_fields(rc: TestClient, gw: TestClient,
                                             sandbox: Sandbox) -> None:
    devis = declare(rc, sandbox, "74601")
    login(gw, sandbox)
    page = gw.get(f"/devis/{devis.numero}/vehicules").text
    assert 'aria-describedby="v_vin_hint"' in page and VIN_HINT in page
    data = {f.name: devis.vehicle.get(f.key, "") for f in VEHICLE_FIELDS}
    page = gw.post(f"/devis/{devis.numero}/vehicules",
                   data=data | {"marque": "", "action": "suivant"}).text
    assert "Marque : Champ obligatoire" in alerts(page)
    assert re.search(r'id="v_marque"[^>]*aria-invalid="true"', page)
    page = gw.post(f"/devis/{devis.numero}/vehicules", data=data | {"action": "suivant"}).text
    assert 'aria-label="GVO Premium 7 / 150"' in page and "187,56 €" in page


def test_policy_document_appears_then_downloads(rc: TestClient, gw: TestClient,
                                                sandbox: Sandbox) -> None:
    sandbox.state.document_delay_seconds = 3600
    devis = declare(rc, sandbox, "74602")
    login(gw, sandbox)
    choose_offer(gw, devis, "GVO Premium 7 / 150 - 24")
    gw.post(f"/devis/{devis.numero}/acheter")
    policy = sandbox.state.policies[0]
    name = policy.document_name(sandbox.state.dealer.code_vendeur)
    page = gw.get(f"/police/{policy.numero}", params={"vue": "documents"}).text
    assert 'DOCUMENTS</span> <span class="count">0</span>' in page and "Aucun document" in page
    assert gw.get(f"/police/{policy.numero}/documents/{name}").status_code == 404

    policy.document_ready_at = dt.datetime.now()
    page = gw.get(f"/police/{policy.numero}", params={"vue": "documents"}).text
    assert 'DOCUMENTS</span> <span class="count">1</span>' in page and f">{name}</a>" in page
    response = gw.get(f"/police/{policy.numero}/documents/{name}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert policy.numero in text and devis.vin in text and "GVO Premium 7 / 150 - 24" in text
    emises = gw.get("/polices/emises").text
    assert f'<a href="/police/{policy.numero}">{policy.numero}</a>' in emises


def test_policy_pdf_is_latin1_safe(sandbox: Sandbox) -> None:
    now = dt.datetime.now()
    policy = Policy(
        numero="0001003079", devis="0001006185", vin="VF3CCHMZ6JT059716", immat="EG-702-HQ",
        client="MME DUPONT STÉPHANE — “test” 日本", offer="GVO Premium 7 / 150", price=1187.5,
        start=today(), end=today(), issued_at=now, document_ready_at=now,
    )
    data = policy_pdf(policy, sandbox.state.dealer)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "0001003079" in text and "STÉPHANE" in text and "1 187,50 EUR" in text
