"""Launch headless Chromium the way this fleet's machines need it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock
from weakref import WeakKeyDictionary

from loguru import logger
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Response, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from rpa.config import BrowserSettings

# A closed network refuses Chromium's own background traffic: keep it quiet (DEVELOPERS.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # One tab per portal: a tab in the background must not have its timers slowed down.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    # Memory, for several workers in one browser: a worker's tabs on one portal share a
    # renderer rather than one process each, plain pages need no GPU rasterizer, and the
    # portals' small scripts need no large young generation (about 20 MB a renderer).
    "--process-per-site",
    "--disable-gpu",
    "--disable-software-rasterizer",
    "--js-flags=--max-semi-space-size=1",
]
# Playwright's driver (Node) keeps a young generation sized for a test runner; the bot's
# traffic is small. Measured: about 60 MB less for 4 workers.
DRIVER_NODE_OPTIONS = "--max-semi-space-size=2"


def launch(playwright: Playwright, settings: BrowserSettings, traces_dir: Path | None = None) -> Browser:
    """`traces_dir`: where Playwright keeps traces while recording (they hold customer data
    and, until scrubbed, what was typed): give it a private folder."""
    return playwright.chromium.launch(
        executable_path=settings.resolved_executable(),
        headless=settings.headless,
        args=CHROMIUM_ARGS,
        traces_dir=traces_dir,
    )


def new_context(browser: Browser, settings: BrowserSettings, session: Path | None = None) -> BrowserContext:
    """`session`: a `storage_state` file a previous context saved (its portal cookies)."""
    options: dict[str, Any] = {"accept_downloads": True, "locale": "fr-FR", "timezone_id": "Europe/Paris"}
    context = None
    if session is not None and session.is_file():
        try:
            context = browser.new_context(**options, storage_state=session)
        except (PlaywrightError, ValueError) as exc:  # unreadable: sign in afresh, as on a first run
            logger.warning("sessions enregistrées illisibles ({}) : nouvelle connexion", str(exc).splitlines()[0])
    if context is None:
        context = browser.new_context(**options)
    context.set_default_timeout(settings.timeout_ms)
    context.set_default_navigation_timeout(settings.timeout_ms * 2)
    context.on("response", _remember_document)
    return context


# Each tab's current document: how it was asked for and what the server answered. An error
# page reached by GET can be reloaded as a user would; one answering a POST must not be.
_documents: WeakKeyDictionary[Page, tuple[str, int]] = WeakKeyDictionary()
# A popup's first document is requested before its tab exists: known by its URL instead.
_first_documents: dict[str, tuple[str, int]] = {}


def _remember_document(response: Response) -> None:
    request = response.request
    if not request.is_navigation_request():
        return
    try:
        frame = request.frame
    except PlaywrightError:  # issued before its frame existed: a popup opening
        _first_documents[response.url] = (request.method, response.status)
        while len(_first_documents) > 100:
            del _first_documents[next(iter(_first_documents))]
        return
    try:
        if frame.parent_frame is None:
            _documents[frame.page] = (request.method, response.status)
    except PlaywrightError:  # a frame already gone
        pass


def current_document(page: Page) -> tuple[str, int] | None:
    """(method, status) of the document `page` shows, if it was seen loading."""
    return _documents.get(page) or _first_documents.get(page.url)


@contextmanager
def browser_session(settings: BrowserSettings, traces_dir: Path | None = None) -> Iterator[Browser]:
    # The driver takes its environment from this process's, once, as it starts.
    with mock.patch.dict(os.environ, {"NODE_OPTIONS": os.environ.get("NODE_OPTIONS") or DRIVER_NODE_OPTIONS}):
        manager = sync_playwright()
        playwright = manager.start()
    try:
        browser = launch(playwright, settings, traces_dir)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        manager.__exit__()
