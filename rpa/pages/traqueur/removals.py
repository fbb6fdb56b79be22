"""Remover: `GÉRER LES DÉPOSES`, the status dialog (`N° Abo …`) and `SIGNALER UNE DÉPOSE`."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from rpa.pages.base import Table, button, cell, clickable, loose, name_re
from rpa.pages.soon import soon
from rpa.pages.traqueur.frame import ExtranetPage

COLUMNS = ("Demandeur", "VIN", "N° Abonnement", "Statut")
SUBMIT_RE = re.compile(r"^\s*(OK|Valider|Confirmer.*|Envoyer)\s*$", re.I)


class RemovalsPage(ExtranetPage):
    def table(self) -> Table:
        return Table(self.page, *COLUMNS)

    def landmark(self) -> Locator:
        return self.table().locator

    def lines(self) -> list[dict[str, str]]:
        return self.wait_for_lines(self.table(), "demandes de dépose")

    def open_status(self, vin: str, status: str) -> StatusDialog:
        """Click the status of the line for `vin` (showing `status`)."""
        self.act(f"statut {vin}", lambda: self.status_control(self.table(), vin, status).click())
        return StatusDialog(self)


class StatusDialog:
    """`N° Abo <n°>` — `Accepter la demande`, `Refuser la demande`, `Signaler la dépose`."""

    def __init__(self, parent: RemovalsPage) -> None:
        self.parent = parent
        self.page = parent.page
        self.dialog = self.page.get_by_role("dialog").filter(has_text=re.compile(r"N°\s*Abo", re.I)).first
        with parent.diagnosed("dialogue de statut"):
            soon(expect(self.dialog).to_be_visible)

    def _after(self, what: str, vin: str, target: str) -> RemovalsPage:
        return after_action(self.parent, what, vin, target)

    def accept(self, vin: str) -> RemovalsPage:
        self.parent.act("Accepter la demande", lambda: button(self.dialog, name_re("Accepter la demande")).click())
        return self._after("Accepter la demande", vin, "Acceptée")

    def refuse(self, vin: str, motif: str) -> RemovalsPage:
        refuse = button(self.dialog, name_re("Refuser la demande"))
        self.parent.act("Refuser la demande", refuse.click)
        with self.parent.diagnosed("Refuser la demande"):
            field = self.page.get_by_label(name_re("Motif du refus")).first
            soon(expect(field).to_be_visible)
            field.fill(motif)
        # The form's own submit (`OK`…), or `Refuser la demande` again where that is it.
        submit = button(self.dialog, SUBMIT_RE).or_(button(self.page, SUBMIT_RE)).first
        self.parent.act("Refuser la demande (motif)", lambda: (submit if submit.count() else refuse).click())
        return self._after("Refuser la demande", vin, "Refusée")

    def report(self) -> SignalerPage:
        self.parent.act("Signaler la dépose", lambda: button(self.dialog, name_re("Signaler la dépose")).click())
        form = SignalerPage(self.page, wait=False)
        # A status that no longer allows it is refused on the list, not on the form.
        self.parent.await_one("Signaler la dépose", form.landmark())
        return form


def after_action(page: ExtranetPage, what: str, vin: str, target: str) -> RemovalsPage:
    """Wait for what the user waits for: the line showing its new status (what the portal
    says instead is judged by the failure rule)."""
    following = RemovalsPage(page.page, wait=False)
    shown = re.compile(rf"^\s*{loose(target)}", re.I)
    status = cell(page.page, shown).or_(clickable(page.page, shown))
    done = following.table().locator.get_by_role("row").filter(has=cell(page.page, name_re(vin))).filter(has=status)
    page.await_one(what, done)
    return following


class SignalerPage(ExtranetPage):
    """`SIGNALER UNE DÉPOSE`: confirming means the box was physically removed."""

    def landmark(self) -> Locator:
        return self.page.get_by_label(name_re("Nom du technicien"))

    def submit(self, vin: str, date_depose: str, boitier: str, technicien: str) -> RemovalsPage:
        with self.diagnosed("SIGNALER UNE DÉPOSE"):
            if date_depose:
                self.page.get_by_label(name_re("Date de dépose")).first.fill(date_depose)
            self.page.get_by_label(name_re("7 derniers chiffres du numéro de boîtier")).first.fill(boitier)
            self.landmark().first.fill(technicien)
        self.act("OK", lambda: button(self.page, name_re("OK")).click())
        return after_action(self, "signalement", vin, "Effectuée")
