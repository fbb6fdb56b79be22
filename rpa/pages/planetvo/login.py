"""Planet VO sign-in (PORTALS.md §1: `Identifiant`, `Mot de passe`, `Se connecter`)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from rpa.config import PortalSettings
from rpa.errors import UsageError
from rpa.pages.base import BasePage, name_re
from rpa.pages.planetvo.menu import HomePage

WRONG_PASSWORD = "Identifiant ou mot de passe incorrect"


def login_button(page: Page) -> Locator:
    return page.get_by_role("button", name=name_re("Se connecter"))


class LoginPage(BasePage):
    def landmark(self) -> Locator:
        return login_button(self.page)

    def sign_in(self, username: str, password: str) -> HomePage:
        self.page.get_by_label(name_re("Identifiant")).fill(username)
        self.page.get_by_label(name_re("Mot de passe")).fill(password)
        login_button(self.page).click()
        home = HomePage(self.page, wait=False)
        refused = self.page.get_by_text(name_re(WRONG_PASSWORD))
        with self.diagnosed("connexion Planet VO"):
            expect(home.landmark().or_(refused).first).to_be_visible()
        if refused.first.is_visible():
            raise UsageError(f"Planet VO : {WRONG_PASSWORD} (vérifiez RPA_PLANETVO__USERNAME / PASSWORD)")
        home.wait_until_loaded()
        return home


def open_planetvo(page: Page, portal: PortalSettings) -> HomePage:
    """Go to the configured base URL and sign in if the login form shows."""
    assert portal.url
    page.bring_to_front()  # the user switches to this portal's tab
    page.goto(portal.url)
    home = HomePage(page, wait=False)
    login = LoginPage(page, wait=False)
    with home.diagnosed("ouverture de Planet VO"):
        expect(home.landmark().or_(login.landmark()).first).to_be_visible()
    if login.landmark().first.is_visible():
        return login.sign_in(portal.username, portal.password.get_secret_value())
    return home
