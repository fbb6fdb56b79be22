"""The GuideWire frame: top bar (house `Accueil`, tabs, `Rechercher`) and the home screen."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page

from rpa.pages.base import BasePage, Table, button, cell, clickable, name_re, starts_re

if TYPE_CHECKING:
    from rpa.pages.guidewire.devis import DevisPage, OpenDevisPage
    from rpa.pages.guidewire.polices import PoliciesPage, PolicyPage

NO_RESULT_RE = re.compile(r"aucune? (r[ée]sultat|correspondance|[ée]l[ée]ment)|no results?|0 r[ée]sultat", re.I)


class GwPage(BasePage):
    """Any signed-in GuideWire screen. Its login page coming back means the session expired."""

    PORTAL = "GuideWire"

    def login_landmark(self) -> Locator:
        return button(self.page, name_re("Connexion"))

    def landmark(self) -> Locator:
        """The top bar's search box, on every signed-in screen (a precise screen says more)."""
        return self.search_box()

    def home(self) -> GwHomePage:
        return self.go("Accueil GuideWire", self.page.get_by_role("link", name=name_re("Accueil")).first,
                       GwHomePage(self.page, wait=False))

    def open_polices(self) -> PoliciesPage:
        from rpa.pages.guidewire.polices import PoliciesPage

        return self.go("onglet Polices", clickable(self.page, name_re("Polices")), PoliciesPage(self.page, wait=False))

    def linked_records(self, table: Table, what: str) -> list[dict[str, str]]:
        """Rows of a list whose number column is a link (`NUMÉRO DE LA TRANSACTION`, `NUMÉRO
        DE POLICE`). Lists are filled after the page, behind a placeholder row: wait for real
        rows or the portal's "Aucun résultat" (then there are none)."""
        rows = table.locator.get_by_role("row").filter(has=self.page.get_by_role("link"))
        self.await_one(what, rows, self.page.get_by_text(NO_RESULT_RE))
        if not rows.count():
            return []
        return self.act(what, table.records)

    def search_box(self) -> Locator:
        """The top bar's `Rechercher` box, on every signed-in screen."""
        return self.page.get_by_role("searchbox", name=name_re("Rechercher")).or_(
            self.page.get_by_role("textbox", name=name_re("Rechercher"))
        ).first

    def search(self, text: str) -> SearchResultsPage:
        """The top-bar search box: a devis number, a police number or a VIN."""
        box = self.search_box()

        def submit() -> None:
            box.fill(text)
            box.press("Enter")

        results = SearchResultsPage(self.page, query=text, wait=False)
        self.repeatable("recherche GuideWire", submit, results.landmark())
        return results


class GwHomePage(GwPage):
    """`Tableau de gestion` with its cards."""

    def landmark(self) -> Locator:
        return clickable(self.page, starts_re("DEVIS OUVERTS"))

    def open_devis_ouverts(self) -> OpenDevisPage:
        from rpa.pages.guidewire.devis import OpenDevisPage

        return self.go("DEVIS OUVERTS", self.landmark(), OpenDevisPage(self.page, wait=False))


class SearchResultsPage(GwPage):
    """Matches of the search box: `TYPE`, `NUMÉRO`, `STATUT`, `COMPTE CLIENT`, `VIN`."""

    def __init__(self, page: Page, *, query: str = "", wait: bool = True) -> None:
        self.query = query
        super().__init__(page, wait=wait)

    def table(self) -> Table:
        return Table(self.page, "TYPE", "NUMÉRO", "STATUT")

    def _matching_rows(self) -> Locator:
        return self.table().locator.get_by_role("row").filter(
            has=cell(self.page, re.compile(re.escape(self.query), re.I)))

    def landmark(self) -> Locator:
        # A result that mentions what was searched, or the portal's "no result".
        return self._matching_rows().or_(self.page.get_by_text(NO_RESULT_RE))

    def records(self) -> list[dict[str, str]]:
        if not self._matching_rows().count():
            return []
        return self.act("résultats de recherche", self.table().records)

    def policies(self) -> list[dict[str, str]]:
        """Rows that are policies (TYPE `Police`), whatever their status."""
        return [r for r in self.records() if r.get("TYPE", "").strip().casefold().startswith("police")]

    def devis(self) -> list[dict[str, str]]:
        return [r for r in self.records() if r.get("TYPE", "").strip().casefold().startswith("devis")]

    def open_devis(self, numero: str) -> DevisPage:
        from rpa.pages.guidewire.devis import DevisPage

        link = self.page.get_by_role("link", name=name_re(numero)).first
        return self.go(f"devis {numero}", link, DevisPage(self.page, wait=False))

    def open_policy(self, numero: str) -> PolicyPage:
        from rpa.pages.guidewire.polices import PolicyPage

        link = self.page.get_by_role("link", name=name_re(numero)).first
        return self.go(f"police {numero}", link, PolicyPage(self.page, wait=False))
