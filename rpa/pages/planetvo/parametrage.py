"""Paramétrage: the sites table and the `Modifier une localisation` dialog (Code RRD1)."""

from __future__ import annotations

from playwright.sync_api import Locator, expect

from rpa.pages.base import Table, button, cell, name_re, read_control
from rpa.pages.planetvo.frame import MenuPage
from rpa.pages.soon import soon


class ParametragePage(MenuPage):
    def sites_table(self) -> Table:
        return Table(self.page, "ID", "Code", "Libellé")

    def landmark(self) -> Locator:
        return self.sites_table().locator

    def sites(self) -> list[dict[str, str]]:
        return self.act("liste des sites", self.sites_table().records)

    def open_site(self, libelle: str) -> LocalisationDialog:
        table = self.sites_table()
        row = table.row_with(libelle)
        dialog = self.page.get_by_role("dialog").filter(has_text=LocalisationDialog.TITLE).first
        self.repeatable(f"site « {libelle} » dans Paramétrage", cell(row, name_re(libelle)).first.click, dialog)
        return LocalisationDialog(self)


class LocalisationDialog:
    TITLE = "Modifier une localisation"

    def __init__(self, parent: ParametragePage) -> None:
        self.parent = parent
        self.dialog = parent.page.get_by_role("dialog").filter(has_text=self.TITLE).first
        parent.await_one(f"dialogue {self.TITLE}", self.dialog)

    def value(self, label: str) -> str:
        with self.parent.diagnosed(f"champ {label}"):
            return read_control(self.dialog.get_by_label(name_re(label)).first)

    def code_rrd1(self) -> str:
        return self.value("Code RRD1")

    def close(self) -> ParametragePage:
        self.parent.act("Fermer", lambda: button(self.dialog, name_re("Fermer")).click())
        with self.parent.diagnosed("fermeture du dialogue"):
            soon(expect(self.dialog).to_be_hidden)
        return self.parent
