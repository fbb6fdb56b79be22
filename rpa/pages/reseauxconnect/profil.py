"""`PROFIL`: configure the garantisseurs, once, on the first declaration."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from rpa.errors import BusinessError
from rpa.pages.base import BasePage, choice, name_re
from rpa.pages.reseauxconnect.declaration import DeclarerVentePage
from rpa.pages.reseauxconnect.nav import CentralisateurPage


class ProfilPage(CentralisateurPage):
    def landmark(self) -> Locator:
        return self.page.get_by_role("heading", name=name_re("PROFIL"))

    def configure(self, garantisseurs: list[str]) -> DeclarerVentePage:
        """Tick exactly the configured rows and `Modifier`; the declaration page follows."""
        for garantisseur in garantisseurs:
            box = choice(self.page, "checkbox", garantisseur)
            with self.diagnosed(f"case {garantisseur}"):
                expect(box).to_be_attached()
                box.check()
        self.act("Modifier", lambda: self.page.get_by_role("button", name=name_re("Modifier")).click())
        following = DeclarerVentePage(self.page, wait=False)
        refusal = self.page.get_by_role("alert")
        with self.diagnosed("enregistrement du profil"):
            expect(following.landmark().or_(refusal).first).to_be_visible()
        if not following.landmark().first.is_visible():
            raise BusinessError(" ; ".join(self.alerts()), code="profil_refused")
        return DeclarerVentePage(self.page)


def landing(popup: Page) -> ProfilPage | DeclarerVentePage:
    """Where the Planet VO popup lands: `PROFIL` the first time, the declaration otherwise."""
    profil = ProfilPage(popup, wait=False)
    declarer = DeclarerVentePage(popup, wait=False)
    page = BasePage(popup, wait=False)
    with page.diagnosed("fenêtre reseauxconnect"):
        expect(profil.landmark().or_(declarer.landmark()).first).to_be_visible()
    if profil.landmark().first.is_visible():
        return ProfilPage(popup)
    return DeclarerVentePage(popup)
