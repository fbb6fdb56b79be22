"""The drifted portals in real Chromium (`--drift all`): every key name of PORTALS.md is still
reachable by role and accessible name, whatever the release drew (links for buttons, grids for
tables, labels by `aria-labelledby`, headings as divs), and a failure shows in the page.

Seed 19 draws, for each portal, most of what `markup` can change (see the asserts on the
releases), so these tests go through it rather than around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from rpa.sandbox.drift import INLINE_ERRORS, Drift
from rpa.sandbox.faults import Faults
from rpa.sandbox.planetvo.release import planetvo_release
from rpa.sandbox.reseauxconnect.release import centralisateur_release
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.traqueur.release import extranet_release
from rpa.sandbox.traqueur.seed import sixt_vehicles
from rpa.sandbox.traqueur.upload import EXPECTED_HEADER

pytestmark = pytest.mark.e2e

SEED = 19
POLICE = "60226"  # BDC 74602, closed, site DEMO CDDS SPOTICAR (Code RRD1 FR10350)
INLINE_ERROR_RE = re.compile("|".join(re.escape(m) for m in INLINE_ERRORS))


@pytest.fixture
def drifted(tmp_path: Path) -> Iterator[Sandbox]:
    with create_sandbox(tmp_path / "state.json", drift=Drift.parse("all", SEED)) as box:
        yield box


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page of a fresh browser context; no script of the drifted portals may fail in it."""
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(10_000)
    failures: list[str] = []
    context.on("page", lambda opened: opened.on("pageerror", lambda e: failures.append(str(e))))
    yield context.new_page()
    context.close()
    assert failures == []


def action(scope: Page | Locator, name: str) -> Locator:
    """A button, or the link a release drew instead."""
    return scope.get_by_role("button", name=name, exact=True).or_(
        scope.get_by_role("link", name=name, exact=True)).first


def cell(scope: Page | Locator, name: str) -> Locator:
    """A table cell, or a grid's."""
    return scope.get_by_role("cell", name=name, exact=True).or_(
        scope.get_by_role("gridcell", name=name, exact=True)).first


def refuse_cookies(page: Page) -> None:
    """The consent dialog shows a moment after a portal's first page."""
    page.get_by_role("dialog", name="Gestion des cookies").get_by_role("button", name="Tout refuser").click()


def planetvo_home(page: Page, box: Sandbox) -> None:
    page.goto(box.url("planetvo"))
    refuse_cookies(page)
    account = box.state.planetvo_account
    page.get_by_label("Identifiant").fill(account.username)
    page.get_by_label("Mot de passe").fill(account.password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Accueil")).to_be_visible()


def open_vehicle(page: Page) -> None:
    page.get_by_role("link", name="Gestion Véhicules").click()
    page.get_by_label("N° Police").fill(POLICE)
    action(page, "Rechercher").click()
    cell(page, POLICE).click()
    expect(page.get_by_role("heading", name="Modifier véhicule")).to_be_visible()


def test_planetvo_names_are_reachable_in_the_next_release(page: Page, drifted: Sandbox) -> None:
    release = planetvo_release(drifted.drift)
    assert {"Rechercher", "Modifier", "Garantir", "Valider", "Fermer"} <= release.links
    assert "bdc" in release.grids and "site" in release.labelledby and 2 in release.div_headings
    planetvo_home(page, drifted)

    page.get_by_role("link", name="Bon de commande").click()
    expect(page.get_by_role("link", name="Rechercher")).to_be_visible()
    grid = page.get_by_role("grid", name="Liste des Bons de commande")
    expect(grid.get_by_role("columnheader", name="Vo Vendu", exact=True)).to_be_visible()
    expect(grid.get_by_role("columnheader", name="Agence", exact=True)).to_be_visible()
    expect(page.get_by_text("Bons de commande: 1 a 15 sur 15")).to_be_visible()
    cell(grid, "74602").click()
    action(page, "Modifier").click()
    vente = page.get_by_role("group", name="Vente")
    expect(vente.get_by_label("Garantie", exact=True)).to_have_value("Spoticar Premium 24 mois")
    action(page, "Enregistrer").click()  # a link, in this release, that submits with its value
    expect(page.get_by_role("status")).to_have_text("Bon de commande enregistré")
    action(page, "Fermer").click()
    expect(grid.get_by_role("columnheader", name="Site VO Vendu", exact=True)).to_be_visible()

    page.get_by_role("link", name="Paramétrage").click()
    cell(page, "DEMO CDDS SPOTICAR").click()
    dialog = page.get_by_role("dialog", name="Modifier une localisation")
    expect(dialog.get_by_role("heading", name="Modifier une localisation")).to_be_visible()
    expect(dialog.get_by_label("Code RRD1")).to_have_value("FR10350")
    action(dialog, "Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Localisation enregistrée")
    cell(page, "DEMO CDDS SPOTICAR").click()
    action(dialog, "Fermer").click()
    expect(dialog).to_be_hidden()

    open_vehicle(page)
    drifted.faults = Faults(error_rate=1.0, kinds=("http-503",))  # the late dialog fails
    action(page, "Garantir").click()
    failure = page.get_by_role("alert").filter(has_text="Erreur technique")  # not the notice
    expect(failure).to_have_text("Erreur technique (503). Veuillez réessayer.")
    drifted.faults = Faults()
    action(page, "Garantir").click()
    dialog = page.get_by_role("dialog", name="Information garantisseur")
    dialog.get_by_label("Garantisseur :").select_option(label="Déclaration SPOTICAR (stellantis)")
    expect(action(dialog, "Valider")).to_be_visible()
    action(dialog, "Fermer").click()
    expect(dialog).to_be_hidden()

    drifted.faults = Faults(error_rate=1.0, kinds=("http-500",))  # a page fails: 200, in the layout
    page.get_by_role("link", name="Accueil").click()
    expect(page.get_by_text(INLINE_ERROR_RE)).to_be_visible()
    expect(page.get_by_role("link", name="Paramétrage")).to_be_visible()
    assert drifted.faults.injected["http-500"] == 1


def test_reseauxconnect_names_and_validation_in_the_next_release(page: Page, drifted: Sandbox) -> None:
    release = centralisateur_release(drifted.drift)
    assert {"Modifier", "Page Suivante", "Déclarer et Garantir"} <= release.links
    assert "declarations" in release.grids and "formulaire" in release.labelledby
    planetvo_home(page, drifted)
    open_vehicle(page)
    action(page, "Garantir").click()
    dialog = page.get_by_role("dialog", name="Information garantisseur")
    dialog.get_by_label("Garantisseur :").select_option(label="Déclaration SPOTICAR (stellantis)")
    with page.expect_popup() as opened:
        action(dialog, "Valider").click()
    popup = opened.value
    refuse_cookies(popup)  # each portal asks on its first visit (its own cookie, port and all)

    expect(popup.get_by_role("heading", name="PROFIL")).to_be_visible()
    popup.get_by_role("checkbox", name="Garantie Stellantis Assurance").check()
    action(popup, "Modifier").click()
    popup.get_by_role("radio", name="Garantie Stellantis Assurance").check()
    action(popup, "Page Suivante").click()
    immatriculation = popup.get_by_label("Immatriculation*", exact=True)
    plate = immatriculation.input_value()
    immatriculation.fill("")
    action(popup, "Déclarer et Garantir").click()
    refusal = popup.get_by_role("alert").filter(has_text="Le champ")  # not the notice
    expect(refusal).to_have_text("Le champ immatriculation est obligatoire")
    immatriculation = popup.get_by_label("Immatriculation*", exact=True)
    expect(immatriculation).to_have_attribute("aria-invalid", "true")
    expect(popup.get_by_label("Type véhicule*", exact=True)).not_to_have_attribute("aria-invalid", "true")

    immatriculation.fill(plate)
    action(popup, "Déclarer et Garantir").click()
    expect(popup.get_by_role("heading", name="Bienvenue au garage")).to_be_visible()
    expect(popup.get_by_role("link", name="Accéder à GuideWire")).to_be_visible()

    popup.get_by_role("link", name="Accueil", exact=True).click()
    grid = popup.get_by_role("grid", name="Déclarations de vente")
    expect(grid.get_by_role("columnheader", name="Numéro devis", exact=True)).to_be_visible()
    vehicle = drifted.state.vehicle(POLICE)
    assert vehicle is not None
    declared = grid.get_by_role("row").filter(has=cell(popup, vehicle.vin))
    expect(cell(declared, drifted.state.devis[-1].numero)).to_be_visible()


def request_file(folder: Path, box: Sandbox) -> Path:
    vehicle = sixt_vehicles(box.state.traqueur)[0]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(EXPECTED_HEADER))
    sheet.append([vehicle.vin, vehicle.abonnement, "EK004", "Chambery", "30/07/2030", "clés à l'accueil"])
    path = folder / "deposes.xlsx"
    book.save(path)
    return path


def sign_in_traqueur(page: Page, email: str, password: str) -> None:
    page.get_by_label("Adresse email :").fill(email)
    page.get_by_label("Mot de passe :").fill(password)
    page.get_by_role("button", name="ACCÉDER À MON COMPTE").click()


def test_extranet_names_are_reachable_in_the_next_release(
    page: Page, drifted: Sandbox, tmp_path: Path
) -> None:
    release = extranet_release(drifted.drift)
    assert {"OK", "CONFIRMER", "Fermer", "Statut", "Accepter la demande"} <= release.links
    assert {"review", "deposeur"} <= release.grids and release.abbr
    page.goto(drifted.url("traqueur"))
    refuse_cookies(page)
    sign_in_traqueur(page, "flotte@sixt.example", "Sixt-Depose-2024")
    expect(page.get_by_role("heading", name="MON COMPTE : SIXT SAS")).to_be_visible()
    page.get_by_role("link", name="Créer une nouvelle demande de dépose").click()
    page.get_by_label("Fichier :").set_input_files(request_file(tmp_path, drifted))
    action(page, "OK").click()

    review = page.get_by_role("grid").filter(has=page.get_by_role("columnheader", name="Code distributeur", exact=True))
    for column in ("VIN", "N° Abonnement", "Statut", "Commentaires"):
        expect(review.get_by_role("columnheader", name=column, exact=True)).to_be_visible()
    expect(cell(review, "Nouvelle")).to_be_visible()
    action(page, "CONFIRMER").click()
    expect(page.get_by_text("Votre demande a bien été enregistrée")).to_be_visible()
    page.get_by_role("link", name="ALLER À L'ACCUEIL").click()
    page.get_by_role("link", name="Gérer les demandes de déposes").click()
    page.get_by_role("link", name="#63", exact=True).click()
    action(page, "Prévenu").click()  # the first line still waiting: its status opens the dialog
    cancel = page.get_by_role("dialog", name=re.compile(r"^N° Abo "))
    expect(action(cancel, "Annuler la demande")).to_be_visible()
    action(cancel, "Fermer").click()
    expect(cancel).to_be_hidden()

    page.get_by_role("link", name="Déconnexion").click()
    sign_in_traqueur(page, "depose@tramosa.example", "Tramosa-EK004")
    page.get_by_role("link", name="Gérer les demandes de déposes").click()
    lines = page.get_by_role("grid").filter(has=page.get_by_role("columnheader", name="Emplacement déclaré", exact=True))
    vin = sixt_vehicles(drifted.state.traqueur)[0].vin
    row = lines.get_by_role("row").filter(has=cell(page, vin))
    action(row, "Prévenu").click()
    dialog = page.get_by_role("dialog", name=re.compile(r"^N° Abo "))
    action(dialog, "Refuser la demande").click()
    expect(dialog.get_by_label("Motif du refus *")).to_be_visible()
    action(dialog, "Fermer").click()
    action(row, "Prévenu").click()
    action(dialog, "Accepter la demande").click()
    expect(cell(lines.get_by_role("row").filter(has=cell(page, vin)), "Acceptée")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("est acceptée")
