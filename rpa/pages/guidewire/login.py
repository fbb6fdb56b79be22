"""GuideWire `Connexion` (`Nom d'utilisateur :`, `Mot de passe :`)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from rpa.config import PortalSettings
from rpa.errors import UsageError
from rpa.pages.base import BasePage, name_re
from rpa.pages.guidewire.portal import GwHomePage


class GwLoginPage(BasePage):
    def landmark(self) -> Locator:
        return self.page.get_by_role("button", name=name_re("Connexion"))

    def sign_in(self, username: str, password: str) -> GwHomePage:
        self.page.get_by_label(name_re("Nom d'utilisateur")).fill(username)
        self.page.get_by_label(name_re("Mot de passe")).fill(password)
        self.landmark().click()
        home = GwHomePage(self.page, wait=False)
        with self.diagnosed("connexion GuideWire"):
            expect(home.landmark().or_(self.page.get_by_role("alert")).first).to_be_visible()
        if not home.landmark().first.is_visible():
            raise UsageError(f"GuideWire : {' ; '.join(self.alerts())} (vérifiez RPA_GUIDEWIRE__USERNAME / PASSWORD)")
        return home


def open_guidewire(page: Page, portal: PortalSettings) -> GwHomePage:
    """Go to the configured base URL, sign in if asked, land on `Tableau de gestion`."""
    assert portal.url
    page.bring_to_front()  # the user switches to this portal's tab
    page.goto(portal.url)
    home = GwHomePage(page, wait=False)
    login = GwLoginPage(page, wait=False)
    with home.diagnosed("ouverture de GuideWire"):
        expect(home.landmark().or_(login.landmark()).first).to_be_visible()
    if login.landmark().first.is_visible():
        return login.sign_in(portal.username, portal.password.get_secret_value())
    return home
