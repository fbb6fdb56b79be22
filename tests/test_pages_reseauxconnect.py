"""reseauxconnect page objects (rpa/pages/reseauxconnect) in real Chromium against the sandbox.

reseauxconnect is reached only through the Planet VO popup, so every test starts in Planet
VO: Gestion Véhicules → the vehicle → `Garantir` → `Valider`, and drives the popup window.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from rpa.config import Settings
from rpa.core.errors import BusinessError, PortalRefusal
from rpa.pages.planetvo import open_planetvo
from rpa.pages.reseauxconnect import (
    AccueilPage,
    DeclarationFormPage,
    DeclarerVentePage,
    ProfilPage,
    landing,
)
from rpa.sandbox.server import Sandbox

pytestmark = pytest.mark.e2e

STELLANTIS = "Garantie Stellantis Assurance"
ADDRESS_MISSING = [
    "Le champ adresse est obligatoire",
    "Le champ code postal est obligatoire",
    "Le champ ville est obligatoire",
]


# -- shared navigation ---------------------------------------------------------------------
def popup_for(page: Page, settings: Settings, police: str) -> Page:
    """Planet VO → Gestion Véhicules → `police` → Garantir → Valider: the popup window."""
    vehicle = open_planetvo(page, settings.planetvo).open_gestion_vehicules().open_vehicle(police)
    return vehicle.garantir().declare(settings.planetvo.garantisseur)


def declaration_form(page: Page, settings: Settings, sandbox: Sandbox, police: str) -> DeclarationFormPage:
    """The declaration form of `police`, Profil being already configured (not the first time)."""
    sandbox.state.profil_configured = True
    sandbox.state.garantisseurs = [STELLANTIS]
    screen = landing(popup_for(page, settings, police))
    assert isinstance(screen, DeclarerVentePage)
    return screen.choose(STELLANTIS)


def vin_of(sandbox: Sandbox, police: str) -> str:
    vehicle = sandbox.state.vehicle(police)
    assert vehicle is not None
    return vehicle.vin


# -- Profil and landing --------------------------------------------------------------------
def test_landing_is_profil_first_then_declarer_vente(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    first = popup_for(page, settings, "59716")
    screen = landing(first)
    assert isinstance(screen, ProfilPage)
    expect(first.get_by_text("veuillez configurer les garantisseurs")).to_be_visible()
    assert not sandbox.state.profil_configured

    declarer = screen.configure([STELLANTIS])
    assert isinstance(declarer, DeclarerVentePage)
    expect(first.get_by_role("heading", name="DECLARATION VENTE SPOTICAR")).to_be_visible()
    expect(first.get_by_role("radio", name=STELLANTIS)).to_be_visible()
    assert sandbox.state.profil_configured
    assert sandbox.state.garantisseurs == [STELLANTIS]
    first.close()

    second = popup_for(page, settings, "60226")
    again = landing(second)
    assert isinstance(again, DeclarerVentePage)
    expect(second.get_by_role("heading", name="PROFIL")).to_have_count(0)


def test_profil_refusal_is_a_business_error(page: Page, settings: Settings, sandbox: Sandbox) -> None:
    screen = landing(popup_for(page, settings, "59716"))
    assert isinstance(screen, ProfilPage)
    with pytest.raises(BusinessError, match="Le champ identifiant est obligatoire"):
        screen.configure(["Garantie Cirano"])  # `Identifiant *` required and left empty
    assert not sandbox.state.profil_configured


# -- the declaration form -------------------------------------------------------------------
def test_declare_creates_the_devis_and_accueil_lists_it(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    form = declaration_form(page, settings, sandbox, "59716")
    vin = vin_of(sandbox, "59716")
    reference = form.reference()
    assert re.fullmatch(r"SP[0-9A-Z]{8,}", reference)
    assert form.value("VIN") == vin
    assert form.value("Immatriculation") == "EG-702-HQ"
    assert (form.value("Nom"), form.value("Prenom")) == ("DUPONT", "Durant")  # `Nom` is in `Prenom`
    assert (form.value("Garantie"), form.value("Durée")) == ("SPOTICAR PREMIUM", "12 mois")
    assert form.has_field("Nom") and form.has_field("Km jour de la vente")
    assert not form.has_field("Numéro de sécurité sociale")
    declarations_before = len(sandbox.state.declarations)

    outcome = form.declare()
    assert outcome.devis and not outcome.already_declared
    created = sandbox.state.devis[-1]
    assert outcome.devis == created.numero and created.vin == vin
    assert f"La création a été effectuée avec succès (numéro devis : {outcome.devis})" in " ".join(outcome.messages)
    expect(form.page.get_by_role("heading", name="Bienvenue au garage")).to_be_visible()
    expect(form.page.get_by_text("La sauvegarde dans le centralisateur a été effectuée avec succès")).to_be_visible()
    assert len(sandbox.state.declarations) == declarations_before + 1
    assert sandbox.state.declarations[-1].reference == reference

    sandbox.latency_ms = 100  # the list arrives after the page, as on a real network
    accueil = form.open_accueil()
    assert isinstance(accueil, AccueilPage)
    rows = accueil.declarations()
    assert len(rows) == declarations_before + 1
    assert {"Immatriculation": "EG-702-HQ", "VIN": vin, "Numéro devis": outcome.devis}.items() <= rows[0].items()
    assert accueil.devis_for_vin(vin.lower()) == outcome.devis
    assert accueil.devis_for_vin("VF3ZZZZZZZZZZZZZZ") is None


def test_missing_required_fields_are_reported_and_highlighted(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    form = declaration_form(page, settings, sandbox, "VINCE05")
    devis_before = len(sandbox.state.devis)
    with pytest.raises(PortalRefusal) as refused:
        form.declare()
    assert refused.value.message == " ; ".join(ADDRESS_MISSING)  # the portal's words, line by line
    for label in ("Adresse", "Code Postal", "Ville"):
        expect(form.control(label)).to_have_attribute("aria-invalid", "true")
    expect(form.control("Nom")).not_to_have_attribute("aria-invalid", "true")
    assert len(sandbox.state.devis) == devis_before

    for label, value in (("Adresse", "3 RUE DU TEST"), ("Code Postal", "64000"), ("Ville", "PAU")):
        assert form.value(label) == ""
        form.fill(label, value)
    answer = form.declare()
    assert answer.devis
    assert sandbox.state.declarations[-1].fields["Adresse*"] == "3 RUE DU TEST"
    assert sandbox.state.devis[-1].numero == answer.devis


def test_already_declared_vehicle_gives_its_devis_and_creates_nothing(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    form = declaration_form(page, settings, sandbox, "001003972")
    counts = (len(sandbox.state.declarations), len(sandbox.state.devis))
    outcome = form.declare()
    assert outcome.already_declared
    assert outcome.devis == "0001006185"
    assert any("Ce véhicule a déjà été déclaré" in m for m in outcome.messages)
    assert (len(sandbox.state.declarations), len(sandbox.state.devis)) == counts

    sandbox.latency_ms = 100
    accueil = form.open_accueil()
    assert len(accueil.declarations()) == counts[0]
    assert accueil.devis_for_vin(vin_of(sandbox, "001003972")) == "0001006185"


def test_fill_matches_options_loosely_and_refuses_absent_ones(
    page: Page, settings: Settings, sandbox: Sandbox
) -> None:
    form = declaration_form(page, settings, sandbox, "60226")
    declared = len(sandbox.state.declarations)
    form.fill("Civilité", "madame")
    assert form.value("Civilité") == "Madame"
    form.fill("Energie", "électrique")
    assert form.value("Energie") == "ELECTRIQUE"
    form.fill("Email", "claire@example.fr")
    assert form.value("Email") == "claire@example.fr"
    form.fill("4x4", "Oui")
    assert form.value("4x4") == "Oui"

    with pytest.raises(BusinessError, match="48 mois"):
        form.fill("Durée", "48 mois")
    assert form.value("Durée") == "24 mois"
    assert len(sandbox.state.declarations) == declared  # filling declares nothing
