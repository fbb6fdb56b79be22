"""`rpa serve` over a real run, in real Chromium: what the person checking the night does.

A run of two vehicles against the sandbox (one bought, one refused for a site without a
Code RRD1) is shown by the console started as an operator starts it; the failure's screen
and Playwright trace are opened from the page, the vehicle is rerun from the page once the
sandbox's data is fixed, and a night is refused while another holds the lock.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from rpa.config import Settings, TracePolicy
from rpa.core.lock import exclusive
from rpa.flows.nightly import NIGHT, night_lock
from rpa.sandbox.server import Sandbox
from tests.clirun import env_for, rpa
from tests.serving import rpa_serve
from tests.workbooks import write_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def night(sandbox: Sandbox, settings: Settings, tmp_path: Path) -> Settings:
    """The run the console shows, made as an operator makes it (the browser fixture's
    Playwright leaves no room for the bot's own in this process): 59716 bought, VINCE02
    (sold by CHARTRES, a site without Code RRD1) refused; failures keep their trace."""
    write_rows(tmp_path / "queue.xlsx", [
        ["N°", "Statut", "Acheteur", "Vo Vendu", "Site VO Vendu"],
        ["74601", "Cloturé", "DUPONT", "59716", "DEMO CDDS SPOTICAR"],
        ["74610", "Cloturé", "LEROY", "VINCE02", "CHARTRES"],
    ])
    traced = settings.model_copy(update={"trace": TracePolicy.ON_FAILURE})
    done = rpa("warranty", "--queue", "queue.xlsx", env=env_for(traced), cwd=tmp_path)
    assert done.returncode == 1 and "terminé : 1, échec : 1" in done.stdout, done.stdout + done.stderr
    return traced


@pytest.fixture
def console(night: Settings, tmp_path: Path) -> Iterator[str]:
    with rpa_serve(env_for(night), tmp_path) as base:
        yield base


class Bodies:
    """Every page and file the console gave the browser, fetched again at the end (a page
    navigated away from keeps no body), to look for a password in."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.urls: dict[str, None] = {}
        page.on("response", lambda r: self.urls.setdefault(r.url) if r.request.method == "GET" else None)

    def texts(self) -> Iterator[tuple[str, bytes]]:
        for url in self.urls:
            if "/trace-viewer/" in url or "/static/" in url:
                continue  # Playwright's viewer and the console's own style and script
            body = self.page.request.get(url).body()
            if body[:2] == b"PK" and url.endswith(".zip"):  # a trace: every member, uncompressed
                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    for name in archive.namelist():
                        yield f"{url}!{name}", archive.read(name)
            else:
                yield url, body


def test_the_morning_the_failed_vehicle_seen_traced_fixed_and_rerun(
    console: str, night: Settings, sandbox: Sandbox, browser: Browser, tmp_path: Path,
) -> None:
    context = browser.new_context()
    page = context.new_page()
    bodies = Bodies(page)
    page.goto(console)
    expect(page.get_by_role("heading", name="Runs")).to_be_visible()
    run_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=re.compile(r"^\d{8}-")))
    expect(run_row).to_have_count(1)
    expect(run_row).to_contain_text("warranty")
    run_row.get_by_role("link").click()

    # The run: each vehicle with its stage, result, failure kind and the portal's words.
    failed = page.get_by_role("row").filter(has_text="VINCE02")
    expect(failed).to_contain_text("échec")
    expect(failed).to_contain_text("métier")
    expect(failed).to_contain_text("RRD1")
    expect(page.get_by_role("row").filter(has_text="59716")).to_contain_text("terminé")
    pdf = page.get_by_role("row").filter(has_text="59716").get_by_role("link", name="PDF")
    assert pdf.evaluate("a => fetch(a.href).then(r => r.headers.get('content-type'))") == "application/pdf"
    for name in ("Classeur des résultats", "Rapport HTML"):
        expect(page.get_by_role("link", name=name)).to_be_visible()

    # The failed vehicle: its screen at the point of failure, its trace in Playwright's viewer.
    failed.get_by_role("link", name="VINCE02").click()
    shot = page.get_by_role("img", name="Écran de VINCE02 au moment de l'échec")
    expect(shot).to_be_visible()
    assert shot.evaluate("img => img.complete && img.naturalWidth") > 100
    bodies.urls.setdefault(console + str(page.get_by_role("link", name="télécharger la trace").get_attribute("href")))
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Ouvrir la trace Playwright").click()
    viewer = opened.value
    expect(viewer.get_by_text("Planet VO : prérequis").first).to_be_visible(timeout=20_000)
    viewer.close()

    # A business failure is not rerun until someone says the data was fixed.
    page.get_by_role("button", name="Relancer VINCE02").click()
    expect(page.get_by_role("alert")).to_contain_text("confirmez que les données ont été corrigées")
    chartres = sandbox.state.site_by_libelle("CHARTRES")
    assert chartres is not None
    chartres.rrd1 = "FR10999"  # someone fixed it in Planet VO's Paramétrage
    bought = len(sandbox.state.purchases)
    page.get_by_role("checkbox", name=re.compile("Les données ont été corrigées")).check()
    page.get_by_role("button", name="Relancer VINCE02").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Run \d{8}-"))).to_be_visible()
    rerun = page.url
    expect(page.get_by_role("row").filter(has_text="VINCE02")).to_contain_text("terminé", timeout=120_000)
    assert page.url == rerun  # followed live, the page reloaded itself once the run ended
    assert len(sandbox.state.purchases) == bought + 1

    # The vehicle across runs: its ledger history, its policy.
    page.get_by_role("link", name="Véhicules").click()
    page.get_by_role("searchbox", name="Immatriculation, VIN, BDC ou Vo Vendu").fill("VINCE02")
    page.get_by_role("button", name="Chercher").click()
    vehicle = page.get_by_role("region", name="Véhicule VINCE02")
    expect(vehicle.get_by_role("row").filter(has_text="failed")).to_contain_text("RRD1")
    expect(vehicle.get_by_role("row").filter(has_text="done")).to_have_count(1)
    expect(vehicle.get_by_role("link", name="PDF de la police")).to_be_visible()

    # A night while another holds the lock: refused in `rpa nightly`'s own words.
    page.get_by_role("link", name="Runs").click()
    with exclusive(night_lock(night), NIGHT):
        page.get_by_role("button", name="Lancer une nuit maintenant").click()
        expect(page.get_by_role("alert")).to_contain_text("Un run nocturne est déjà en cours")
        said = page.get_by_role("alert").inner_text()
        command = rpa("nightly", env=env_for(night), cwd=tmp_path)
    assert command.returncode == 2
    assert said in command.stderr.replace("\n", " ") or said.split(" (pid")[0] in command.stderr

    # Every action, with who and when.
    page.get_by_role("link", name="Journal").click()
    journal = page.get_by_role("table")
    for action in ("relance refusée", "relance", "relance finie", "nuit refusée"):
        expect(journal.get_by_role("cell", name=action, exact=True).first).to_be_visible()

    secrets = [s.encode() for s in night.secret_values()]
    seen = list(bodies.texts())
    assert any(url.endswith(".zip!trace.trace") for url, _ in seen) and len(seen) > 10
    assert [url for url, body in seen for s in secrets if s in body] == []
    context.close()
