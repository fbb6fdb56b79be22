"""`BIENVENUE SUR L'EXTRANET PRO` → `Accéder à mon compte`."""

from __future__ import annotations

from playwright.sync_api import Page

from rpa.config import PortalSettings
from rpa.pages.login import PortalLogin, SignInGate
from rpa.pages.traqueur.home import TraqueurHome


class TraqueurLogin(PortalLogin[TraqueurHome]):
    PORTAL = "Traqueur Extranet PRO"
    ENV = "RPA_TRAQUEUR__"
    USER_LABEL = "Adresse email"
    BUTTON = "ACCÉDER À MON COMPTE"

    def home(self) -> TraqueurHome:
        return TraqueurHome(self.page, wait=False)


def open_traqueur(page: Page, portal: PortalSettings, gate: SignInGate | None = None) -> TraqueurHome:
    """`MON COMPTE : <compte>`, signed in."""
    return TraqueurLogin(page, wait=False).open(portal, gate)
