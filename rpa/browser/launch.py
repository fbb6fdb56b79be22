"""Launch headless Chromium the way this fleet's machines need it."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary, WeakSet

from loguru import logger
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    Response,
    sync_playwright,
)
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
# What the bot never looks at and a portal's pages are full of (logos, photos, web fonts),
# not fetched nor drawn; a Chromium switch rather than a Playwright route, which would hold
# every request of the page in the driver. RPA_BROWSER__DECORATION=true takes them back.
NO_DECORATION = ["--blink-settings=imagesEnabled=false", "--disable-remote-fonts"]
# Playwright's driver (Node) keeps a young generation sized for a test runner; the bot's
# traffic is small. Measured: about 60 MB less for 4 workers.
DRIVER_NODE_OPTIONS = "--max-semi-space-size=2"


def launch(playwright: Playwright, settings: BrowserSettings, traces_dir: Path | None = None) -> Browser:
    """`traces_dir`: where Playwright keeps traces while recording (they hold customer data
    and, until scrubbed, what was typed): give it a private folder."""
    return playwright.chromium.launch(
        executable_path=settings.resolved_executable(),
        headless=settings.headless,
        args=CHROMIUM_ARGS + ([] if settings.decoration else NO_DECORATION),
        traces_dir=traces_dir,
    )


def new_context(browser: Browser, settings: BrowserSettings, session: Path | None = None) -> BrowserContext:
    """`session`: a `storage_state` file a previous context saved (its portal cookies).

    Every tab of the context (popups included) dismisses the overlays named in
    `settings.dismiss`, and only those."""
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
    _screen_timeouts[context] = settings.timeout_ms
    context.on("response", _remember_document)
    if settings.dismiss:
        context.on("page", lambda page: dismiss_overlays(page, settings.dismiss))
    return context


# How long a user waits for a screen before calling it broken, per context (RPA_BROWSER__TIMEOUT_MS).
_screen_timeouts: WeakKeyDictionary[BrowserContext, float] = WeakKeyDictionary()
_dismissing: WeakSet[Page] = WeakSet()


def screen_timeout_ms(page: Page, default: float = 15_000) -> float:
    """The configured wait for a screen in `page`'s context (the settings' `timeout_ms`)."""
    try:
        return _screen_timeouts.get(page.context, default)
    except PlaywrightError:
        return default


def dismiss_overlays(page: Page, overlays: dict[str, str]) -> None:
    """Register, once per tab, a Playwright locator handler per named overlay (a dialog title
    -> the button that closes it, e.g. `Gestion des cookies` -> `Tout refuser`). Whenever one
    shows in the way of an action or a wait, its button is clicked first, as a person would.
    Nothing else is ever dismissed: an unknown dialog in the way is a failure to look at."""
    if page in _dismissing or page.is_closed():
        return
    _dismissing.add(page)
    for title, button in overlays.items():
        dialog = page.get_by_role("dialog", name=re.compile(re.escape(title), re.I)).or_(
            page.get_by_role("alertdialog", name=re.compile(re.escape(title), re.I)))
        answer = re.compile(rf"^\s*{re.escape(button)}\s*$", re.I)

        def close(overlay: Locator, answer: re.Pattern[str] = answer, title: str = title) -> None:
            try:
                overlay.get_by_role("button", name=answer).or_(overlay.get_by_role("link", name=answer)).first.click()
            except PlaywrightError as err:  # another window over it: left for the step to report
                logger.debug("fenêtre « {} » non fermée : {}", title, err.message.splitlines()[0])
                return
            logger.debug("fenêtre « {} » fermée ({})", title, answer.pattern)

        try:
            page.add_locator_handler(dialog.first, close)
        except PlaywrightError as err:  # a tab closing as it opens: nothing to dismiss there
            logger.debug("gestionnaire de fenêtre non installé : {}", err.message)


class Document(NamedTuple):
    """A tab's current document: how it was asked for, what the server answered, and which
    one it is (a count of documents seen, to tell whether an action brought a new one)."""

    method: str
    status: int
    number: int


# Each tab's current document. An error page reached by GET can be reloaded as a user
# would; one answering a POST must not be.
_documents: WeakKeyDictionary[Page, Document] = WeakKeyDictionary()
# A popup's first document is requested before its tab exists: known by its URL instead.
_first_documents: dict[str, Document] = {}
_seen = itertools.count(1)


def _remember_document(response: Response) -> None:
    request = response.request
    if not request.is_navigation_request():
        return
    try:
        frame = request.frame
    except PlaywrightError:  # issued before its frame existed: a popup opening
        _first_documents[response.url] = Document(request.method, response.status, next(_seen))
        while len(_first_documents) > 100:
            del _first_documents[next(iter(_first_documents))]
        return
    try:
        if frame.parent_frame is None:
            _documents[frame.page] = Document(request.method, response.status, next(_seen))
    except PlaywrightError:  # a frame already gone
        pass


def current_document(page: Page) -> Document | None:
    """The document `page` shows, if it was seen loading."""
    return _documents.get(page) or _first_documents.get(page.url)


@contextmanager
def browser_session(settings: BrowserSettings, traces_dir: Path | None = None) -> Iterator[Browser]:
    # The driver takes its environment from this process's, once, as it starts.
    before = os.environ.get("NODE_OPTIONS")
    os.environ["NODE_OPTIONS"] = before or DRIVER_NODE_OPTIONS
    try:
        manager = sync_playwright()
        playwright = manager.start()
    finally:
        if before is None:
            del os.environ["NODE_OPTIONS"]
        else:
            os.environ["NODE_OPTIONS"] = before
    try:
        browser = launch(playwright, settings, traces_dir)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        manager.__exit__()
