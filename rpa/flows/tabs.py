"""A worker's browser context and its portal tabs: signed in once, kept for every item.

One Planet VO tab and one GuideWire tab live for the whole run (a third one checks GuideWire
right before paying), so each portal is signed into once per worker, not once per vehicle.
A dealer group's other points of sale each have a GuideWire account of their own: each gets
a context of its own (a browser context holds one session per site), made the first time a
vehicle of that site needs it and kept, like the first, for every vehicle after. A
stage starts from the screen its tab shows when that is a signed-in one; after any failure,
every portal starts again from its address (the screen a tab was left on is trusted only
after steps that went well).
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
        self.browser = browser
        self.gate = gate
        self.cookies = cookies
        self.context: BrowserContext = new_context(browser, settings.browser, cookies)
        self.planetvo = self.context.new_page()
        self.last: Page | None = None  # the tab a failure would have happened on
        first = settings.guidewire.account_names()[0]
        self._contexts: dict[str, BrowserContext] = {first: self.context}
        self._guidewire: dict[str, Page] = {first: self.context.new_page()}
        self._checkers: dict[str, Page] = {}
        self._signed_in: set[Page] = set()  # tabs left on a good screen by the last step
        self.on_new_context: Callable[[str, BrowserContext], None] = lambda name, context: None

    @property
    def guidewire(self) -> Page:
        """The first account's GuideWire tab (the only one for a single-site dealer)."""
        return next(iter(self._guidewire.values()))

    def close(self) -> None:
        """Keep the portal cookies for the next run's worker in this slot, then close."""
        for account, context in self._contexts.items():
            target = self.cookies if context is self.context else self._cookies_of(account)
            if target is not None:
                try:
                    with private_file(target) as saving:
                        context.storage_state(path=saving)
                except PlaywrightError as exc:  # the browser is gone: the next run signs in
                    logger.warning("sessions non enregistrées : {}", exc.message.splitlines()[0])
            context.close()

    def _cookies_of(self, account: str) -> Path | None:
        if self.cookies is None:
            return None
        return self.cookies.with_name(f"{self.cookies.stem}.{re.sub(r'[^A-Za-z0-9_-]', '_', account)}.json")

    def _context_of(self, account: str) -> BrowserContext:
        if account not in self._contexts:
            cookies = self._cookies_of(account)
            context = new_context(self.browser, self.settings.browser,
                                  cookies if cookies is not None and cookies.exists() else None)
            self._contexts[account] = context
            self.on_new_context(account, context)
        return self._contexts[account]

    def guidewire_tab(self, account: str) -> Page:
        """The GuideWire tab signed in (or to sign in) as `account`'s point of sale."""
        if account not in self._guidewire:
            self._guidewire[account] = self._context_of(account).new_page()
        return self._guidewire[account]

    def forget_screens(self) -> None:
        """After a failure: every portal starts again from its address."""
        self._signed_in.clear()

    def checker(self, account: str) -> Page:
        """A second GuideWire tab of `account`, to look the vehicle up without leaving the wizard."""
        page = self._checkers.get(account)
        if page is None or page.is_closed():
            page = self._checkers[account] = self._context_of(account).new_page()
        return page

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

    def guidewire_screen(self, account: str, page: Page | None = None) -> GwPage:
        """A signed-in GuideWire screen of `account`, whose top bar searches: the one the tab
        shows, else the portal's home."""
        page = self.last = page or self.guidewire_tab(account)
        screen = GwPage(page, wait=False)
        if self._still_on(page, screen.search_box(), screen.login_landmark()):
            page.bring_to_front()
            return screen
        home = open_guidewire(page, self.settings.guidewire.sign_in(account), self.gate)
        self._signed_in.add(page)
        return home
