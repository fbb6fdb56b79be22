"""`MON COMPTE : <compte>` and its actions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Locator

from rpa.pages.base import name_re
from rpa.pages.traqueur.common import ExtranetPage

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

    def _go(self, link: str) -> None:
        self.act(link, lambda: self.page.get_by_role("link", name=name_re(link)).first.click())

    def open_new_request(self) -> UploadPage:
        """Requester: `Créer une nouvelle demande de dépose`."""
        from rpa.pages.traqueur.request import UploadPage

        self._go("Créer une nouvelle demande de dépose")
        return UploadPage(self.page)

    def open_my_requests(self) -> DemandesListPage:
        """Requester: `Gérer les demandes de déposes` → `LISTE DES DEMANDES DES DÉPOSES`."""
        from rpa.pages.traqueur.demandes import DemandesListPage

        self._go("Gérer les demandes de déposes")
        return DemandesListPage(self.page)

    def open_removals(self) -> RemovalsPage:
        """Remover: `Gérer les demandes de déposes` → `GÉRER LES DÉPOSES`."""
        from rpa.pages.traqueur.removals import RemovalsPage

        self._go("Gérer les demandes de déposes")
        return RemovalsPage(self.page)
