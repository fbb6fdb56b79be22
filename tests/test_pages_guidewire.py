"""GuideWire page objects (rpa/pages/guidewire) in real Chromium against the sandbox.

Sign-in and session expiry, the search box, `DEVIS OUVERTS`, the devis and its wizard up to
the purchase (and its refusals), then `Polices` → `ÉMISES RÉCEMMENT` → the policy, its
`DOCUMENTS` and the PDF download. The seed devis `0001006185` (vehicle `001003972`) is open
and buyable; the devis of `VINCE09` has expired.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from pydantic import SecretStr

from rpa.config import Settings
from rpa.core.errors import BusinessError, PortalRefusal, SessionExpired, UsageError
from rpa.pages.guidewire import (
    ConfirmationStep,
    ContratStep,
    DevisPage,
    GwHomePage,
    OffersStep,
    OpenDevisPage,
    PoliciesPage,
    PolicyInfoStep,
    PolicyPage,
    PurchaseDialog,
    RecentPoliciesPage,
    SearchResultsPage,
    VehiculesStep,
    open_guidewire,
)
from rpa.sandbox.server import Sandbox
from rpa.sandbox.state import fr_date, today

pytestmark = pytest.mark.e2e

SEED_DEVIS = "0001006185"
SEED_VIN = "VF3CCHMZ0DT003972"
OFFER = "GVO Premium 7 / 150"


# -- shared navigation ---------------------------------------------------------------------
def gw_home(page: Page, settings: Settings) -> GwHomePage:
    return open_guidewire(page, settings.guidewire)


def expired_devis(sandbox: Sandbox) -> str:
    vehicle = sandbox.state.vehicle("VINCE09")
    assert vehicle is not None
    return next(d.numero for d in sandbox.state.devis if d.vin == vehicle.vin)


def policy_info(page: Page, settings: Settings, numero: str) -> PolicyInfoStep:
    """Search the devis, `Continuer le devis`, walk `Contrat` and `Véhicules`, pick OFFER."""
    devis = gw_home(page, settings).search(numero).open_devis(numero)
    return devis.continue_devis().next().next().select(OFFER)


def login_shown(page: Page) -> Locator:
    return page.get_by_role("button", name="Connexion")


# -- sign-in and session ---------------------------------------------------------------------
def test_open_guidewire_signs_in_once(page: Page, settings: Settings, sandbox: Sandbox) -> None:
    home = gw_home(page, settings)
    assert isinstance(home, GwHomePage)
    expect(page.get_by_role("heading", name="Tableau de gestion")).to_be_visible()
    expect(login_shown(page)).to_have_count(0)
    sessions = dict(sandbox.sessions["guidewire"].data)
    assert len(sessions) == 1

    again = gw_home(page, settings)  # signed in already: no second login
    assert isinstance(again, GwHomePage)
    assert sandbox.sessions["guidewire"].data.keys() == sessions.keys()


def test_wrong_password_is_a_usage_error(page: Page, settings: Settings, sandbox: Sandbox) -> None:
    wrong = settings.guidewire.model_copy(update={"password": SecretStr("pas-le-bon")})
    with pytest.raises(UsageError, match="mot de passe incorrect"):
        open_guidewire(page, wrong)
    expect(login_shown(page)).to_be_visible()
    assert not sandbox.sessions["guidewire"].data


@pytest.mark.parametrize("knob", ["requests", "idle"])
def test_expired_session_is_reported_then_signed_in_again(
    page: Page, settings: Settings, sandbox: Sandbox, knob: str
) -> None:
    home = gw_home(page, settings)
    old_session = set(sandbox.sessions["guidewire"].data)
    if knob == "requests":
        sandbox.guidewire_expire_after_requests = 1  # the home page was the one request allowed
    else:
        sandbox.guidewire_idle_seconds = 0.0
    with pytest.raises(SessionExpired):
        home.open_devis_ouverts()
    expect(login_shown(page)).to_be_visible()

    sandbox.guidewire_idle_seconds = 900.0
    back = gw_home(page, settings)
    assert isinstance(back, GwHomePage)
    expect(login_shown(page)).to_have_count(0)
    new_session = set(sandbox.sessions["guidewire"].data)
    assert len(new_session) == 1 and new_session != old_session


# -- search and open devis -------------------------------------------------------------------
def test_search_by_vin_devis_number_and_no_result(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    home = gw_home(page, settings)
    by_vin = home.search(SEED_VIN)
    assert isinstance(by_vin, SearchResultsPage)
    rows = by_vin.records()
    assert [(r["TYPE"], r["NUMÉRO"], r["STATUT"], r["VIN"]) for r in rows] == [
        ("Devis", SEED_DEVIS, "Devis en ébauche", SEED_VIN)
    ]
    assert by_vin.devis() == rows and by_vin.policies() == []

    expired = expired_devis(sandbox)
    by_number = by_vin.search(expired)
    assert [(r["NUMÉRO"], r["STATUT"]) for r in by_number.devis()] == [(expired, "Expiré")]

    nothing = by_number.search("ZZ0000000000NOPE")
    assert nothing.records() == [] and nothing.devis() == [] and nothing.policies() == []
    expect(page.get_by_text("Aucun résultat")).to_be_visible()


def test_devis_ouverts_and_devis_page(page: Page, settings: Settings, sandbox: Sandbox) -> None:
    listing = gw_home(page, settings).open_devis_ouverts()
    assert isinstance(listing, OpenDevisPage)
    rows = listing.records()
    assert {r["NUMÉRO DE LA TRANSACTION"]: r["STATUT"] for r in rows} == {
        SEED_DEVIS: "Devis en ébauche", expired_devis(sandbox): "Expiré",
    }
    assert {r["PRODUIT"] for r in rows} == {"GVO France"}

    devis = listing.open_devis(SEED_DEVIS)
    assert isinstance(devis, DevisPage)
    assert devis.number() == SEED_DEVIS
    assert devis.status() == "Devis en ébauche"
    assert devis.can_continue()
    expect(page.get_by_text("Votre brouillon a été sauvegardé avec succès.")).to_be_visible()

    home = devis.home()
    assert isinstance(home, GwHomePage)
    expect(home.landmark()).to_contain_text("2")

    sandbox.state.devis.clear()  # no open devis at all: an empty list, not a placeholder row
    assert home.open_devis_ouverts().records() == []


# -- the wizard and the purchase -------------------------------------------------------------
def test_wizard_steps_cancel_then_buy(page: Page, settings: Settings, sandbox: Sandbox) -> None:
    devis = gw_home(page, settings).open_devis_ouverts().open_devis(SEED_DEVIS)
    seed = sandbox.state.devis_by_numero(SEED_DEVIS)
    assert seed is not None

    contrat = devis.continue_devis()
    assert isinstance(contrat, ContratStep)
    assert contrat.date_livraison() == fr_date(seed.date_livraison)

    vehicules = contrat.next()
    assert isinstance(vehicules, VehiculesStep)
    assert vehicules.vin() == SEED_VIN
    assert vehicules.value("Immatriculation") == "CZ-105-XR"
    assert vehicules.value("Type de véhicule") == "Véhicule Particulier (VP)"

    offers = vehicules.next()
    assert isinstance(offers, OffersStep)
    with pytest.raises(BusinessError, match="GVO Inexistante") as absent:
        offers.select("GVO Inexistante")
    assert OFFER in str(absent.value)  # the refusal names the offers shown
    info = offers.select(OFFER)
    assert isinstance(info, PolicyInfoStep)
    details = info.details()
    assert details["Type de produit"] == OFFER
    assert details["Prix total"] == "187,56 €"
    assert details["Date d'expiration du devis"] == fr_date(seed.expires)
    assert details["Date de livraison du véhicule"] == fr_date(seed.date_livraison)
    info.check_before_buying()  # nothing said against buying

    dialog = info.buy()
    assert isinstance(dialog, PurchaseDialog)
    expect(dialog.dialog).to_contain_text("Veuillez vérifier que toutes les données sont correctes")
    assert dialog.cancel() is info
    expect(dialog.dialog).to_be_hidden()
    assert sandbox.state.purchases == [] and sandbox.state.policies == []

    done = info.buy().confirm()
    assert isinstance(done, ConfirmationStep)
    assert done.police_number() == sandbox.state.policies[-1].numero
    assert [(p.devis, p.police) for p in sandbox.state.purchases] == [(SEED_DEVIS, done.police_number())]
    expect(page.get_by_text("La police a été souscrite avec succès")).to_be_visible()

    bought = gw_home(page, settings).search(SEED_DEVIS).open_devis(SEED_DEVIS)
    assert bought.status() == "Lié"
    assert not bought.can_continue()


def test_expired_devis_cannot_be_bought(page: Page, settings: Settings, sandbox: Sandbox) -> None:
    numero = expired_devis(sandbox)
    devis = gw_home(page, settings).search(numero).open_devis(numero)
    assert devis.status() == "Expiré"
    info = devis.continue_devis().next().next().select(OFFER)
    with pytest.raises(PortalRefusal) as refused:
        info.check_before_buying()
    assert refused.value.message == "Ce devis a expiré"
    with pytest.raises(PortalRefusal, match="Ce devis a expiré"):
        info.buy().confirm()  # the portal refuses it too
    assert sandbox.state.purchases == []


# -- policies and the PDF --------------------------------------------------------------------
def test_policy_documents_and_pdf_download(
    page: Page, settings: Settings, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.state.document_delay_seconds = 0
    assert gw_home(page, settings).open_polices().open_recent().records() == []  # none issued yet
    police = policy_info(page, settings, SEED_DEVIS).buy().confirm().police_number()

    polices = gw_home(page, settings).open_polices()
    assert isinstance(polices, PoliciesPage)
    recent = polices.open_recent()
    assert isinstance(recent, RecentPoliciesPage)
    assert [(r["NUMÉRO DE POLICE"], r["STATUT"], r["TYPE DE COUVERTURE"]) for r in recent.records()] == [
        (police, "En vigueur", OFFER)
    ]

    policy = recent.open_policy(police)
    assert isinstance(policy, PolicyPage)
    expect(page.get_by_role("heading", name=re.compile(rf"\({police}\)"))).to_be_visible()
    assert policy.document_count() == 1
    name = f"FR-865268J_Policy_{police}-{today():%Y%m%d}.pdf"
    assert policy.open_documents() == [name]
    download = policy.download(name, tmp_path / "dl")
    assert re.fullmatch(rf"FR-865268J_Policy_{police}-\d{{8}}\.pdf", download.suggested_name)
    assert download.suggested_name == name
    assert download.path.read_bytes().startswith(b"%PDF")

    # The document comes a little after the purchase: until then DOCUMENTS shows 0.
    sandbox.state.policies[-1].document_ready_at = dt.datetime.now() + dt.timedelta(hours=1)
    found = policy.search(police)
    assert [(r["TYPE"], r["NUMÉRO"]) for r in found.policies()] == [("Police", police)]
    later = found.open_policy(police)
    assert later.document_count() == 0
    assert later.open_documents() == []
