"""What the bot's Chromium leaves out to spend less CPU a screen, and what it must keep.

Headless, Debian's `chromium-headless-shell` is preferred when installed; `chromium` is the
fallback, and the policy PDF must download (never open in a viewer) on both. Images and web
fonts are neither fetched nor drawn unless `decoration` is asked for.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader

from rpa.browser.launch import browser_session, new_context
from rpa.config import HEADLESS_SHELL, BrowserSettings, Settings
from rpa.flows.run import run_warranty
from rpa.sandbox.server import Sandbox
from rpa.sheets.queue import WarrantyItem

PAGE = b"""<!doctype html><html><head><style>
@font-face { font-family: Marque; src: url(/marque.woff2); }
body { font-family: Marque, sans-serif; }
</style></head><body><h1>Bons de commande</h1><img src="/logo.png" alt="Spoticar"></body></html>"""


@pytest.fixture
def portal() -> Iterator[tuple[str, list[str]]]:
    """A page with a logo and a web font; the paths the browser asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  # http.server's name
            asked.append(self.path)
            body = PAGE if self.path == "/" else b""
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Type", "text/html" if self.path == "/" else "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("decoration", [False, True])
def test_images_and_fonts_are_fetched_only_when_asked_for(portal: tuple[str, list[str]], decoration: bool) -> None:
    url, asked = portal
    settings = BrowserSettings(decoration=decoration)
    with browser_session(settings) as browser:
        context = new_context(browser, settings)
        page = context.new_page()
        page.goto(url)
        page.get_by_role("heading", name="Bons de commande").wait_for()
        page.get_by_role("img", name="Spoticar").wait_for(state="attached")  # still there for a locator
        page.wait_for_load_state("load")  # the document and everything it would fetch, done
        context.close()
    fetched = {"/logo.png"} & set(asked)
    assert asked[0] == "/"
    assert fetched == ({"/logo.png"} if decoration else set()), asked
    if not decoration:
        assert "/marque.woff2" not in asked


def test_the_headless_shell_comes_first_when_installed() -> None:
    chosen = BrowserSettings().resolved_executable()
    if Path(HEADLESS_SHELL).is_file():
        assert chosen == HEADLESS_SHELL
    assert BrowserSettings(headless=False).resolved_executable() != HEADLESS_SHELL  # a window needs the browser
    assert BrowserSettings(executable_path=Path("/opt/chrome")).resolved_executable() == "/opt/chrome"


@pytest.mark.e2e
@pytest.mark.skipif(not Path(HEADLESS_SHELL).is_file() or shutil.which("chromium") is None,
                    reason="both Debian packages are needed to compare them")
def test_the_policy_pdf_downloads_on_the_fallback_chromium_too(sandbox: Sandbox, settings: Settings) -> None:
    """The suite runs on the headless shell; the fallback must file the same PDF."""
    fallback = settings.model_copy(update={"browser": settings.browser.model_copy(
        update={"executable_path": Path(shutil.which("chromium") or "")})})
    (outcome,) = run_warranty(fallback, [WarrantyItem(row=2, vo_vendu="59716")]).outcomes
    assert outcome.result == "terminé", outcome
    assert outcome.police in PdfReader(outcome.pdf).pages[0].extract_text()
