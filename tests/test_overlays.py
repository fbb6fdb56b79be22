"""What stands between the bot and a screen: the overlays it is told to close (a cookie-consent
dialog, `RPA_BROWSER__DISMISS`), the ones it must never close (anything else), and the text
a page shows that is not an answer to anything (a maintenance notice on every page)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from rpa.browser.launch import new_context
from rpa.config import BrowserSettings, RetrySettings, Settings
from rpa.core.errors import PageMismatch
from rpa.flows.demo import sandbox_settings
from rpa.pages.planetvo import open_planetvo
from rpa.sandbox.drift import Drift
from rpa.sandbox.server import Sandbox, create_sandbox

pytestmark = pytest.mark.e2e

SURVEY = """() => {
  const box = document.createElement('div');
  box.setAttribute('role', 'dialog');
  box.setAttribute('aria-modal', 'true');
  box.setAttribute('aria-label', 'Enquête de satisfaction');
  box.style.cssText = 'position:fixed;inset:0;background:#fff;z-index:99999';
  box.innerHTML = '<h2>Enquête de satisfaction</h2><p>Votre avis compte !</p><button>Répondre</button>';
  document.body.appendChild(box);
}"""


def consent_has_come(page: Page) -> None:
    """The consent dialog comes a moment after the page: a fast browser may be done before.
    Wait for it (shown, or already answered) so that the next action meets it."""
    page.wait_for_function("() => { const box = document.getElementById('rpa-consent');"
                           " return !box || box.style.display === 'flex'; }")


@pytest.fixture
def drifting(tmp_path: Path) -> Iterator[Sandbox]:
    # Seed 8: Planet VO's consent dialog shows a moment after the page, and its notice is an alert.
    with create_sandbox(tmp_path / "state.json", drift=Drift.parse("cookies,notice", seed=8)) as box:
        yield box


@pytest.fixture
def drifted_settings(drifting: Sandbox, tmp_path: Path) -> Settings:
    base = Settings(_env_file=None, browser=BrowserSettings(timeout_ms=4_000),  # type: ignore[call-arg]
                    retry=RetrySettings(attempts=1))
    return sandbox_settings(base, drifting, tmp_path / "data")


@pytest.fixture
def bot_context(browser: Browser, drifted_settings: Settings) -> Iterator[BrowserContext]:
    context = new_context(browser, drifted_settings.browser)
    yield context
    context.close()


def test_the_seed_draws_what_these_tests_rely_on(drifting: Sandbox) -> None:
    assert drifting.drift.consent_delay_ms("planetvo") > 0
    assert drifting.drift.notice_role("planetvo") == "alert"


def test_the_consent_dialog_is_closed_with_the_configured_button_and_the_notice_is_not_trouble(
    bot_context: BrowserContext, drifted_settings: Settings
) -> None:
    page = bot_context.new_page()
    home = open_planetvo(page, drifted_settings.planetvo)
    # The notice is an alert that says "momentanément indisponible": information all the same.
    expect(page.get_by_role("alert").filter(has_text="Maintenance programmée")).to_be_visible()
    consent_has_come(page)
    sites = home.open_parametrage().sites()
    assert sites
    consent = {c["name"]: c["value"] for c in bot_context.cookies()}
    assert consent.get("cookies_consent_planetvo") == "refuse"  # `Tout refuser`, as configured
    expect(page.get_by_role("dialog", name="Gestion des cookies")).to_have_count(0)


def test_an_unknown_dialog_in_the_way_is_never_clicked_away(
    bot_context: BrowserContext, drifted_settings: Settings
) -> None:
    page = bot_context.new_page()
    home = open_planetvo(page, drifted_settings.planetvo)
    consent_has_come(page)
    parametrage = home.open_parametrage()  # consent answered
    page.evaluate(SURVEY)
    with pytest.raises(PageMismatch, match=re.escape("Enquête de satisfaction")):
        parametrage.open_bons_de_commande()
    expect(page.get_by_role("dialog", name="Enquête de satisfaction")).to_be_visible()  # left alone


def test_nothing_is_dismissed_when_the_settings_name_nothing(
    browser: Browser, drifted_settings: Settings
) -> None:
    context = new_context(browser, drifted_settings.browser.model_copy(update={"dismiss": {}}))
    try:
        page = context.new_page()
        consent = page.get_by_role("dialog", name="Gestion des cookies")
        with pytest.raises(PageMismatch, match="Gestion des cookies"):  # signing in, or just after
            home = open_planetvo(page, drifted_settings.planetvo)
            consent_has_come(page)  # it comes a moment after each page until answered
            home.open_parametrage()
        expect(consent).to_be_visible()
    finally:
        context.close()
