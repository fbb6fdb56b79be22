"""Gestion Véhicules: search, `Modifier véhicule`, `Garantir` and `Information garantisseur`."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

from rpa.core.errors import BusinessError
from rpa.pages.base import Table, button, cell, name_re, write_control
from rpa.pages.planetvo.frame import MenuPage

COLUMNS = ("N° Police", "Immat.", "VIN")
NO_RESULT_RE = re.compile(r"aucun", re.I)


class VehicleSearchPage(MenuPage):
    def landmark(self) -> Locator:
        return button(self.page, name_re("Rechercher"))

    def table(self) -> Table:
        return Table(self.page, *COLUMNS)

    def search(self, *, police: str = "", immat: str = "", vin: str = "") -> list[dict[str, str]]:
        """Search by `N° Police`, `Immat.` or `VIN` and return the result rows."""
        criteria = {"N° Police": police, "Immat.": immat, "VIN": vin}
        with self.diagnosed("recherche de véhicule"):
            for label, value in criteria.items():  # clear what a previous search left
                write_control(self.page.get_by_label(name_re(label)).first, value)
        self.act("Rechercher", lambda: self.landmark().click())
        rows = self.table().rows()
        self.await_one("recherche de véhicule", rows, self.page.get_by_text(NO_RESULT_RE))
        return self.table().records() if rows.count() else []

    def open_vehicle(self, police: str) -> VehiclePage:
        """Search the stock number and click its row."""
        found = [r for r in self.search(police=police) if r.get("N° Police", "").strip() == police]
        if not found:
            raise BusinessError(f"Véhicule {police} introuvable dans Gestion Véhicules", code="vehicle_unknown")
        row = cell(self.table().row_with(police), name_re(police)).first
        return self.go(f"véhicule {police}", row, VehiclePage(self.page, wait=False))


class VehiclePage(MenuPage):
    """`Modifier véhicule`, with its bottom buttons."""

    def landmark(self) -> Locator:
        return button(self.page, name_re("Garantir"))

    def garantir(self) -> GarantisseurDialog:
        """`Garantir`: the dialog comes a moment later (done again if it fails to come)."""
        self.repeatable("Garantir", self.landmark().click, GarantisseurDialog.locate(self.page))
        return GarantisseurDialog(self)


class GarantisseurDialog:
    TITLE = "Information garantisseur"

    def __init__(self, parent: VehiclePage) -> None:
        self.parent = parent
        self.page = parent.page
        self.dialog = self.locate(self.page)
        parent.await_one(f"dialogue {self.TITLE}", self.dialog)

    @classmethod
    def locate(cls, page: Page) -> Locator:
        return page.get_by_role("dialog").filter(has_text=cls.TITLE).first

    def declare(self, garantisseur: str, identifiant: str = "", mot_de_passe: str = "",
                timeout_ms: float | None = None) -> Page:
        """Choose the garantisseur and `Valider`: returns the reseauxconnect popup window.

        What Planet VO says instead (BDC not closed, no Code RRD1, or its own trouble) is
        judged by the failure rule, in Planet VO's words.
        """
        with self.parent.diagnosed("Information garantisseur"):
            write_control(self.dialog.get_by_label(name_re("Garantisseur")).first, garantisseur)
            if identifiant:
                self.dialog.get_by_label(name_re("Identifiant")).first.fill(identifiant)
            if mot_de_passe:
                self.dialog.get_by_label(name_re("Mot de passe")).first.fill(mot_de_passe)
        valider = button(self.dialog, name_re("Valider")).click
        popup: Page = self.parent.await_event("fenêtre reseauxconnect après Valider", "popup", valider, timeout_ms)
        popup.wait_for_load_state()
        return popup
