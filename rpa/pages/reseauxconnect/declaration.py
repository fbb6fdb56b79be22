"""`DECLARATION VENTE SPOTICAR`: choose the garantie, fill the form, `Déclarer et Garantir`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import Locator, expect

from rpa.pages.base import button, choice, name_re, read_control, write_control
from rpa.pages.reseauxconnect.frame import CentralisateurPage
from rpa.pages.soon import soon

DEVIS_RE = re.compile(r"num[ée]ro devis\s*:\s*(\d+)", re.I)
ALREADY_RE = re.compile(r"d[ée]j[àa] [ée]t[ée] d[ée]clar[ée]", re.I)
REFERENCE_RE = re.compile(r"\bSP[0-9A-Z]{8,}\b")


class DeclarerVentePage(CentralisateurPage):
    """Block 2: one radio per configured garantisseur, then `Page Suivante`."""

    def landmark(self) -> Locator:
        return button(self.page, name_re("Page Suivante"))

    def choose(self, garantisseur: str) -> DeclarationFormPage:
        radio = choice(self.page, "radio", garantisseur)
        with self.diagnosed(f"garantie commerciale {garantisseur}"):
            soon(expect(radio).to_be_attached)

        def pick() -> None:
            radio.check()
            self.landmark().click()

        form = DeclarationFormPage(self.page, wait=False)
        self.repeatable("formulaire de déclaration", pick, form.landmark())
        return form


@dataclass
class DeclarationOutcome:
    """What the Centralisateur answered to `Déclarer et Garantir`."""

    devis: str
    already_declared: bool = False
    messages: list[str] = field(default_factory=list)  # the portal's words


class DeclarationFormPage(CentralisateurPage):
    def landmark(self) -> Locator:
        return button(self.page, name_re("Déclarer et Garantir"))

    def control(self, label: str) -> Locator:
        return self.page.get_by_label(name_re(label)).first

    def has_field(self, label: str) -> bool:
        return self.page.get_by_label(name_re(label)).count() > 0

    def value(self, label: str) -> str:
        with self.diagnosed(f"champ {label}"):
            return read_control(self.control(label))

    def fill(self, label: str, value: str) -> None:
        with self.diagnosed(f"saisie du champ {label}"):
            write_control(self.control(label), value)

    def reference(self) -> str:
        text = str(self.page.evaluate("() => document.body.innerText"))
        match = REFERENCE_RE.search(text)
        return match.group(0) if match else ""

    def declare(self) -> DeclarationOutcome:
        """`Déclarer et Garantir`, then read the answer: the devis number (of a new devis, or
        of the one `Ce véhicule a déjà été déclaré` names). Anything else the portal says
        (`Le champ … est obligatoire` on each missing field…) is judged by the failure rule."""
        self.act("Déclarer et Garantir", lambda: self.landmark().click())
        success = self.page.get_by_text(DEVIS_RE)
        self.await_one("réponse à la déclaration", success)
        texts = [t.strip() for t in success.all_inner_texts()]
        for text in texts:
            match = DEVIS_RE.search(text)
            if match:
                return DeclarationOutcome(
                    devis=match.group(1), already_declared=bool(ALREADY_RE.search(text)), messages=texts,
                )
        raise self.diagnose("réponse à la déclaration")
