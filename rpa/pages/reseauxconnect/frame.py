"""The top links of every reseauxconnect screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Locator

from rpa.pages.base import BasePage, name_re

if TYPE_CHECKING:
    from rpa.pages.reseauxconnect.accueil import AccueilPage


class CentralisateurPage(BasePage):
    PORTAL = "reseauxconnect"

    def nav_link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name_re(name)).first

    def landmark(self) -> Locator:
        """The top links, on every screen (a more precise screen says more)."""
        return self.nav_link("Déclarer Vente")

    def open_accueil(self) -> AccueilPage:
        from rpa.pages.reseauxconnect.accueil import AccueilPage

        return self.go("Accueil reseauxconnect", self.nav_link("Accueil"), AccueilPage(self.page, wait=False))
