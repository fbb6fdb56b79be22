"""Requester: `LISTE DES DEMANDES DES DÉPOSES` and a demande's detail."""

from __future__ import annotations

from playwright.sync_api import Locator, expect

from rpa.pages.base import Table, button, name_re
from rpa.pages.soon import soon
from rpa.pages.traqueur.frame import ExtranetPage

LIST_COLUMNS = ("N° demande", "Date de création", "Résumé (nb)")
DETAIL_COLUMNS = ("VIN", "N° Abonnement", "Statut")


class DemandesListPage(ExtranetPage):
    def table(self) -> Table:
        return Table(self.page, *LIST_COLUMNS)

    def landmark(self) -> Locator:
        return self.table().locator

    def records(self) -> list[dict[str, str]]:
        """Every demande: `N° demande` (`#63`), `Date de création`, …, `Résumé (nb)`."""
        rows = self.table().locator.get_by_role("row").filter(has=self.page.get_by_role("link"))
        empty = self.page.get_by_text(name_re("Aucune demande"))
        self.await_one("liste des demandes", rows, empty)
        return self.act("liste des demandes", self.table().records) if rows.count() else []

    def open(self, numero: str) -> DemandeDetailPage:
        """Click the `N° demande` link (`#64`)."""
        label = numero if numero.startswith("#") else f"#{numero}"
        link = self.page.get_by_role("link", name=name_re(label)).first
        return self.go(f"demande {label}", link, DemandeDetailPage(self.page, wait=False))


class DemandeDetailPage(ExtranetPage):
    def table(self) -> Table:
        return Table(self.page, *DETAIL_COLUMNS)

    def landmark(self) -> Locator:
        return self.table().locator

    def lines(self) -> list[dict[str, str]]:
        return self.wait_for_lines(self.table(), "détail de la demande")

    def cancel(self, vin: str, status: str) -> DemandeDetailPage:
        """Click the line's status (`Prévenu` or `Acceptée`), then `Annuler la demande`."""
        self.act(f"statut {vin}", lambda: self.status_control(self.table(), vin, status).click())
        cancel = name_re("Annuler la demande")
        dialog = self.page.get_by_role("dialog").filter(has=button(self.page, cancel)).first
        self.await_one("dialogue d'annulation", dialog)
        self.act("Annuler la demande", lambda: button(dialog, cancel).click())
        with self.diagnosed("dialogue d'annulation"):
            soon(expect(dialog).to_be_hidden)
        return DemandeDetailPage(self.page)
