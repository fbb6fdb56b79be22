"""Planet VO page objects (rpa/pages/planetvo) driven in real Chromium against the sandbox.

Every public method of every Planet VO page object is exercised here: sign-in (and its
refusal), the menu, Paramétrage and its `Modifier une localisation` dialog, the BDC list
(search, pagination, `Exporter`), the BDC form, Gestion Véhicules and `Garantir`.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Locator, Page, expect
from pydantic import SecretStr

from rpa.config import Settings
from rpa.core.errors import BusinessError, UsageError
from rpa.pages.planetvo import (
    BdcFormPage,
    BdcListPage,
    GarantisseurDialog,
    HomePage,
    LocalisationDialog,
    ParametragePage,
    VehiclePage,
    VehicleSearchPage,
    open_planetvo,
)
from rpa.sandbox.seed import extra_bdcs
from rpa.sandbox.server import Sandbox
from rpa.sandbox.state import fr_date
from rpa.sheets.queue import EXPORT_COLUMNS, read_queue

pytestmark = pytest.mark.e2e

WRONG_PASSWORD = "Identifiant ou mot de passe incorrect"


# -- shared navigation ---------------------------------------------------------------------
def home(page: Page, settings: Settings) -> HomePage:
    return open_planetvo(page, settings.planetvo)


def bdc_list(page: Page, settings: Settings) -> BdcListPage:
    return home(page, settings).open_bons_de_commande()


def vehicles(page: Page, settings: Settings) -> VehicleSearchPage:
    return home(page, settings).open_gestion_vehicules()


def garantir(page: Page, settings: Settings, police: str) -> GarantisseurDialog:
    vehicle = vehicles(page, settings).open_vehicle(police)
    assert isinstance(vehicle, VehiclePage)
    return vehicle.garantir()


def login_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Se connecter")


# -- sign-in -------------------------------------------------------------------------------
def test_open_planetvo_signs_in_once_and_reuses_the_session(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    first = home(page, settings)
    assert isinstance(first, HomePage)
    expect(first.landmark()).to_be_visible()
    expect(login_button(page)).to_have_count(0)
    assert len(sandbox.sessions["planetvo"].data) == 1

    again = home(page, settings)  # already signed in: straight to home, no login form
    assert isinstance(again, HomePage)
    expect(again.menu_link("Gestion Véhicules")).to_be_visible()
    expect(login_button(page)).to_have_count(0)
    assert len(sandbox.sessions["planetvo"].data) == 1


def test_wrong_password_is_a_usage_error(page: Page, settings: Settings, sandbox: Sandbox) -> None:
    wrong = settings.planetvo.model_copy(update={"password": SecretStr("pas-le-bon")})
    with pytest.raises(UsageError, match=WRONG_PASSWORD):
        open_planetvo(page, wrong)
    expect(page.get_by_role("alert")).to_contain_text(WRONG_PASSWORD)
    assert not sandbox.sessions["planetvo"].data


# -- Paramétrage ---------------------------------------------------------------------------
def test_parametrage_sites_and_code_rrd1(page: Page, settings: Settings, sandbox: Sandbox) -> None:
    parametrage = home(page, settings).open_parametrage()
    assert isinstance(parametrage, ParametragePage)
    sites = parametrage.sites()
    assert [(s["ID"], s["Code"], s["Libellé"]) for s in sites] == [
        (str(s.id), s.code, s.libelle) for s in sandbox.state.sites
    ]

    dialog = parametrage.open_site("DEMO CDDS SPOTICAR")
    assert isinstance(dialog, LocalisationDialog)
    expect(dialog.dialog).to_be_visible()
    assert dialog.code_rrd1() == "FR10350"
    assert dialog.value("Code") == "PE64"
    assert dialog.value("Libellé") == "DEMO CDDS SPOTICAR"
    back = dialog.close()
    assert back is parametrage
    expect(dialog.dialog).to_be_hidden()

    chartres = parametrage.open_site("CHARTRES")
    assert chartres.code_rrd1() == ""
    assert chartres.value("Code") == "FO28"
    chartres.close()
    expect(page.get_by_role("dialog")).to_have_count(0)


# -- Bon de commande -----------------------------------------------------------------------
def test_search_by_accented_statut_matches_unaccented_rows(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    listing = bdc_list(page, settings).search(statut="Clôturé")
    assert isinstance(listing, BdcListPage)
    rows = listing.records()
    closed = sorted(b.numero for b in sandbox.state.bdcs if b.statut == "Cloturé")
    assert sorted(r["N°"] for r in rows) == closed
    assert {r["Statut"] for r in rows} == {"Cloturé"}
    assert set(EXPORT_COLUMNS) <= set(rows[0])
    expect(listing.footer()).to_contain_text(f"sur {len(closed)}")

    by_vehicle = listing.search(statut="", **{"vo vendu": "VINCE08"}).records()
    assert [(r["N°"], r["Statut"], r["Vo Vendu"]) for r in by_vehicle] == [("74613", "En cours", "VINCE08")]


def test_pagination_records_and_all_records(page: Page, settings: Settings, sandbox: Sandbox) -> None:
    extra_bdcs(sandbox.state, 40)  # before the first screen: 55 BDCs, three pages of 25
    total = len(sandbox.state.bdcs)
    listing = bdc_list(page, settings)
    first_page = listing.records()
    assert len(first_page) == 25
    expect(listing.footer()).to_contain_text(f"1 a 25 sur {total}")

    everything = listing.all_records()
    numeros = [r["N°"] for r in everything]
    assert len(numeros) == total
    assert sorted(numeros) == sorted(b.numero for b in sandbox.state.bdcs)
    assert numeros[:25] == [r["N°"] for r in first_page]
    expect(page.get_by_role("link", name="Page suivante")).to_have_count(0)


def test_export_gives_the_exporter_columns_and_a_readable_queue(
    page: Page, settings: Settings, sandbox: Sandbox, tmp_path: Path
) -> None:
    listing = bdc_list(page, settings).search(statut="Cloturé")
    target = listing.export(tmp_path / "out" / "export.xlsx")
    assert target.exists()

    book = openpyxl.load_workbook(target, read_only=True)
    try:
        first_row = next(book.worksheets[0].iter_rows(max_row=1, values_only=True))
    finally:
        book.close()
    assert tuple(first_row) == EXPORT_COLUMNS

    items = read_queue(target)
    closed = {b.numero: b.vo_vendu for b in sandbox.state.bdcs if b.statut == "Cloturé"}
    assert {i.bdc: i.vo_vendu for i in items} == closed
    assert {i.statut for i in items} == {"Cloturé"}


def test_open_bdc_reads_garantie_and_delivery_date(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    listing = bdc_list(page, settings)
    form = listing.open_bdc("74602")
    assert isinstance(form, BdcFormPage)
    bdc = sandbox.state.bdc("74602")
    assert bdc is not None
    assert form.garantie() == "Spoticar Premium 24 mois"
    assert form.date_livraison() == fr_date(bdc.date_livraison)
    assert form.value("Acheteur", "Nom") == bdc.nom  # `Nom`, never `Prénom`
    assert form.value("Acheteur", "Prénom") == bdc.prenom

    listing = form.close()
    assert isinstance(listing, BdcListPage)
    expect(listing.table().wait().locator).to_be_visible()

    open_sale = listing.open_bdc("74613")  # still `En cours`: no delivery date yet
    assert open_sale.date_livraison() == ""
    no_garantie = open_sale.close().open_bdc("74615")
    assert no_garantie.garantie() == ""


# -- Gestion Véhicules ---------------------------------------------------------------------
def test_vehicle_search_by_immat_vin_and_no_match(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    search = vehicles(page, settings)
    by_immat = search.search(immat="EG-702-HQ")
    assert [(r["N° Police"], r["Immat."], r["VIN"]) for r in by_immat] == [
        ("59716", "EG-702-HQ", "VF3CCHMZ6JT059716")
    ]
    assert by_immat[0]["Site"] == "DEMO CDDS SPOTICAR"

    by_vin = search.search(vin="VF3UPHNS9KS071302")
    assert [r["N° Police"] for r in by_vin] == ["VINCE02"]
    assert by_vin[0]["Site"] == "CHARTRES"

    assert search.search(vin="ZZZZZZZZZZZZZZZZZ") == []


def test_open_unknown_vehicle_is_a_business_error(page: Page, settings: Settings) -> None:
    with pytest.raises(BusinessError, match="99999"):
        vehicles(page, settings).open_vehicle("99999")


def test_garantir_opens_the_reseauxconnect_popup(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    dialog = garantir(page, settings, "59716")
    expect(dialog.dialog).to_be_visible()
    popup = dialog.declare(settings.planetvo.garantisseur, "865268J", "secret-rc")
    assert popup is not page
    assert popup.url.startswith(sandbox.url("reseauxconnect"))
    expect(popup.get_by_role("heading", name="PROFIL")).to_be_visible()
    assert len(sandbox.sessions["reseauxconnect"].data) == 1
    popup.close()


@pytest.mark.parametrize(
    ("police", "words"),
    [
        ("VINCE08", "Le bon de commande doit être clôturé avant de garantir le véhicule"),
        ("VINCE02", "Code RRD1 SPOTICAR manquant pour le site CHARTRES"),
    ],
)
def test_garantir_refusal_is_a_business_error_in_planetvo_words(
    page: Page, settings: Settings, sandbox: Sandbox, police: str, words: str
) -> None:
    dialog = garantir(page, settings, police)
    with pytest.raises(BusinessError, match=re.escape(words)):
        dialog.declare(settings.planetvo.garantisseur)
    expect(dialog.dialog.get_by_role("alert")).to_contain_text(words)
    assert len(page.context.pages) == 1  # no popup
    assert not sandbox.handoffs
