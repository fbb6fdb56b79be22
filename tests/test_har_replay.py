"""A page object driven against a captured portal: the HAR in recordings/, no server at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pydantic import SecretStr

from rpa.browser.launch import new_context
from rpa.browser.recordings import REDACTED
from rpa.config import BrowserSettings, PlanetVoSettings
from rpa.pages.planetvo import open_planetvo

pytestmark = pytest.mark.e2e

HAR = Path(__file__).parent.parent / "recordings" / "planetvo-parametrage.har"


def recorded_base_url() -> str:
    entries = json.loads(HAR.read_text(encoding="utf-8"))["log"]["entries"]
    return str(entries[0]["request"]["url"])


def test_parametrage_page_objects_replay_from_har(browser: Browser) -> None:
    context = new_context(browser, BrowserSettings(timeout_ms=8_000))
    try:
        # Anything not in the capture is refused: the page objects only see the recording.
        context.route_from_har(str(HAR), not_found="abort")
        portal = PlanetVoSettings(url=recorded_base_url(), username="hakim.ab", password=SecretStr(REDACTED))
        parametrage = open_planetvo(context.new_page(), portal).open_parametrage()
        assert {"DEMO CDDS SPOTICAR", "CHARTRES"} <= {s["Libellé"] for s in parametrage.sites()}
        dialog = parametrage.open_site("DEMO CDDS SPOTICAR")
        assert dialog.code_rrd1() == "FR10350"
        dialog.close()
    finally:
        context.close()


def test_the_capture_holds_no_password_and_no_cookie() -> None:
    text = HAR.read_text(encoding="utf-8")
    assert "Jupiter-2021" not in text
    entries = json.loads(text)["log"]["entries"]
    names = {h["name"].lower() for e in entries for part in ("request", "response") for h in e[part]["headers"]}
    assert not names & {"cookie", "set-cookie", "authorization"}
