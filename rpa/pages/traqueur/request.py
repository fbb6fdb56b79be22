"""A new removal request: upload the file, check the review page, `CONFIRMER`."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator

from rpa.core.errors import PageMismatch
from rpa.pages.base import button, name_re
from rpa.pages.traqueur.frame import ExtranetPage

REVIEW_COLUMNS = ("VIN", "N° Abonnement", "Code distributeur", "Statut")
DONE_RE = re.compile(r"Votre demande a bien [ée]t[ée] enregistr[ée]e", re.I)


class UploadPage(ExtranetPage):
    """A file field (the only one; its label is not reliable) and `OK`."""

    def landmark(self) -> Locator:
        return button(self.page, name_re("OK"))

    def file_field(self) -> Locator:
        """A file input is a button to assistive technology: the one that takes files."""
        for candidate in self.page.get_by_role("button").all():
            if candidate.evaluate("e => e instanceof HTMLInputElement && e.type === 'file'"):
                return candidate
        raise PageMismatch("aucun champ fichier sur la page de dépôt")

    def upload(self, path: Path) -> ReviewPage:
        with self.diagnosed("dépôt du fichier"):
            self.file_field().set_input_files(path)
        self.act("OK", lambda: self.landmark().click())
        review = ReviewPage(self.page, wait=False)
        self.await_one("page de vérification", review.landmark())
        return review


class ReviewPage(ExtranetPage):
    """`Veuillez vérifier les éléments saisies :` — each line `Nouvelle` or `Rejetée : <motif>`."""

    def landmark(self) -> Locator:
        return button(self.page, name_re("CONFIRMER"))

    def lines(self) -> list[dict[str, str]]:
        return self.wait_for_lines(self.lines_table(*REVIEW_COLUMNS), "lignes à vérifier")

    def confirm(self) -> ConfirmationPage:
        self.act("CONFIRMER", lambda: self.landmark().click())
        done = ConfirmationPage(self.page, wait=False)
        self.await_one("CONFIRMER", done.landmark())
        return done


class ConfirmationPage(ExtranetPage):
    """`DEMANDE ENREGISTRÉE`."""

    def landmark(self) -> Locator:
        return self.page.get_by_text(DONE_RE)
