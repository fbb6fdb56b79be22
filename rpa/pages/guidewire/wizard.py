"""The devis wizard: `Contrat`, `Véhicules`, `Devis` (offers), `Informations sur la police`,
the purchase dialog, `Confirmation`.

Each step is recognised by the control a user works with there (the `VIN *` box, the
`Sélectionner` buttons, `Acheter maintenant`), not by a step-list highlight that replicas
draw differently.
"""

from __future__ import annotations

import re
from typing import Literal

from playwright.sync_api import Locator, Page, expect

from rpa.core.errors import BusinessError
from rpa.pages.base import Table, button, cell, name_re, read_control
from rpa.pages.guidewire.frame import GwPage
from rpa.pages.soon import soon

POLICE_RE = re.compile(r"Paiement effectu[ée]\s*\(\s*Police\s*(\d+)\s*\)", re.I)
# Containers a replica may draw an offer card with, innermost last.
CARD_ROLES: tuple[Literal["article", "group", "region", "listitem", "row", "cell"], ...] = (
    "article", "group", "region", "listitem", "row", "cell",
)


class WizardStep(GwPage):
    def _advance(self, name: str, following: WizardStep, what: str) -> None:
        """Click `name`; the next step must show, or the portal says why not."""
        self.repeatable(what, button(self.page, name_re(name)).click, following.landmark())


class ContratStep(WizardStep):
    def landmark(self) -> Locator:
        return self.page.get_by_label(name_re("Date de livraison"))

    def date_livraison(self) -> str:
        return read_control(self.landmark().first)

    def next(self) -> VehiculesStep:
        step = VehiculesStep(self.page, wait=False)
        self._advance("Suivant", step, "Contrat → Suivant")
        return step


class VehiculesStep(WizardStep):
    def landmark(self) -> Locator:
        return self.page.get_by_label(name_re("VIN"))

    def value(self, label: str) -> str:
        with self.diagnosed(f"champ {label}"):
            return read_control(self.page.get_by_label(name_re(label)).first)

    def vin(self) -> str:
        return self.value("VIN")

    def next(self) -> OffersStep:
        step = OffersStep(self.page, wait=False)
        self._advance("Suivant", step, "Véhicules → Suivant")
        return step


class OffersStep(WizardStep):
    """One card per offer, each with its `Sélectionner` button."""

    def buttons(self) -> Locator:
        select = name_re("Sélectionner")
        return self.page.get_by_role("button", name=select).or_(self.page.get_by_role("link", name=select))

    def landmark(self) -> Locator:
        return self.buttons()

    def _card_button(self, offer: str) -> Locator | None:
        title = self.page.get_by_text(name_re(offer))
        named = self.page.get_by_role("article", name=name_re(offer))
        if named.count() == 1:
            return button(named, name_re("Sélectionner"))
        for role in CARD_ROLES:
            cards = self.page.get_by_role(role).filter(has=title).filter(has=self.buttons())
            for card in reversed(cards.all()):
                inner = card.get_by_role("button", name=name_re("Sélectionner")).or_(
                    card.get_by_role("link", name=name_re("Sélectionner")))
                if inner.count() == 1:
                    return inner
        return self._nearest_button(title)

    def _nearest_button(self, title: Locator) -> Locator | None:
        """No container says which card is which: take the button drawn under the name,
        as a reader of the screen would."""
        if title.count() != 1:
            return None
        box = title.bounding_box()
        if box is None:
            return None
        best, best_distance = None, float("inf")
        for candidate in self.buttons().all():
            b = candidate.bounding_box()
            if b is None or b["y"] < box["y"]:
                continue
            distance = abs(b["x"] - box["x"]) + (b["y"] - box["y"])
            if distance < best_distance:
                best, best_distance = candidate, distance
        return best

    def offers_shown(self) -> list[str]:
        """The names the cards show (for the refusal message when the mapped one is absent)."""
        names = []
        for article in self.page.get_by_role("article").all():
            label = article.get_attribute("aria-label")
            if label:
                names.append(label)
        return names

    def select(self, offer: str) -> PolicyInfoStep:
        with self.diagnosed("cartes d'offres"):
            soon(expect(self.buttons().first).to_be_visible)
            choose = self._card_button(offer)
        if choose is None:
            shown = ", ".join(self.offers_shown())
            raise BusinessError(
                f"L'offre « {offer} » n'est pas proposée pour ce devis" + (f" (offres : {shown})" if shown else ""),
                code="offer_absent",
            )
        step = PolicyInfoStep(self.page, wait=False)
        self.repeatable(f"Sélectionner {offer}", choose.click, step.landmark())
        return step


class PolicyInfoStep(WizardStep):
    """`Informations sur la police`: what is about to be bought, and `Acheter maintenant`."""

    def landmark(self) -> Locator:
        return button(self.page, name_re("Acheter maintenant"))

    def details(self) -> dict[str, str]:
        """Label -> value rows (`Type de produit`, `Date d'expiration du devis`, `Prix total`…)."""
        out: dict[str, str] = {}
        table = Table(self.page, "Immatriculation", "VIN")
        for row in self.page.get_by_role("row").all():
            if table.locator.count() and row.get_by_role("columnheader").count():
                continue
            heads = row.get_by_role("rowheader").all_inner_texts()
            cells = cell(row).all_inner_texts()
            if len(heads) == 1 and len(cells) == 1:
                out[heads[0].strip()] = cells[0].strip()
            elif not heads and len(cells) == 2:
                out[cells[0].strip()] = cells[1].strip()
        return out

    def check_before_buying(self) -> None:
        """What the portal said as this step showed (e.g. `Ce devis a expiré`), judged by the
        failure rule: nothing is bought on a step that refuses, fails or says words nobody
        wrote down."""
        self.raise_for_messages("Informations sur la police", fresh=False)

    def buy(self) -> PurchaseDialog:
        self.act("Acheter maintenant", lambda: self.landmark().click())
        return PurchaseDialog(self)


class PurchaseDialog:
    """`Voulez-vous procéder à l'achat de la police maintenant?` — `Cancel` / `Oui`."""

    QUESTION = re.compile(r"proc[ée]der [àa] l.achat", re.I)

    def __init__(self, parent: PolicyInfoStep) -> None:
        self.parent = parent
        self.page: Page = parent.page
        self.dialog = self.page.get_by_role("dialog").filter(has_text=self.QUESTION).or_(
            self.page.get_by_role("alertdialog").filter(has_text=self.QUESTION)).first
        parent.await_one("dialogue de confirmation d'achat", self.dialog)

    def confirm(self) -> ConfirmationStep:
        """`Oui`: this spends money. The caller has checkpointed its intent."""
        self.parent.act("Oui", lambda: button(self.dialog, name_re("Oui")).click())
        done = ConfirmationStep(self.page, wait=False)
        self.parent.await_one("confirmation de paiement", done.landmark())
        return done

    def cancel(self) -> PolicyInfoStep:
        self.parent.act("Cancel", lambda: button(self.dialog, name_re("Cancel")).click())
        return self.parent


class ConfirmationStep(GwPage):
    def landmark(self) -> Locator:
        return self.page.get_by_text(POLICE_RE)

    def police_number(self) -> str:
        match = POLICE_RE.search(self.landmark().first.inner_text())
        assert match is not None
        return match.group(1)
