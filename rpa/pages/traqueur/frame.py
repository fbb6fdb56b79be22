"""What every extranet screen shares: the login form that comes back when a session ends,
and the status cells a user clicks to act on a line."""

from __future__ import annotations

import re

from playwright.sync_api import Locator

from rpa.pages.base import BasePage, Table, button, cell, clickable, loose, name_re

# Statuses a line can no longer leave (PORTALS.md §4).
FINAL = ("Effectuée", "Refusée", "Annulée")
FILTER_LABEL = "Filtre sur la page active"


class ExtranetPage(BasePage):
    PORTAL = "Traqueur Extranet PRO"

    def landmark(self) -> Locator:
        """`Déconnexion`, on every signed-in screen (a more precise screen says more)."""
        return self.page.get_by_role("link", name=name_re("Déconnexion")).first

    def login_landmark(self) -> Locator:
        return button(self.page, name_re("ACCÉDER À MON COMPTE"))

    def lines_table(self, *columns: str) -> Table:
        return Table(self.page, *columns)

    def wait_for_lines(self, table: Table, what: str) -> list[dict[str, str]]:
        """Rows come after the page: wait for one holding a VIN, or for an empty body."""
        vin_cell = cell(self.page, re.compile(r"^\s*[A-Z0-9]{17}\s*$"))
        rows = table.locator.get_by_role("row").filter(has=vin_cell)
        empty = self.page.get_by_text(re.compile(r"aucune?\s+(demande|d[ée]pose|ligne|r[ée]sultat)", re.I))
        self.await_one(what, rows, empty)
        return self.act(what, table.records) if rows.count() else []

    def status_control(self, table: Table, vin: str, status: str) -> Locator:
        """The clickable status of the line for `vin` that shows `status`."""
        row = table.locator.get_by_role("row").filter(has=cell(self.page, name_re(vin)))
        named = re.compile(rf"^\s*{loose(status)}", re.I)
        # A button or link in the cell, or the cell itself when the portal made it clickable.
        return clickable(row, named).or_(cell(row, named)).first
