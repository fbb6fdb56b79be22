"""`Accueil`: the declarations already made (PORTALS.md §2, decided)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator

from rpa.pages.base import Table, cell
from rpa.pages.reseauxconnect.frame import CentralisateurPage

COLUMNS = ("Immatriculation", "VIN", "Numéro devis")
VIN_RE = re.compile(r"^\s*[A-Z0-9]{17}\s*$", re.I)
EMPTY_RE = re.compile(r"aucune?\s+(d[ée]claration|r[ée]sultat)", re.I)


class AccueilPage(CentralisateurPage):
    def table(self) -> Table:
        return Table(self.page, *COLUMNS)

    def landmark(self) -> Locator:
        return self.table().locator

    def rows(self) -> Locator:
        """Declaration rows: those showing a VIN (not a `Chargement…` placeholder)."""
        return self.table().locator.get_by_role("row").filter(has=cell(self.page, VIN_RE))

    def declarations(self) -> list[dict[str, str]]:
        """The list arrives after the page: wait for its rows, or for the portal's "none"."""
        rows = self.rows()
        self.await_one("liste des déclarations", rows, self.page.get_by_text(EMPTY_RE))
        if not rows.count():
            return []
        return self.act("liste des déclarations", self.table().records)

    def devis_for_vin(self, vin: str) -> str | None:
        for row in self.declarations():
            if row.get("VIN", "").strip().upper() == vin.upper():
                return row.get("Numéro devis", "").strip() or None
        return None
