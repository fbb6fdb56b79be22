"""`Accueil`: the declarations already made (PORTALS.md §2, decided)."""

from __future__ import annotations

from playwright.sync_api import Locator

from rpa.pages.base import Table
from rpa.pages.reseauxconnect.nav import CentralisateurPage

COLUMNS = ("Immatriculation", "VIN", "Numéro devis")


class AccueilPage(CentralisateurPage):
    def table(self) -> Table:
        return Table(self.page, *COLUMNS)

    def landmark(self) -> Locator:
        return self.table().locator

    def declarations(self) -> list[dict[str, str]]:
        return self.act("liste des déclarations", self.table().records)

    def devis_for_vin(self, vin: str) -> str | None:
        for row in self.declarations():
            if row.get("VIN", "").strip().upper() == vin.upper():
                return row.get("Numéro devis", "").strip() or None
        return None
