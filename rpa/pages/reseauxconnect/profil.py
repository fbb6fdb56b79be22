"""`PROFIL`: configure the garantisseurs, once, on the first declaration."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from rpa.pages.base import button, choice, name_re
from rpa.pages.reseauxconnect.declaration import DeclarerVentePage
from rpa.pages.reseauxconnect.frame import CentralisateurPage
from rpa.pages.soon import soon


class ProfilPage(CentralisateurPage):
    def landmark(self) -> Locator:
        return self.page.get_by_role("heading", name=name_re("PROFIL"))

    def configure(self, garantisseurs: list[str]) -> DeclarerVentePage:
        """Tick exactly the configured rows and `Modifier`; the declaration page follows."""
        for garantisseur in garantisseurs:
            box = choice(self.page, "checkbox", garantisseur)
            with self.diagnosed(f"case {garantisseur}"):
                soon(expect(box).to_be_attached)
                box.check()
        self.act("Modifier", lambda: button(self.page, name_re("Modifier")).click())
        following = DeclarerVentePage(self.page, wait=False)
        self.await_one("enregistrement du profil", following.landmark())
        return following


def landing(popup: Page) -> ProfilPage | DeclarerVentePage:
    """Where the Planet VO popup lands: `PROFIL` the first time, the declaration otherwise."""
    profil = ProfilPage(popup, wait=False)
    declarer = DeclarerVentePage(popup, wait=False)
    if profil.await_one("fenêtre reseauxconnect", profil.landmark(), declarer.landmark()) == 0:
        return ProfilPage(popup)
    return DeclarerVentePage(popup)
