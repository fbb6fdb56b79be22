"""Bon de commande: the search form, `Liste des Bons de commande`, `Exporter`, the BDC form."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

from playwright.sync_api import Download, Locator, expect

from rpa.pages.base import Table, button, cell, name_re, read_control, write_control
from rpa.pages.planetvo.frame import MenuPage
from rpa.pages.soon import soon

COLUMNS = ("N°", "Statut", "Vo Vendu", "Site VO Vendu")
# Footer `Bons de commande: 1 a 25 sur 40` (PORTALS.md §1).
FOOTER_RE = re.compile(r"Bons de commande\s*:\s*(\d+)\s*[aà]\s*(\d+)\s*sur\s*(\d+)", re.I)


class BdcListPage(MenuPage):
    def table(self) -> Table:
        return Table(self.page, *COLUMNS)

    def landmark(self) -> Locator:
        return button(self.page, name_re("Rechercher"))

    def footer(self) -> Locator:
        return self.page.get_by_text(FOOTER_RE).first

    def _wait_for_rows(self) -> None:
        """Rows arrive after the page: wait until the table holds what the footer counts."""
        self.await_one("liste des bons de commande", self.footer())
        with self.diagnosed("liste des bons de commande"):
            match = FOOTER_RE.search(self.footer().inner_text())
            assert match is not None
            first, last, total = (int(g) for g in match.groups())
            expected = 0 if total == 0 else last - first + 1
            rows = self.table().rows()
            soon(partial(expect(rows).to_have_count, expected))

    def search(self, **criteria: str) -> BdcListPage:
        """Fill the search form (`N°`, `statut`, `Acheteur`, `vo vendu`, …) and `Rechercher`."""
        with self.diagnosed("recherche de bons de commande"):
            for label, value in criteria.items():
                write_control(self.page.get_by_label(name_re(label)).first, value)
        self.act("Rechercher", lambda: self.landmark().click())
        page = BdcListPage(self.page)
        page._wait_for_rows()
        return page

    def records(self) -> list[dict[str, str]]:
        """Rows of the current page."""
        self._wait_for_rows()
        return self.act("lecture des bons de commande", self.table().records)

    def all_records(self) -> list[dict[str, str]]:
        """Every row, following `Page suivante` to the last page."""
        records = self.records()
        while True:
            next_link = self.page.get_by_role("link", name=name_re("Page suivante"))
            if not next_link.count() or not next_link.first.is_visible():
                return records
            before = self.footer().inner_text()
            self.act("Page suivante", next_link.first.click)
            with self.diagnosed("page suivante"):
                soon(partial(expect(self.footer()).not_to_have_text, before))
            records += self.records()

    def export(self, destination: Path) -> Path:
        """`Exporter`: the current search result as the portal's own .xlsx."""
        download: Download = self.await_event(
            "Exporter", "download", button(self.page, name_re("Exporter")).click)
        with self.diagnosed("Exporter"):
            destination.parent.mkdir(parents=True, exist_ok=True)
            download.save_as(destination)
        return destination

    def open_bdc(self, numero: str) -> BdcFormPage:
        """Select the BDC's row and `Modifier`."""
        row = self.table().row_with(numero)

        def select_and_open() -> None:
            cell(row, name_re(numero)).first.click()
            button(self.page, name_re("Modifier")).click()

        form = BdcFormPage(self.page, wait=False)
        self.repeatable(f"bon de commande {numero}", select_and_open, form.landmark())
        return form


class BdcFormPage(MenuPage):
    """The BDC form: sections `Vente`, `Acheteur`, `Livraison`, … and `Fermer`."""

    def landmark(self) -> Locator:
        return button(self.page, name_re("Clôturer"))

    def value(self, section: str, label: str) -> str:
        group = self.page.get_by_role("group", name=name_re(section))
        scope = group.first if group.count() else self.page
        with self.diagnosed(f"champ {section} / {label}"):
            return read_control(scope.get_by_label(name_re(label)).first)

    def garantie(self) -> str:
        return self.value("Vente", "Garantie")

    def date_livraison(self) -> str:
        return self.value("Livraison", "Date")

    def close(self) -> BdcListPage:
        return self.go("Fermer le bon de commande", button(self.page, name_re("Fermer")),
                       BdcListPage(self.page, wait=False))
