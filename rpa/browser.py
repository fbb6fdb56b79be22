"""Launch headless Chromium the way this fleet's machines need it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

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
]


def launch(playwright: Playwright, settings: BrowserSettings, traces_dir: Path | None = None) -> Browser:
    """`traces_dir`: where Playwright keeps traces while recording (they hold customer data
    and, until scrubbed, what was typed): give it a private folder."""
    return playwright.chromium.launch(
        executable_path=settings.resolved_executable(),
        headless=settings.headless,
        args=CHROMIUM_ARGS,
        traces_dir=traces_dir,
    )


def new_context(browser: Browser, settings: BrowserSettings) -> BrowserContext:
    context = browser.new_context(accept_downloads=True, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(settings.timeout_ms)
    context.set_default_navigation_timeout(settings.timeout_ms * 2)
    return context


@contextmanager
def browser_session(settings: BrowserSettings, traces_dir: Path | None = None) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright, settings, traces_dir)
        try:
            yield browser
        finally:
            browser.close()
