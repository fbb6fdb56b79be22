"""Planet VO ("Jupiter"), the dealer management system (PORTALS.md §1)."""

from rpa.pages.planetvo.bons_de_commande import BdcFormPage, BdcListPage
from rpa.pages.planetvo.frame import HomePage, MenuPage
from rpa.pages.planetvo.login import LoginPage, open_planetvo
from rpa.pages.planetvo.parametrage import LocalisationDialog, ParametragePage
from rpa.pages.planetvo.vehicules import GarantisseurDialog, VehiclePage, VehicleSearchPage

__all__ = [
    "BdcFormPage", "BdcListPage", "GarantisseurDialog", "HomePage", "LocalisationDialog",
    "LoginPage", "MenuPage", "ParametragePage", "VehiclePage", "VehicleSearchPage",
    "open_planetvo",
]
