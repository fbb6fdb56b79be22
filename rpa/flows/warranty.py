"""The warranty chain for one vehicle: Planet VO -> reseauxconnect -> GuideWire -> policy PDF.

Each vehicle runs inside one boundary (`WarrantyRunner.process`) that resumes from the
ledger, classifies any failure, records it and lets the queue go on. Each stage is retried
as a whole on system failures, starting again from the portal's base URL: after a lost
session or a 5xx page the only safe place to stand is the start.

Money rule: before `Acheter maintenant` the runner proves on GuideWire itself (search by
VIN, in a second tab) that the vehicle has no policy yet, and checkpoints its intent; after
a crash it looks the policy up before trying again.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from loguru import logger
from playwright.sync_api import Browser, BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError

from rpa.browser import current_document, new_context
from rpa.config import Settings
from rpa.errors import BusinessError, DocumentNotReady, RpaError, SignInRefused
from rpa.failures import Kind, classify
from rpa.files import private_dir, private_file
from rpa.flows.guard import RunGuard
from rpa.flows.planetvo_queue import export_bdcs, resolve_vehicle
from rpa.ledger import Ledger, LedgerItem, Stage
from rpa.logs import secrets_of
from rpa.pages.base import same
from rpa.pages.guidewire import GwPage, open_guidewire
from rpa.pages.planetvo import MenuPage, open_planetvo
from rpa.pages.reseauxconnect import DeclarerVentePage, ProfilPage, landing
from rpa.policies import check_pdf, file_policy
from rpa.report import Outcome
from rpa.retry import retrying, waiting_for_document
from rpa.tracing import SCRATCH, ItemTracer, TracePolicy
from rpa.workqueue import WarrantyItem

T = TypeVar("T")

# A BDC's `Garantie` must be one of these for the Centralisateur to take it (tutorial).
ELIGIBLE_GARANTIE_RE = re.compile(r"spoticar|ds\s*certified", re.I)


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


@dataclass
class WarrantyRunner:
    """Drives one browser context through the chain, vehicle after vehicle.

    One Planet VO tab and one GuideWire tab live for the whole run, so each portal is
    signed into once, not once per vehicle.
    """

    settings: Settings
    ledger: Ledger
    browser: Browser
    run_dir: Path | None = None  # where this run keeps its files (the exported queue…)
    session: Path | None = None  # the portal cookies this worker starts from and leaves behind
    guard: RunGuard = field(default_factory=RunGuard)  # shared by the run's workers
    # Who holds an item's claim in the ledger: this machine, process and worker.
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}")
    context: BrowserContext = field(init=False)
    planetvo: Page = field(init=False)
    guidewire: Page = field(init=False)
    _checker: Page | None = field(default=None, init=False)
    _last: Page | None = field(default=None, init=False)  # the screen a failure happened on
    _shot: Path | None = field(default=None, init=False)
    _rrd1: dict[str, str] = field(default_factory=dict, init=False)
    _signed_in: set[Page] = field(default_factory=set, init=False)  # tabs left on a good screen
    tracer: ItemTracer = field(init=False)

    def __post_init__(self) -> None:
        self.context = new_context(self.browser, self.settings.browser, self.session)
        run_dir = self.run_dir or Path(tempfile.gettempdir())
        self.tracer = ItemTracer(
            self.context, self.settings.trace if self.run_dir else TracePolicy.OFF,
            directory=run_dir / "traces", scratch=run_dir / SCRATCH, secrets=secrets_of(self.settings),
        )
        self.planetvo = self.context.new_page()
        self.guidewire = self.context.new_page()

    def close(self) -> None:
        if self.session is not None:
            try:
                with private_file(self.session) as saving:
                    self.context.storage_state(path=saving)
            except PlaywrightError as exc:  # the browser is gone: the next run signs in
                logger.warning("sessions non enregistrées : {}", exc.message.splitlines()[0])
        self.context.close()

    # -- retry policies ------------------------------------------------------------------
    def _retrying(self, what: str, fn: Callable[[], T]) -> T:
        return retrying(self.settings.retry, what, self._afresh_after_failure(fn))

    def _afresh_after_failure(self, fn: Callable[[], T]) -> Callable[[], T]:
        """After any failure, every portal starts again from its address: the screen a tab
        was left on is trusted only after steps that went well."""
        def attempt() -> T:
            try:
                return fn()
            except BaseException:
                self._signed_in.clear()
                raise
        return attempt

    # -- portal entry points -----------------------------------------------------------------
    def _still_on(self, page: Page, landmark: Locator, login: Locator) -> bool:
        """Does `page` still show a signed-in screen of its portal, as the last step left it?
        (What a user sees at a glance: no waiting, and any doubt means going back home.)"""
        if page not in self._signed_in or page.is_closed():
            return False
        document = current_document(page)
        if document is not None and document[1] >= 400:
            return False
        try:
            return landmark.first.is_visible() and not login.first.is_visible()
        except PlaywrightError:
            return False

    def planetvo_home(self) -> MenuPage:
        """Planet VO's menu, which every screen carries: from the screen the tab shows when
        it is a signed-in one, else from the portal's address (signing in if asked)."""
        self._last = self.planetvo
        screen = MenuPage(self.planetvo, wait=False)
        if self._still_on(self.planetvo, screen.menu_link("Paramétrage"), screen.login_landmark()):
            self.planetvo.bring_to_front()
            return screen
        home = open_planetvo(self.planetvo, self.settings.planetvo, self.guard)
        self._signed_in.add(self.planetvo)
        return home

    def guidewire_screen(self, page: Page | None = None) -> GwPage:
        """A signed-in GuideWire screen, whose top bar searches: the one the tab shows, else
        the portal's home."""
        page = self._last = page or self.guidewire
        screen = GwPage(page, wait=False)
        if self._still_on(page, screen.search_box(), screen.login_landmark()):
            page.bring_to_front()
            return screen
        home = open_guidewire(page, self.settings.guidewire, self.guard)
        self._signed_in.add(page)
        return home

    def preflight(self) -> None:
        """Sign in to every portal the run needs before the first vehicle: a refused GuideWire
        password is found before any declaration is made (a devis that cannot be bought is
        work for a person), a portal that cannot be reached before any vehicle is tried."""
        self._retrying("connexion Planet VO", self.planetvo_home)
        self._retrying("connexion GuideWire", self.guidewire_screen)

    def _screenshot(self, key: str, page: Page | None = None) -> None:
        """What the screen showed when the vehicle failed, for whoever is on duty.
        (Password fields show as dots: nothing secret is captured.)"""
        page = page or self._last
        if self.run_dir is None or page is None or page.is_closed() or self._shot is not None:
            return
        target = private_dir(self.run_dir / "screenshots") / f"{re.sub(r'[^A-Za-z0-9_-]', '_', key)}.png"
        try:
            page.screenshot(path=str(target), full_page=True, timeout=5_000)
            target.chmod(0o600)
            self._shot = target
        except PlaywrightError as err:  # a dead page must not hide the real failure
            logger.debug("capture d'écran impossible : {}", err)

    # -- building the queue from Planet VO ----------------------------------------------------
    def lookup(self, *, immat: str = "", vin: str = "", bdc: str = "") -> WarrantyItem:
        """One vehicle named by plate, VIN or BDC number, read off Planet VO."""
        return self._retrying(
            "recherche du véhicule",
            lambda: resolve_vehicle(self.planetvo_home(), immat=immat, vin=vin, bdc=bdc),
        )

    def export_queue(self, destination: Path, statut: str = "") -> Path:
        """The Planet VO `Exporter` file of the BDCs (optionally only those with `statut`)."""
        return self._retrying(
            "Exporter Planet VO", lambda: export_bdcs(self.planetvo_home(), destination, statut)
        )

    # -- the per-item boundary ---------------------------------------------------------------
    def process(self, item: WarrantyItem) -> Outcome:
        """One vehicle, claimed in the ledger for the time it takes: no other worker, run or
        machine works on it meanwhile."""
        started = dt.datetime.now().astimezone()
        if self.guard.stopped is not None:
            return Outcome(row=item.row, key=item.key, started=started, result="reporté",
                           reason=self.guard.stopped.reason, finished=dt.datetime.now().astimezone())
        holder = self.ledger.claim(item.key, self.worker)
        if holder is not None:
            logger.bind(item=item.key).warning("déjà pris en charge par {} : laissé à ce poste", holder)
            return Outcome(row=item.row, key=item.key, started=started, result="pris ailleurs",
                           reason=f"en cours sur {holder}", finished=dt.datetime.now().astimezone())
        try:
            return self._process_claimed(item, started)
        finally:
            self.ledger.release(item.key, self.worker)

    def _process_claimed(self, item: WarrantyItem, started: dt.datetime) -> Outcome:
        log = logger.bind(item=item.key)
        entry = self.ledger.ensure(item.key, bdc=item.bdc)
        outcome = Outcome(row=item.row, key=item.key, started=started)
        if entry.stage is Stage.DONE and entry.pdf and Path(entry.pdf).exists():
            log.info("déjà fait : police {} classée dans {}", entry.police, entry.pdf)
            return self._outcome(outcome, "déjà fait")
        self._shot = None
        self.tracer.begin(item.key)
        result, reason = "échec", ""
        try:
            with logger.contextualize(item=item.key):
                self._run_stages(item)
            log.success("terminé")
            result = "terminé"
            self.guard.item_ended()
        except SignInRefused as refused:  # not this vehicle's failure: the run stops (RunGuard)
            result, reason = "reporté", refused.message
        except Exception as err:  # noqa: BLE001  # the boundary: whatever it was, the queue goes on
            failure = classify(err)
            self.ledger.record_failure(item.key, failure.kind.value, failure.message)
            portal = err.portal if isinstance(err, RpaError) else ""
            self.guard.item_ended(system_failure_on=portal if failure.kind is Kind.SYSTEM else "")
            if isinstance(err, (RpaError, PlaywrightError)):
                log.error("échec {} : {}", failure.kind.value, failure.message)
            else:  # the bot's own bug: the whole traceback goes to the run's log file
                log.opt(exception=err).error("échec {} (erreur inattendue) : {}", failure.kind.value, failure.message)
            self._screenshot(item.key)
        finally:
            trace = self.tracer.finish(item.key, failed=result != "terminé")
        return self._outcome(outcome, result, trace, reason)

    def _outcome(self, outcome: Outcome, result: str, trace: Path | None = None, reason: str = "") -> Outcome:
        entry = self.ledger.get(outcome.key)
        assert entry is not None
        return outcome.model_copy(
            update={
                "result": result, "bdc": entry.bdc, "immat": entry.immat, "vin": entry.vin,
                "stage": entry.stage.value, "devis": entry.devis, "police": entry.police,
                "pdf": entry.pdf, "failure_kind": entry.error_kind if result == "échec" else "",
                "reason": entry.error if result == "échec" else reason,
                "finished": dt.datetime.now().astimezone(),
                "screenshot": str(self._shot) if self._shot and result == "échec" else "",
                "trace": str(trace or ""),
            }
        )

    def _entry(self, key: str) -> LedgerItem:
        entry = self.ledger.get(key)
        assert entry is not None
        return entry

    def _run_stages(self, item: WarrantyItem) -> None:
        stage = self.tracer.stage
        if self._entry(item.key).stage.rank < Stage.DECLARED.rank:
            with stage("Planet VO : prérequis"):
                bdc = self._retrying("prérequis Planet VO", lambda: self.check_prerequisites(item))
            self.ledger.ensure(item.key, bdc=bdc)
            with stage("reseauxconnect : déclaration"):
                self._retrying("déclaration reseauxconnect", lambda: self.declare(item))
        if self._entry(item.key).stage.rank < Stage.BOUGHT.rank:
            with stage("GuideWire : achat"):
                self._retrying("achat GuideWire", lambda: self.buy(item))
        entry = self._entry(item.key)
        if entry.stage is not Stage.DONE or not entry.pdf or not Path(entry.pdf).exists():
            with stage("GuideWire : PDF de la police"):
                waiting_for_document(self.settings.retry, self._afresh_after_failure(lambda: self.file_pdf(item)))

    # -- stage 1: Planet VO prerequisites ----------------------------------------------------
    def check_prerequisites(self, item: WarrantyItem) -> str:
        """The BDC is `Cloturé`, carries a Spoticar/DS garantie and a delivery date, and its
        site has a Code RRD1. Returns the BDC number."""
        home = self.planetvo_home()
        criteria = {"N°": item.bdc} if item.bdc else {"vo vendu": item.vo_vendu}
        listing = home.open_bons_de_commande().search(**criteria)
        rows = [
            r for r in listing.all_records()
            if r.get("Vo Vendu", "").strip() == item.vo_vendu
            and (not item.bdc or r.get("N°", "").strip() == item.bdc)
        ]
        if not rows:
            raise BusinessError(
                f"Aucun bon de commande pour le véhicule {item.vo_vendu}"
                + (f" (BDC {item.bdc})" if item.bdc else ""),
                code="bdc_unknown",
            )
        row = max(rows, key=lambda r: (_date_key(r.get("Date de création", "")), r.get("N°", "")))
        numero, statut = row.get("N°", "").strip(), row.get("Statut", "").strip()
        if not same(statut, "Cloturé"):
            raise BusinessError(
                f"Bon de commande {numero} non clôturé (statut : {statut})", code="bdc_not_closed"
            )
        form = listing.open_bdc(numero)
        garantie, livraison = form.garantie(), form.date_livraison()
        form.close()
        if not ELIGIBLE_GARANTIE_RE.search(garantie):
            raise BusinessError(
                f"Bon de commande {numero} : aucune garantie Spoticar / DS Certified"
                f" (Garantie : « {garantie} »)",
                code="no_spoticar_garantie",
            )
        if not livraison:
            raise BusinessError(
                f"Bon de commande {numero} : date de livraison manquante", code="no_delivery_date"
            )
        site = row.get("Site VO Vendu", "").strip()
        if not self._site_rrd1(home, site):
            raise BusinessError(f"Code RRD1 SPOTICAR manquant pour le site {site}", code="rrd1_missing")
        return numero

    def _site_rrd1(self, home: MenuPage, site: str) -> str:
        """Read once per site and run: every vehicle of a site shares its Code RRD1."""
        if site not in self._rrd1:
            dialog = home.open_parametrage().open_site(site)
            self._rrd1[site] = dialog.code_rrd1().strip()
            dialog.close()
        return self._rrd1[site]

    # -- stage 2: Garantir and the reseauxconnect declaration ------------------------------
    def declare(self, item: WarrantyItem) -> None:
        entry = self._entry(item.key)
        vehicle = self.planetvo_home().open_gestion_vehicules().open_vehicle(item.vo_vendu)
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
                    self.ledger.checkpoint(item.key, Stage.DECLARED, "retrouvé dans Accueil", devis=devis)
                    return
                screen.act("Déclarer Vente", lambda: screen.nav_link("Déclarer Vente").click())
                screen = DeclarerVentePage(popup)
            self._declare_on_form(item, screen)
        except BaseException:
            self._screenshot(item.key, popup)  # the popup closes below: capture it first
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
        self.ledger.checkpoint(item.key, Stage.DECLARING, vin=vin, immat=immat, offer=offer)
        answer = form.declare()
        detail = "déjà déclaré" if answer.already_declared else "déclaré"
        self.ledger.checkpoint(item.key, Stage.DECLARED, detail, devis=answer.devis)
        logger.info("{} : devis {}", detail, answer.devis)

    # -- stage 3: GuideWire purchase -----------------------------------------------------------
    def existing_policy(self, vin: str, page: Page | None = None) -> str | None:
        """The police number GuideWire already holds for this VIN, if any (asked on the portal)."""
        results = self.guidewire_screen(page).search(vin)
        for row in results.policies():
            if "annul" not in row.get("STATUT", "").casefold():
                return row.get("NUMÉRO", "").strip() or None
        return None

    def _checker_tab(self) -> Page:
        if self._checker is None or self._checker.is_closed():
            self._checker = self.context.new_page()
        return self._checker

    def buy(self, item: WarrantyItem) -> None:
        entry = self._entry(item.key)
        police = self.existing_policy(entry.vin)
        if police:
            self.ledger.checkpoint(item.key, Stage.BOUGHT, "police trouvée sur GuideWire", police=police)
            logger.info("police {} déjà souscrite pour {} : rien à acheter", police, entry.vin)
            return
        devis_page = self.guidewire_screen().search(entry.devis).open_devis(entry.devis)
        if not devis_page.can_continue():
            raise BusinessError(
                f"Devis {entry.devis} : {devis_page.status() or 'ne peut pas être poursuivi'}",
                code="devis_closed",
            )
        step = devis_page.continue_devis().next().next().select(entry.offer)
        step.check_before_buying()  # `Ce devis a expiré`, or anything else said against it
        # Prove once more, right before paying, that nobody bought it meanwhile.
        police = self.existing_policy(entry.vin, self._checker_tab())
        if police:
            self.ledger.checkpoint(item.key, Stage.BOUGHT, "police trouvée sur GuideWire", police=police)
            return
        self.ledger.checkpoint(item.key, Stage.BUYING, f"achat {entry.offer} sur devis {entry.devis}")
        police = step.buy().confirm().police_number()
        self.ledger.checkpoint(item.key, Stage.BOUGHT, "police souscrite", police=police)
        logger.info("police {} souscrite", police)

    # -- stage 4: the policy PDF ---------------------------------------------------------------
    def file_pdf(self, item: WarrantyItem) -> None:
        entry = self._entry(item.key)
        path = fetch_policy_pdf(self.guidewire_screen(), entry.police, self.settings.policies_dir)
        self.ledger.checkpoint(item.key, Stage.DONE, f"PDF {path.name}", pdf=str(path))
        logger.info("PDF classé : {}", path)


def _date_key(text: str) -> str:
    """`JJ/MM/AAAA` sorted as a date."""
    parts = text.strip().split("/")
    return "".join(reversed(parts)) if len(parts) == 3 else text
