"""The left menu every Planet VO screen carries, and the home screen behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Locator

from rpa.pages.base import BasePage, button, name_re

if TYPE_CHECKING:
    from rpa.pages.planetvo.bons_de_commande import BdcListPage
    from rpa.pages.planetvo.parametrage import ParametragePage
    from rpa.pages.planetvo.vehicules import VehicleSearchPage


class MenuPage(BasePage):
    """Any signed-in screen: the menu's three entries the warranty job needs."""

    PORTAL = "Planet VO"

    def menu_link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name_re(name))

    def landmark(self) -> Locator:
        """The menu, on every signed-in screen (a more precise screen says more)."""
        return self.menu_link("Paramétrage")

    def login_landmark(self) -> Locator:
        return button(self.page, name_re("Se connecter"))

    def open_parametrage(self) -> ParametragePage:
        from rpa.pages.planetvo.parametrage import ParametragePage

        return self.go("menu Paramétrage", self.menu_link("Paramétrage").first, ParametragePage(self.page, wait=False))

    def open_bons_de_commande(self) -> BdcListPage:
        from rpa.pages.planetvo.bons_de_commande import BdcListPage

        return self.go("menu Bon de commande", self.menu_link("Bon de commande").first,
                       BdcListPage(self.page, wait=False))

    def open_gestion_vehicules(self) -> VehicleSearchPage:
        from rpa.pages.planetvo.vehicules import VehicleSearchPage

        return self.go("menu Gestion Véhicules", self.menu_link("Gestion Véhicules").first,
                       VehicleSearchPage(self.page, wait=False))


class HomePage(MenuPage):
    """Planet VO's home screen: the menu, and nothing else the bot needs."""
