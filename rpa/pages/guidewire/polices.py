"""`Polices`: `ÉMISES RÉCEMMENT`, the policy screen, its `DOCUMENTS` and the PDF download."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Download as PwDownload
from playwright.sync_api import Locator

from rpa.core.errors import PortalUnavailable
from rpa.pages.base import Table, clickable, name_re, starts_re
from rpa.pages.guidewire.frame import GwPage

PDF_NAME_RE = re.compile(r"\.pdf\s*$", re.I)
COUNT_RE = re.compile(r"(\d+)")


class PoliciesPage(GwPage):
    def landmark(self) -> Locator:
        return clickable(self.page, starts_re("ÉMISES RÉCEMMENT"))

    def open_recent(self) -> RecentPoliciesPage:
        return self.go("ÉMISES RÉCEMMENT", self.landmark(), RecentPoliciesPage(self.page, wait=False))


class RecentPoliciesPage(GwPage):
    def table(self) -> Table:
        return Table(self.page, "NUMÉRO DE POLICE", "STATUT")

    def landmark(self) -> Locator:
        return self.table().locator

    def records(self) -> list[dict[str, str]]:
        return self.linked_records(self.table(), "polices émises")

    def open_policy(self, numero: str) -> PolicyPage:
        link = self.page.get_by_role("link", name=name_re(numero)).first
        return self.go(f"police {numero}", link, PolicyPage(self.page, wait=False))


@dataclass
class Download:
    suggested_name: str  # the portal's own file name, as offered
    path: Path  # where it was saved


class PolicyPage(GwPage):
    """`PSA Used Vehicle Warranty (0001003079) En vigueur` with SYNTHÈSE / DOCUMENTS cards."""

    HEADING_RE = re.compile(r"\((\d+)\)")

    def landmark(self) -> Locator:
        return self.documents_card()

    def documents_card(self) -> Locator:
        return clickable(self.page, starts_re("DOCUMENTS"))

    def document_count(self) -> int | None:
        """The count the `DOCUMENTS` card shows (`0` until the PDF is made), if it shows one."""
        match = COUNT_RE.search(self.documents_card().inner_text())
        return int(match.group(1)) if match else None

    def document_links(self) -> Locator:
        return self.page.get_by_role("link", name=PDF_NAME_RE)

    def open_documents(self) -> list[str]:
        """Click `DOCUMENTS`; the file names listed (none yet if the PDF is still being made)."""
        none = self.page.get_by_text(re.compile(r"aucun document", re.I))
        self.repeatable("DOCUMENTS", self.documents_card().click, self.document_links(), none)
        return [t.strip() for t in self.document_links().all_inner_texts()]

    def download(self, name: str, directory: Path) -> Download:
        """Download one listed document into `directory` (a temporary place: the caller
        checks it before filing it)."""
        link = self.page.get_by_role("link", name=name_re(name)).first
        what = f"téléchargement {name}"
        download: PwDownload = self.await_event(what, "download", link.click)
        # A download the server answered with an error fails in the browser, not on the page.
        failure = download.failure()
        if failure is not None:
            raise PortalUnavailable(f"{what} : le téléchargement a échoué ({failure})")
        with self.diagnosed(what):
            directory.mkdir(parents=True, exist_ok=True)
            target = directory / f"download-{abs(hash(download.url))}.part"
            download.save_as(target)
        return Download(suggested_name=download.suggested_filename, path=target)
