"""The top links of every reseauxconnect screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Locator

from rpa.pages.base import BasePage, name_re

if TYPE_CHECKING:
    from rpa.pages.reseauxconnect.accueil import AccueilPage


class CentralisateurPage(BasePage):
    def nav_link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name_re(name)).first

    def open_accueil(self) -> AccueilPage:
        from rpa.pages.reseauxconnect.accueil import AccueilPage

        self.act("Accueil reseauxconnect", lambda: self.nav_link("Accueil").click())
        return AccueilPage(self.page)
