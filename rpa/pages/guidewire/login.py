"""GuideWire `Connexion` (`Nom d'utilisateur :`, `Mot de passe :`)."""

from __future__ import annotations

from playwright.sync_api import Page

from rpa.config import PortalSettings
from rpa.pages.guidewire.frame import GwHomePage
from rpa.pages.login import PortalLogin, SignInGate


class GwLoginPage(PortalLogin[GwHomePage]):
    PORTAL = "GuideWire"
    ENV = "RPA_GUIDEWIRE__"
    USER_LABEL = "Nom d'utilisateur"
    BUTTON = "Connexion"

    def home(self) -> GwHomePage:
        return GwHomePage(self.page, wait=False)


def open_guidewire(page: Page, portal: PortalSettings, gate: SignInGate | None = None) -> GwHomePage:
    """GuideWire's `Tableau de gestion`, signed in."""
    return GwLoginPage(page, wait=False).open(portal, gate)
