"""Planet VO sign-in (PORTALS.md §1: `Identifiant`, `Mot de passe`, `Se connecter`)."""

from __future__ import annotations

from playwright.sync_api import Page

from rpa.config import PortalSettings
from rpa.pages.login import PortalLogin, SignInGate
from rpa.pages.planetvo.frame import HomePage


class LoginPage(PortalLogin[HomePage]):
    PORTAL = "Planet VO"
    ENV = "RPA_PLANETVO__"
    USER_LABEL = "Identifiant"
    BUTTON = "Se connecter"

    def home(self) -> HomePage:
        return HomePage(self.page, wait=False)


def open_planetvo(page: Page, portal: PortalSettings, gate: SignInGate | None = None) -> HomePage:
    """The Planet VO home screen, signed in."""
    return LoginPage(page, wait=False).open(portal, gate)
