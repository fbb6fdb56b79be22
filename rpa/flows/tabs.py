"""A worker's browser context and its portal tabs: signed in once, kept for every item.

One Planet VO tab and one GuideWire tab live for the whole run (a third one checks GuideWire
right before paying), so each portal is signed into once per worker, not once per vehicle. A
stage starts from the screen its tab shows when that is a signed-in one; after any failure,
every portal starts again from its address (the screen a tab was left on is trusted only
after steps that went well).
"""

from __future__ import annotations

from pathlib import Path

from loguru import logger
from playwright.sync_api import Browser, BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError

from rpa.browser.launch import current_document, new_context
from rpa.config import Settings
from rpa.core.files import private_file
from rpa.pages.guidewire import GwPage, open_guidewire
from rpa.pages.login import SignInGate
from rpa.pages.planetvo import MenuPage, open_planetvo


class PortalTabs:
    def __init__(self, settings: Settings, browser: Browser, gate: SignInGate,
                 cookies: Path | None = None) -> None:
        """`cookies`: the `storage_state` file this worker starts from and leaves behind."""
        self.settings = settings
        self.gate = gate
        self.cookies = cookies
        self.context: BrowserContext = new_context(browser, settings.browser, cookies)
        self.planetvo = self.context.new_page()
        self.guidewire = self.context.new_page()
        self.last: Page | None = None  # the tab a failure would have happened on
        self._checker: Page | None = None
        self._signed_in: set[Page] = set()  # tabs left on a good screen by the last step

    def close(self) -> None:
        """Keep the portal cookies for the next run's worker in this slot, then close."""
        if self.cookies is not None:
            try:
                with private_file(self.cookies) as saving:
                    self.context.storage_state(path=saving)
            except PlaywrightError as exc:  # the browser is gone: the next run signs in
                logger.warning("sessions non enregistrées : {}", exc.message.splitlines()[0])
        self.context.close()

    def forget_screens(self) -> None:
        """After a failure: every portal starts again from its address."""
        self._signed_in.clear()

    def checker(self) -> Page:
        """A second GuideWire tab, to look the vehicle up without leaving the wizard."""
        if self._checker is None or self._checker.is_closed():
            self._checker = self.context.new_page()
        return self._checker

    def _still_on(self, page: Page, landmark: Locator, login: Locator) -> bool:
        """Does `page` still show a signed-in screen of its portal, as the last step left it?
        (What a user sees at a glance: no waiting, and any doubt means going back home.)"""
        if page not in self._signed_in or page.is_closed():
            return False
        document = current_document(page)
        if document is not None and document.status >= 400:
            return False
        try:
            return landmark.first.is_visible() and not login.first.is_visible()
        except PlaywrightError:
            return False

    def planetvo_home(self) -> MenuPage:
        """Planet VO's menu, which every screen carries: from the screen the tab shows when
        it is a signed-in one, else from the portal's address (signing in if asked)."""
        self.last = self.planetvo
        screen = MenuPage(self.planetvo, wait=False)
        if self._still_on(self.planetvo, screen.landmark(), screen.login_landmark()):
            self.planetvo.bring_to_front()
            return screen
        home = open_planetvo(self.planetvo, self.settings.planetvo, self.gate)
        self._signed_in.add(self.planetvo)
        return home

    def guidewire_screen(self, page: Page | None = None) -> GwPage:
        """A signed-in GuideWire screen, whose top bar searches: the one the tab shows, else
        the portal's home."""
        page = self.last = page or self.guidewire
        screen = GwPage(page, wait=False)
        if self._still_on(page, screen.search_box(), screen.login_landmark()):
            page.bring_to_front()
            return screen
        home = open_guidewire(page, self.settings.guidewire, self.gate)
        self._signed_in.add(page)
        return home
