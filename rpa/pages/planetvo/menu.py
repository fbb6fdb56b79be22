"""The left menu every Planet VO screen carries, and the home screen behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Locator

from rpa.pages.base import BasePage, name_re

if TYPE_CHECKING:
    from rpa.pages.planetvo.bons_de_commande import BdcListPage
    from rpa.pages.planetvo.parametrage import ParametragePage
    from rpa.pages.planetvo.vehicules import VehicleSearchPage


class MenuPage(BasePage):
    """Any signed-in screen: the menu's three entries the warranty job needs."""

    def menu_link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name_re(name))

    def login_landmark(self) -> Locator:
        return self.page.get_by_role("button", name=name_re("Se connecter"))

    def open_parametrage(self) -> ParametragePage:
        from rpa.pages.planetvo.parametrage import ParametragePage

        self.act("menu Paramétrage", lambda: self.menu_link("Paramétrage").first.click())
        return ParametragePage(self.page)

    def open_bons_de_commande(self) -> BdcListPage:
        from rpa.pages.planetvo.bons_de_commande import BdcListPage

        self.act("menu Bon de commande", lambda: self.menu_link("Bon de commande").first.click())
        return BdcListPage(self.page)

    def open_gestion_vehicules(self) -> VehicleSearchPage:
        from rpa.pages.planetvo.vehicules import VehicleSearchPage

        self.act("menu Gestion Véhicules", lambda: self.menu_link("Gestion Véhicules").first.click())
        return VehicleSearchPage(self.page)


class HomePage(MenuPage):
    def landmark(self) -> Locator:
        return self.menu_link("Paramétrage")
