"""HTTP-level checks of the Planet VO sandbox replica (no browser)."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator

import openpyxl
import pytest

with warnings.catch_warnings():
    # Starlette >= 1.x warns at import when only `httpx` (not `httpx2`) is installed.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from rpa.sandbox.planetvo.app import build_app
from rpa.sandbox.planetvo.words import BDC_COLUMNS
from rpa.sandbox.server import Sandbox, create_sandbox

SPOTICAR = "Déclaration SPOTICAR (stellantis)"


def make_sandbox(extra_bdcs: int = 0) -> Sandbox:
    sandbox = create_sandbox(extra_bdcs=extra_bdcs)
    sandbox.ports = {"planetvo": 1, "reseauxconnect": 2, "guidewire": 3}
    return sandbox


def signed_in(sandbox: Sandbox) -> TestClient:
    client = TestClient(build_app(sandbox))
    account = sandbox.state.planetvo_account
    response = client.post("/", data={"username": account.username, "password": account.password})
    assert response.status_code == 200 and "<h1>Accueil</h1>" in response.text
    return client


@pytest.fixture
def sandbox() -> Sandbox:
    """Overrides conftest's served sandbox: these tests need no ports, only the app."""
    return make_sandbox()


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[TestClient]:
    with signed_in(sandbox) as c:
        yield c


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_wrong_password_shows_alert(sandbox: Sandbox) -> None:
    client = TestClient(build_app(sandbox))
    response = client.post("/", data={"username": "hakim.ab", "password": "nope"})
    assert re.search(r'role="alert"[^>]*>\s*Identifiant ou mot de passe incorrect', response.text)
    assert client.get("/bdc", follow_redirects=False).headers["location"] == "/"


def test_inner_pages_need_login_and_root_goes_home_when_signed_in(sandbox: Sandbox) -> None:
    anonymous = TestClient(build_app(sandbox))
    for path in ("/accueil", "/parametrage", "/bdc", "/vehicules", "/bdc/export"):
        assert anonymous.get(path, follow_redirects=False).status_code == 303
    assert anonymous.get("/bdc/lignes").status_code == 401
    client = signed_in(sandbox)
    assert client.get("/", follow_redirects=False).headers["location"] == "/accueil"


def test_export_is_an_xlsx_with_the_table_titles(client: TestClient, sandbox: Sandbox) -> None:
    response = client.get("/bdc/export", params={"statut": "Cloturé"})
    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="BonsDeCommande_\d{8}\.xlsx"', response.headers["content-disposition"]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == BDC_COLUMNS and len(BDC_COLUMNS) == 14
    closed = [b for b in sandbox.state.bdcs if b.statut == "Cloturé"]
    assert len(rows) == 1 + len(closed)
    by_numero = {row[0]: row for row in rows[1:]}
    row = by_numero["74611"]
    assert row[BDC_COLUMNS.index("Vo Vendu")] == "001003972"  # leading zeros survive
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", str(row[BDC_COLUMNS.index("Date de création")]))
    assert row[BDC_COLUMNS.index("Acheteur")] == "DUPONT"
    assert "74613" not in by_numero  # still `En cours`


def test_statut_filter_ignores_accents(client: TestClient) -> None:
    def count(statut: str) -> str:
        match = re.search(r"Bons de commande: \d+ a \d+ sur (\d+)",
                          client.get("/bdc/lignes", params={"statut": statut}).text)
        assert match
        return match.group(1)

    assert count("Clôturé") == count("Cloturé") == "14"
    assert count("En cours") == "1"
    assert count("") == "15"


def test_text_filters_are_case_insensitive_contains(client: TestClient) -> None:
    html = client.get("/bdc/lignes", params={"acheteur": "dupo", "vo_vendu": "1003"}).text
    assert "Bons de commande: 1 a 1 sur 1" in text(html)
    assert 'data-numero="74611"' in html


def test_pagination_footer_and_links() -> None:
    sandbox = make_sandbox(extra_bdcs=40)
    with signed_in(sandbox) as client:
        first = text(client.get("/bdc/lignes", params={"statut": "Cloturé"}).text)
        assert "Bons de commande: 1 a 25 sur 54" in first and "Page 1 sur 3" in first
        assert "Page suivante" in first and "Page précédente" not in first
        last_html = client.get("/bdc/lignes", params={"statut": "Cloturé", "page": 3}).text
        last = text(last_html)
        assert "Bons de commande: 51 a 54 sur 54" in last and "Page 3 sur 3" in last
        assert "Page suivante" not in last and "Page précédente" in last
        assert 'href="/bdc?statut=Clotur%C3%A9&amp;page=2"' in last_html  # criteria kept
        single = text(client.get("/bdc/lignes", params={"numero": "74601"}).text)
        assert "Bons de commande: 1 a 1 sur 1" in single and "Page 1 sur 1" in single


def test_site_dialog_and_save(client: TestClient, sandbox: Sandbox) -> None:
    html = client.get("/parametrage/sites/20515").text
    assert 'role="dialog"' in html and "Modifier une localisation" in html
    form = {attr: str(getattr(sandbox.state.sites[4], attr)) for attr in (
        "rrd1", "code_bic_argus", "code", "libelle", "raison_sociale", "adresse", "code_postal",
        "ville", "pays", "telephone", "frais_fixes", "frais_fixes_marchand", "code_dms",
        "code_constructeur", "marques")}
    form["rrd1"] = "FR10999"
    assert client.post("/parametrage/sites/20515", data=form).json()["ok"] is True
    site = sandbox.state.site_by_code("FO28")
    assert site is not None and site.rrd1 == "FR10999" and not site.bloque


def test_garantir_rules(client: TestClient, sandbox: Sandbox) -> None:
    def valider(police: str, garantisseur: str = SPOTICAR) -> dict[str, object]:
        response = client.post(f"/vehicules/{police}/garantir", data={"garantisseur": garantisseur})
        result: dict[str, object] = response.json()
        return result

    assert valider("59716", "") == {"error": "Veuillez choisir un garantisseur"}
    assert valider("VINCE08") == {
        "error": "Le bon de commande doit être clôturé avant de garantir le véhicule"}
    assert valider("VINCE02") == {"error": "Code RRD1 SPOTICAR manquant pour le site CHARTRES"}
    ok = valider("001003972")
    url = str(ok["url"])
    assert url.startswith("http://127.0.0.1:2/sso?token=")
    assert sandbox.handoffs[url.split("token=")[1]] == "74611"


def test_cloturer_needs_garantie_and_delivery_date(client: TestClient, sandbox: Sandbox) -> None:
    bdc = sandbox.state.bdc("74613")
    assert bdc is not None and bdc.statut == "En cours"
    form = {"garantie": bdc.garantie, "nom": bdc.nom, "civilite": bdc.civilite,
            "date_livraison": "", "action": "cloturer"}
    refused = client.post("/bdc/74613", data=form)
    assert 'role="alert"' in refused.text and bdc.statut == "En cours"
    form["date_livraison"] = "20/11/2021"
    closed = client.post("/bdc/74613", data=form)
    assert "Bon de commande clôturé" in closed.text and bdc.statut == "Cloturé"
    assert bdc.date_livraison is not None and bdc.date_livraison.year == 2021


def test_vehicle_search_matches_plates_loosely(client: TestClient) -> None:
    html = client.get("/vehicules", params={"immat": "cz 105xr", "rechercher": "1"}).text
    assert ">001003972</a>" in html and "DEMO CDDS SPOTICAR" in html
    assert ">59716</a>" not in html
    exact = client.get("/vehicules", params={"police": "5971", "rechercher": "1"}).text
    assert ">59716</a>" not in exact  # N° Police is an exact match
