"""`DEVIS OUVERTS` and the devis screen (`Continuer le devis`)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator

from rpa.pages.base import Table, button, name_re
from rpa.pages.guidewire.frame import GwPage
from rpa.pages.guidewire.wizard import ContratStep

HEADING_RE = re.compile(r"Devis\s*\((\d+)\)\s*(.*)", re.I)


class OpenDevisPage(GwPage):
    """`Devis ouverts au cours des 30 derniers jours`."""

    def table(self) -> Table:
        return Table(self.page, "CRÉÉ", "NUMÉRO DE LA TRANSACTION", "STATUT")

    def landmark(self) -> Locator:
        return self.table().locator

    def records(self) -> list[dict[str, str]]:
        return self.linked_records(self.table(), "devis ouverts")

    def open_devis(self, numero: str) -> DevisPage:
        link = self.page.get_by_role("link", name=name_re(numero)).first
        return self.go(f"devis {numero}", link, DevisPage(self.page, wait=False))


class DevisPage(GwPage):
    """`Devis (0001006185) Devis en ébauche` with `Continuer le devis`."""

    def heading(self) -> Locator:
        return self.page.get_by_role("heading", name=HEADING_RE).or_(self.page.get_by_text(HEADING_RE)).first

    def landmark(self) -> Locator:
        return self.heading()

    def status(self) -> str:
        match = HEADING_RE.search(self.heading().inner_text())
        return match.group(2).strip() if match else ""

    def number(self) -> str:
        match = HEADING_RE.search(self.heading().inner_text())
        return match.group(1) if match else ""

    def can_continue(self) -> bool:
        return button(self.page, name_re("Continuer le devis")).count() > 0

    def continue_devis(self) -> ContratStep:
        return self.go("Continuer le devis", button(self.page, name_re("Continuer le devis")),
                       ContratStep(self.page, wait=False))
