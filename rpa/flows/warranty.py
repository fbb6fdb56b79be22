"""The warranty chain for one vehicle, stage by stage: Planet VO prerequisites ->
reseauxconnect declaration -> GuideWire purchase -> the policy PDF.

Each stage is retried as a whole on system failures, every portal starting again from its
address (rpa/flows/tabs.py). The vehicle's ledger entry is passed along: each checkpoint
returns the new one, and the stage that follows starts from it.

Money rule: before `Acheter maintenant` the stage proves on GuideWire itself (search by VIN,
in a second tab) that the vehicle has no policy yet, and checkpoints its intent; after a
crash it looks the policy up before trying again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

from loguru import logger
from playwright.sync_api import Page

from rpa.browser.tracing import ItemTracer
from rpa.config import Settings
from rpa.core.errors import BusinessError, DocumentNotReady
from rpa.core.retry import retrying, waiting_for_document
from rpa.core.text import same
from rpa.flows.evidence import Evidence
from rpa.flows.prerequisites import Prerequisites, Sale
from rpa.flows.tabs import PortalTabs
from rpa.pages.guidewire import GwPage
from rpa.pages.reseauxconnect import DeclarerVentePage, ProfilPage, landing
from rpa.policies.filing import check_pdf, file_policy
from rpa.sheets.queue import WarrantyItem
from rpa.store.ledger import Ledger, LedgerItem, Stage

T = TypeVar("T")

def fetch_policy_pdf(home: GwPage, police: str, directory: Path) -> Path:
    """Download the PDF of police `police` from its policy page, check it and file it in
    `directory` under the portal's name. Shared by the warranty chain and the reconciliation,
    so a PDF is always fetched and checked the same way."""
    policy = home.search(police).open_policy(police)
    if policy.document_count() == 0:  # the card says so: no need to open the list
        raise DocumentNotReady(f"le PDF de la police {police} n'est pas encore disponible")
    names = policy.open_documents()
    if not names:
        raise DocumentNotReady(f"le PDF de la police {police} n'est pas encore disponible")
    name = next((n for n in names if police in n), names[0])
    with tempfile.TemporaryDirectory(prefix="rpa-dl-") as tmp:
        download = policy.download(name, Path(tmp))
        check_pdf(download.path, police)
        return file_policy(download.path, download.suggested_name, police, directory)


class WarrantyStages:
    """The business rules of the chain for one worker, one vehicle at a time."""

    def __init__(self, settings: Settings, ledger: Ledger, tabs: PortalTabs, *,
                 tracer: ItemTracer | None = None, evidence: Evidence | None = None,
                 run_dir: Path | None = None) -> None:
        """`run_dir`: where the run keeps its files (the exported queue…)."""
        self.settings = settings
        self.ledger = ledger
        self.tabs = tabs
        self.tracer = tracer
        self.evidence = evidence or Evidence(None)
        self.run_dir = run_dir
        self.entry = LedgerItem(key="")  # the vehicle in progress, as the ledger last said
        self.prerequisites = Prerequisites(settings.guidewire)

    # -- retries and checkpoints -----------------------------------------------------------
    def retrying(self, what: str, fn: Callable[[], T]) -> T:
        return retrying(self.settings.retry, what, self._afresh_after_failure(fn))

    def _afresh_after_failure(self, fn: Callable[[], T]) -> Callable[[], T]:
        """After any failure, every portal starts again from its address."""
        def attempt() -> T:
            try:
                return fn()
            except BaseException:
                self.tabs.forget_screens()
                raise
        return attempt

    def checkpoint(self, stage: Stage, detail: str = "", **fields: str) -> None:
        self.entry = self.ledger.checkpoint(self.entry.key, stage, detail, **fields)

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        """A named group in the trace viewer (one per stage of the chain)."""
        if self.tracer is None:
            yield
            return
        with self.tracer.stage(name):
            yield

    # -- what a run needs before its first vehicle -----------------------------------------
    def preflight(self) -> None:
        """Sign in to every portal the run needs before the first vehicle: a refused GuideWire
        password is found before any declaration is made (a devis that cannot be bought is
        work for a person), a portal that cannot be reached before any vehicle is tried."""
        self.retrying("connexion Planet VO", self.tabs.planetvo_home)
        for account in self.settings.guidewire.account_names():
            self.retrying(f"connexion GuideWire {account}".strip(), partial(self.tabs.guidewire_screen, account))

    # -- the chain ---------------------------------------------------------------------------
    def run(self, item: WarrantyItem) -> tuple[LedgerItem, bool]:
        """Push one vehicle as far as it goes, from the stage the ledger has it at. Returns its
        last entry, and whether it was already done (by an earlier run)."""
        self.entry = self.ledger.ensure(item.key, bdc=item.bdc)
        if self.entry.stage is Stage.DONE and self.entry.pdf and Path(self.entry.pdf).exists():
            logger.info("déjà fait : police {} classée dans {}", self.entry.police, self.entry.pdf)
            return self.entry, True
        unplaced = self.settings.guidewire.by_site and not self.entry.account
        if self.entry.stage.rank < Stage.DECLARED.rank or unplaced:
            with self._stage("Planet VO : prérequis"):
                sale = self.retrying("prérequis Planet VO", lambda: self.check_prerequisites(item))
            self.entry = self.ledger.ensure(item.key, bdc=sale.bdc, site=sale.site, account=sale.account)
        if self.entry.stage.rank < Stage.DECLARED.rank:
            with self._stage("reseauxconnect : déclaration"):
                self.retrying("déclaration reseauxconnect", lambda: self.declare(item))
        if self.entry.stage.rank < Stage.BOUGHT.rank:
            with self._stage("GuideWire : achat"):
                self.retrying("achat GuideWire", self.buy)
        if self.entry.stage is not Stage.DONE or not self.entry.pdf or not Path(self.entry.pdf).exists():
            with self._stage("GuideWire : PDF de la police"):
                waiting_for_document(self.settings.retry, self._afresh_after_failure(self.file_pdf))
        return self.entry, False

    # -- stage 1: Planet VO prerequisites ----------------------------------------------------
    def check_prerequisites(self, item: WarrantyItem) -> Sale:
        """The BDC's rules, checked on Planet VO (`rpa/flows/prerequisites.py`)."""
        return self.prerequisites.check(self.tabs.planetvo_home(), item)

    # -- stage 2: Garantir and the reseauxconnect declaration ------------------------------
    def declare(self, item: WarrantyItem) -> None:
        entry = self.entry
        vehicle = self.tabs.planetvo_home().open_gestion_vehicules().open_vehicle(item.vo_vendu)
        rc = self.settings.reseauxconnect
        popup = vehicle.garantir().declare(
            self.settings.planetvo.garantisseur, rc.username, rc.password.get_secret_value()
        )
        try:
            screen = landing(popup)
            if isinstance(screen, ProfilPage):
                logger.info("première déclaration : configuration du Profil {}", rc.garantisseurs)
                screen = screen.configure(rc.garantisseurs)
            if entry.stage is Stage.DECLARING and entry.vin:
                # We clicked `Déclarer et Garantir` last time and never saw the answer.
                devis = screen.open_accueil().devis_for_vin(entry.vin)
                if devis:
                    self.checkpoint(Stage.DECLARED, "retrouvé dans Accueil", devis=devis)
                    return
                screen.act("Déclarer Vente", lambda: screen.nav_link("Déclarer Vente").click())
                screen = DeclarerVentePage(popup)
            self._declare_on_form(item, screen)
        except Exception as err:
            self.evidence.capture(item.key, popup, err)  # the popup closes below: capture it first
            raise
        finally:
            popup.close()

    def _declare_on_form(self, item: WarrantyItem, screen: DeclarerVentePage) -> None:
        form = screen.choose(self.settings.reseauxconnect.garantisseurs[0])
        for label, wanted in item.fields.items():
            if not form.has_field(label):
                logger.debug("colonne « {} » sans champ correspondant sur le formulaire", label)
                continue
            current = form.value(label)
            if not current:
                form.fill(label, wanted)
            elif not same(current, wanted):
                raise BusinessError(
                    f"Champ « {label} » : le formulaire indique « {current} », "
                    f"la file de travail « {wanted} »",
                    code="field_mismatch",
                )
        garantie, duree = form.value("Garantie"), form.value("Durée")
        offer = self.settings.guidewire.offer_for(garantie, duree)
        if offer is None:
            # Never guess what to buy; and never create a devis we could not buy.
            raise BusinessError(
                f"Aucune offre GuideWire configurée pour « {garantie}|{duree} » (RPA_GUIDEWIRE__OFFERS)",
                code="offer_unmapped",
            )
        vin, immat = form.value("VIN").upper(), form.value("Immatriculation").upper()
        bought = self.ledger.bought_elsewhere(vin, self.entry.key)
        if bought is not None:
            # A policy bought outside the bot (filed by `rpa reconcile --fix`): nothing to declare.
            filed = bool(bought.pdf) and Path(bought.pdf).exists()
            self.checkpoint(Stage.DONE if filed else Stage.BOUGHT, f"police {bought.police} achetée hors rpa",
                            vin=vin, immat=immat, police=bought.police, pdf=bought.pdf, account=bought.account)
            logger.info("police {} déjà achetée hors rpa pour {} : rien à déclarer", bought.police, vin)
            return
        self.checkpoint(Stage.DECLARING, vin=vin, immat=immat, offer=offer)
        answer = form.declare()
        detail = "déjà déclaré" if answer.already_declared else "déclaré"
        self.checkpoint(Stage.DECLARED, detail, devis=answer.devis)
        logger.info("{} : devis {}", detail, answer.devis)

    # -- stage 3: GuideWire purchase -----------------------------------------------------------
    def existing_policy(self, vin: str, page: Page | None = None) -> str | None:
        """The police number GuideWire already holds for this VIN, if any (asked on the portal,
        under the vehicle's own account)."""
        results = self.tabs.guidewire_screen(self.entry.account, page).search(vin)
        for row in results.policies():
            if "annul" not in row.get("STATUT", "").casefold():
                return row.get("NUMÉRO", "").strip() or None
        return None

    def buy(self) -> None:
        entry = self.entry
        police = self.existing_policy(entry.vin)
        if police:
            self.checkpoint(Stage.BOUGHT, "police trouvée sur GuideWire", police=police)
            logger.info("police {} déjà souscrite pour {} : rien à acheter", police, entry.vin)
            return
        devis_page = self.tabs.guidewire_screen(entry.account).search(entry.devis).open_devis(entry.devis)
        if not devis_page.can_continue():
            raise BusinessError(
                f"Devis {entry.devis} : {devis_page.status() or 'ne peut pas être poursuivi'}",
                code="devis_closed",
            )
        step = devis_page.continue_devis().next().next().select(entry.offer)
        step.check_before_buying()  # `Ce devis a expiré`, or anything else said against it
        # Prove once more, right before paying, that nobody bought it meanwhile.
        police = self.existing_policy(entry.vin, self.tabs.checker(entry.account))
        if police:
            self.checkpoint(Stage.BOUGHT, "police trouvée sur GuideWire", police=police)
            return
        self.checkpoint(Stage.BUYING, f"achat {entry.offer} sur devis {entry.devis}")
        police = step.buy().confirm().police_number()
        self.checkpoint(Stage.BOUGHT, "police souscrite", police=police)
        logger.info("police {} souscrite", police)

    # -- stage 4: the policy PDF ---------------------------------------------------------------
    def file_pdf(self) -> None:
        path = fetch_policy_pdf(self.tabs.guidewire_screen(self.entry.account), self.entry.police,
                                self.settings.policy_folder(self.entry.account))
        self.checkpoint(Stage.DONE, f"PDF {path.name}", pdf=str(path))
        logger.info("PDF classé : {}", path)
