"""Re-make `planetvo-parametrage.har` from the bundled sandbox, the way `rpa record` captures
a real portal: sign in, Paramétrage, open the site's dialog; then clean the secrets out.

    .venv/bin/python recordings/capture_sandbox.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from rpa.browser.launch import launch
from rpa.browser.recordings import clean_har
from rpa.config import BrowserSettings, Settings
from rpa.flows.demo import sandbox_settings
from rpa.pages.planetvo import open_planetvo
from rpa.sandbox.server import create_sandbox

HERE = Path(__file__).parent
HAR = HERE / "planetvo-parametrage.har"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, create_sandbox(Path(tmp) / "state.json") as box:
        settings = sandbox_settings(Settings(_env_file=None), box, Path(tmp))  # type: ignore[call-arg]
        with sync_playwright() as playwright:
            browser = launch(playwright, BrowserSettings())
            context = browser.new_context(record_har_path=str(HAR), record_har_content="embed")
            page = context.new_page()
            dialog = open_planetvo(page, settings.planetvo).open_parametrage().open_site("DEMO CDDS SPOTICAR")
            print("Code RRD1 :", dialog.code_rrd1())
            dialog.close()
            context.close()
            browser.close()
        print("nettoyé :", clean_har(HAR, [settings.planetvo.password.get_secret_value()]))


if __name__ == "__main__":
    main()
