"""GuideWire's next release as far as markup goes (`--drift markup`): wrappers, buttons drawn as
links, lists reordered with extra columns, ARIA grids, labels by `aria-labelledby`, `<abbr>`
required marks, `div role=heading`; and every accessible name of PORTALS.md kept.

The choices are fixed per seed and shared by the server-rendered portal (checked here in its
HTML, and driven once in Chromium) and the client-side one (tests/test_sandbox_guidewire_spa.py).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for `httpx2` at import
    from starlette.testclient import TestClient

from rpa.sandbox.drift import Drift
from rpa.sandbox.guidewire.app import build_app as guidewire_app
from rpa.sandbox.guidewire.domain import VEHICLE_FIELDS, is_open
from rpa.sandbox.guidewire.markup import ALWAYS_LINKS, TABLES, Markup
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.state import Devis, today

SEEDS = (0, 1, 2, 3)
OFFER = "GVO Premium 7 / 150"


class _Elements(HTMLParser):
    """Every element with its attributes and its whole text, in document order."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "path", "circle", "rect"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        texts: list[str] = []
        self.found.append((tag, {k: v or "" for k, v in attrs}, texts))
        if tag not in self.VOID:
            self.open.append(texts)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for texts in self.open:
            texts.append(data)


def elements(html: str) -> list[tuple[str, dict[str, str], str]]:
    parser = _Elements()
    parser.feed(html)
    return [(tag, attrs, " ".join("".join(texts).split())) for tag, attrs, texts in parser.found]


def named(html: str, text: str) -> list[tuple[str, dict[str, str]]]:
    """The elements whose whole text is `text` (what a user reads on them)."""
    return [(tag, attrs) for tag, attrs, said in elements(html) if said == text]


def controls(html: str, text: str) -> list[str]:
    """The tags of the buttons and links that read `text` (wrappers read it too)."""
    return [tag for tag, _ in named(html, text) if tag in ("a", "button")]


def seed_devis(sandbox: Sandbox) -> Devis:
    return next(d for d in sandbox.state.devis if is_open(d) and d.expires >= today())


def test_a_release_is_fixed_per_seed() -> None:
    assert Markup.draw(Drift()) == Markup() and not Markup().on
    releases = [Markup.draw(Drift.parse("markup", seed)) for seed in SEEDS]
    assert releases == [Markup.draw(Drift.parse("all", seed)) for seed in SEEDS]  # other switches change nothing
    assert len({(r.wrappers, r.links, r.grids, r.labelledby, tuple(r.columns["devis"])) for r in releases}) > 1
    for release in releases:
        assert set(ALWAYS_LINKS) <= release.links and release.grids and release.labelledby
        for name, spec in TABLES.items():
            shown = release.shown(name)
            assert {c.header for c in spec.columns} <= {c.header for c in shown}  # nothing lost
            assert [c for c in shown if c in spec.columns] != list(spec.columns)  # reordered
            assert len(shown) > len(spec.columns) or not spec.extras  # an extra column


@pytest.mark.parametrize("seed", SEEDS)
def test_pages_keep_their_names(seed: int) -> None:
    sandbox = create_sandbox(drift=Drift.parse("markup", seed))
    mk = Markup.draw(sandbox.drift)
    devis = seed_devis(sandbox)
    account = sandbox.state.guidewire_account
    with TestClient(guidewire_app(sandbox)) as gw:
        login = gw.get("/").text
        for label in ("Nom d'utilisateur :", "Mot de passe :"):
            [(tag, attrs)] = named(login, label)
            assert (tag == "span") == mk.by_id(label) and (tag == "label") == (not mk.by_id(label))
        home = gw.post("/login", data={"username": account.username, "password": account.password}).text
        assert re.search(r'DEVIS OUVERTS</span> <span class="count">2</span>', home)
        assert ("div", {"role": "heading", "aria-level": "1", "class": "h1"}) in named(home, "Tableau de gestion") \
            or not mk.div_heading(1)

        page = gw.get(f"/devis/{devis.numero}").text
        assert ("a", {"class": "btn primary", "href": f"/devis/{devis.numero}/contrat"}) in named(page, "Continuer le devis")
        assert re.search(rf"Devis \({devis.numero}\) <span class=\"badge\">Devis en ébauche</span>", page)

        page = gw.get(f"/devis/{devis.numero}/contrat").text
        assert 'Date de livraison <abbr title="obligatoire">*</abbr>' in page
        assert controls(page, "Suivant") == ["a"]

        page = gw.get(f"/devis/{devis.numero}/vehicules").text
        for field in VEHICLE_FIELDS:
            [(tag, attrs)] = [(t, a) for t, a in named(page, field.label) if t in ("label", "span")]
            control = next(a for t, a, _ in elements(page) if a.get("id") == f"v_{field.name}")
            if mk.by_id(field.label):
                assert tag == "span" and control["aria-labelledby"] == attrs["id"]
            else:
                assert tag == "label" and attrs["for"] == f"v_{field.name}"
        assert 'VIN <abbr title="obligatoire">*</abbr>' in page

        page = gw.post(f"/devis/{devis.numero}/offres", data={"action": "x"}).text
        assert ("article", {"class": "offer", "aria-label": OFFER}) in [(t, a) for t, a, _ in elements(page)]
        assert set(controls(page, "Sélectionner")) == {"a"}
        page = gw.post(f"/devis/{devis.numero}/offres", data={"offer": OFFER}).text
        assert controls(page, "Acheter maintenant") == ["a"]
        assert "<h3 id=\"buy-title\">Voulez-vous procéder à l'achat de la police maintenant?</h3>" in page

        page = gw.get("/recherche", params={"q": devis.vin}).text
        table = next(attrs for tag, attrs, _ in elements(page) if tag == "table")
        assert (table.get("role") == "grid") == mk.grid("recherche")
        headers = [said for tag, _, said in elements(page) if tag == "th"]
        assert headers == [c.header for c in mk.shown("recherche")]
        assert {"TYPE", "NUMÉRO", "STATUT", "COMPTE CLIENT", "VIN"} < set(headers)
        cells = [attrs.get("role") for tag, attrs, _ in elements(page) if tag == "td"]
        assert cells and set(cells) == {"gridcell" if mk.grid("recherche") else None}
        assert ("a", {"href": f"/devis/{devis.numero}"}) in named(page, devis.numero)

        rows = gw.get("/api/devis-ouverts").json()
        assert {"effet", "agence"} <= set(rows[0])  # the extra columns' values


def test_today_has_no_drift() -> None:
    sandbox = create_sandbox()
    account = sandbox.state.guidewire_account
    with TestClient(guidewire_app(sandbox)) as gw:
        gw.post("/login", data={"username": account.username, "password": account.password})
        page = gw.get("/recherche", params={"q": seed_devis(sandbox).vin}).text
        assert 'role="grid"' not in page and "<abbr" not in page and "gw-w1" not in page
        assert set(gw.get("/api/devis-ouverts").json()[0]) == {
            "cree", "produit", "numero", "href", "compte", "premium", "statut"}


# -- in Chromium: links that act as buttons still submit -----------------------------------
@pytest.fixture
def drifted(tmp_path: Path) -> Iterator[Sandbox]:
    with create_sandbox(tmp_path / "state.json", drift=Drift.parse("markup", seed=3)) as box:
        yield box


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(8_000)
    yield context.new_page()
    context.close()


def control(scope: Page | Locator, name: str) -> Locator:
    return scope.get_by_role("button", name=name).or_(scope.get_by_role("link", name=name)).first


@pytest.mark.e2e
def test_drifted_pages_buy_by_role_and_name(page: Page, drifted: Sandbox) -> None:
    devis = seed_devis(drifted)
    account = drifted.state.guidewire_account
    page.goto(drifted.url("guidewire"))
    page.get_by_label("Nom d'utilisateur :").fill(account.username)
    page.get_by_label("Mot de passe :").fill(account.password)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_role("link", name=re.compile(r"^DEVIS OUVERTS\s*2$")).click()
    page.get_by_role("link", name=devis.numero, exact=True).click()
    control(page, "Continuer le devis").click()
    page.get_by_label(re.compile(r"^Date de livraison \*$")).fill("")
    control(page, "Suivant").click()
    expect(page.get_by_role("alert")).to_have_text("Date de livraison : Champ obligatoire")
    page.get_by_label(re.compile(r"^Date de livraison \*$")).fill("05/06/2030")
    control(page, "Suivant").click()
    expect(page.get_by_label(re.compile(r"^VIN \*$"))).to_have_value(devis.vin)
    control(page, "Suivant").click()
    control(page.get_by_role("article", name=OFFER, exact=True), "Sélectionner").click()
    control(page, "Acheter maintenant").click()
    page.get_by_role("dialog", name="Voulez-vous procéder à l'achat de la police maintenant?") \
        .get_by_role("button", name="Oui").click()
    expect(page.get_by_text(re.compile(r"^Paiement effectué \(Police \d+\)$"))).to_be_visible()
    assert len(drifted.state.purchases) == 1
