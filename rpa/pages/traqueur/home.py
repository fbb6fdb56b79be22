"""`MON COMPTE : <compte>` and its actions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Locator

from rpa.pages.base import name_re
from rpa.pages.traqueur.frame import ExtranetPage

if TYPE_CHECKING:
    from rpa.pages.traqueur.demandes import DemandesListPage
    from rpa.pages.traqueur.removals import RemovalsPage
    from rpa.pages.traqueur.request import UploadPage

ACCOUNT_RE = re.compile(r"MON COMPTE\s*:\s*(.+)", re.I)


class TraqueurHome(ExtranetPage):
    def landmark(self) -> Locator:
        return self.page.get_by_role("heading", name=ACCOUNT_RE)

    def account(self) -> str:
        match = ACCOUNT_RE.search(self.landmark().first.inner_text())
        return match.group(1).strip() if match else ""

    def _link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name_re(name)).first

    def open_new_request(self) -> UploadPage:
        """Requester: `Créer une nouvelle demande de dépose`."""
        from rpa.pages.traqueur.request import UploadPage

        link = "Créer une nouvelle demande de dépose"
        return self.go(link, self._link(link), UploadPage(self.page, wait=False))

    def open_my_requests(self) -> DemandesListPage:
        """Requester: `Gérer les demandes de déposes` → `LISTE DES DEMANDES DES DÉPOSES`."""
        from rpa.pages.traqueur.demandes import DemandesListPage

        link = "Gérer les demandes de déposes"
        return self.go(link, self._link(link), DemandesListPage(self.page, wait=False))

    def open_removals(self) -> RemovalsPage:
        """Remover: `Gérer les demandes de déposes` → `GÉRER LES DÉPOSES`."""
        from rpa.pages.traqueur.removals import RemovalsPage

        link = "Gérer les demandes de déposes"
        return self.go(link, self._link(link), RemovalsPage(self.page, wait=False))
