"""`rpa reconcile`: the policies folder against the ledger and GuideWire, and `--fix`.

GuideWire's side is read in one browser: `Polices` → `ÉMISES RÉCEMMENT` for the issued list,
then the search box for every police seen in the folder or the ledger but absent from that
list (ÉMISES RÉCEMMENT shows only recent policies: absent there is not absent from GuideWire).

`--fix` never deletes: bad files and duplicates go to `<DIR>-quarantaine/<same relative path>`
beside DIR (a numeric suffix rather than overwriting), missing PDFs are downloaded exactly as
the warranty chain does it, then the folder is scanned again and what remains is reported.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from loguru import logger
from playwright.sync_api import Browser, Page

from rpa.browser.launch import browser_session, new_context
from rpa.browser.tracing import SCRATCH, ItemTracer
from rpa.config import Settings
from rpa.core.errors import UsageError
from rpa.core.files import private_dir
from rpa.core.retry import retrying
from rpa.flows.boundary import Boundary, Ended
from rpa.flows.evidence import Evidence
from rpa.flows.guard import RunGuard
from rpa.flows.warranty import fetch_policy_pdf
from rpa.pages.guidewire import GwHomePage, open_guidewire
from rpa.policies.folder import (
    KINDS,
    Discrepancy,
    PdfFile,
    compare,
    free_path,
    quarantine_dir,
    scan,
    to_quarantine,
)
from rpa.runs.archive import new_run_id
from rpa.sheets.workbook import write_workbook
from rpa.store.gw_policies import GuideWireFacts, PolicyFacts
from rpa.store.ledger import Ledger, LedgerItem, Stage
from rpa.store.verdicts import VerdictCache

COLUMNS = ("Type", "Libellé", "Police", "Fichier", "Détail", "Action", "Après correction")


@dataclass
class ReconcileResult:
    directory: Path
    files: int
    found: list[Discrepancy]  # before any fix, with the action taken on each
    remaining: list[Discrepancy]  # after the fix (the same as `found` without --fix)
    path: Path  # the workbook
    seconds: float
    fixed: bool = False
    lost: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.remaining else 0

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per kind: (found, remaining)."""
        return {k: (sum(d.kind == k for d in self.found), sum(d.kind == k for d in self.remaining))
                for k in KINDS}


class GuideWireSide:
    """GuideWire seen by one signed-in tab of one account, for the issued list, searches and
    downloads; each download goes through the per-item boundary (trace, screenshot, the
    failure rule). What each search learned is kept in the ledger (`GuideWireFacts`)."""

    def __init__(self, settings: Settings, page: Page, boundary: Boundary, facts: GuideWireFacts,
                 account: str = "") -> None:
        self.settings = settings
        self.page = page
        self.boundary = boundary
        self.facts = facts
        self.account = account

    def home(self) -> GwHomePage:
        return open_guidewire(self.page, self.settings.guidewire.sign_in(self.account))

    def issued(self, wanted: set[str], known: set[str]) -> dict[str, str]:
        """Polices this account holds among its recent list and `wanted` (each one absent from
        the list confirmed by a search, or by what an earlier search learned), with the VIN of
        each one the ledger does not `know` (bought outside the bot)."""
        rows = retrying(self.settings.retry, f"ÉMISES RÉCEMMENT {self.account}".strip(),
                        lambda: self.home().open_polices().open_recent().records())
        recent = {r.get("NUMÉRO DE POLICE", "").strip() for r in rows} - {""}
        issued: dict[str, str] = {}
        for police in sorted(recent | wanted):
            facts = self.facts.get(police, self.account)
            needs_vin = police not in known and not (facts and facts.vin)
            if police in recent and not needs_vin:
                issued[police] = facts.vin if facts else ""
                continue
            if facts is None or needs_vin or not facts.status:
                facts = retrying(self.settings.retry, f"recherche de la police {police}", partial(self._search, police))
                self.facts.put(facts)
            if facts.status and "annul" not in facts.status.casefold() or police in recent:
                issued[police] = facts.vin
        return issued

    def _search(self, police: str) -> PolicyFacts:
        rows = self.home().search(police).policies()
        row = next((r for r in rows if r.get("NUMÉRO", "").strip() == police), None)
        if row is None:
            return PolicyFacts(police, self.account, "", "")
        return PolicyFacts(police, self.account, row.get("STATUT", "").strip() or "émise", row.get("VIN", "").strip())

    def download(self, police: str, directory: Path) -> Ended[Path]:
        return self.boundary.run(f"police-{police}", partial(
            retrying, self.settings.retry, f"PDF de la police {police}",
            lambda: fetch_policy_pdf(self.home(), police, directory)))


@contextmanager
def _guidewire(settings: Settings, browser: Browser | None, run_dir: Path,
               facts: GuideWireFacts) -> Iterator[dict[str, GuideWireSide]]:
    """One signed-in side per GuideWire account, each in a context of its own (one session
    per site) with its own trace."""
    scratch = private_dir(run_dir / SCRATCH)
    guard = RunGuard(down_after=settings.retry.portal_down_after)
    try:
        with (browser_session(settings.browser) if browser is None else _given(browser)) as b, ExitStack() as open_:
            sides: dict[str, GuideWireSide] = {}
            for account in settings.guidewire.account_names():
                context = new_context(b, settings.browser)
                open_.callback(context.close)
                page = context.new_page()
                tracer = ItemTracer(context, settings.trace, directory=run_dir / "traces", scratch=scratch,
                                    secrets=settings.secret_values())
                sides[account] = GuideWireSide(settings, page, _boundary(guard, tracer, run_dir, page), facts, account)
            yield sides
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _boundary(guard: RunGuard, tracer: ItemTracer, run_dir: Path, page: Page) -> Boundary:
    """Each account's downloads: traced in its own context, its tab shot on failure."""
    return Boundary(guard, tracer=tracer, evidence=Evidence(run_dir / "screenshots"), screen=lambda: page)


@contextmanager
def _given(browser: Browser) -> Iterator[Browser]:
    yield browser


def require_guidewire(settings: Settings) -> None:
    if not settings.guidewire.url:
        raise UsageError("GuideWire n'est pas configuré (RPA_GUIDEWIRE__URL) : renseignez-le, "
                         "ou comparez seulement le dossier et le registre avec --offline.")
    if not settings.guidewire.by_site and (not settings.guidewire.username
                                           or not settings.guidewire.password.get_secret_value()):
        raise UsageError("Identifiants manquants : RPA_GUIDEWIRE__USERNAME et "
                         "RPA_GUIDEWIRE__PASSWORD (ou --offline).")


def reconcile(settings: Settings, directory: Path | None = None, *, fix: bool = False,
              offline: bool = False, out: Path | None = None,
              browser: Browser | None = None) -> ReconcileResult:
    """Compare, optionally fix, scan again, write the workbook."""
    started = dt.datetime.now()
    directory = (directory or settings.policies_dir).resolve()
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} n'est pas un dossier")
    if not offline:
        require_guidewire(settings)
    run_dir = private_dir(settings.runs_dir / new_run_id())
    with Ledger(settings.ledger_location) as ledger:
        cache = VerdictCache(ledger.store)
        if offline:
            return _reconcile(settings, directory, ledger, cache, None, fix, out or run_dir / "rapprochement.xlsx",
                              started)
        with _guidewire(settings, browser, run_dir, GuideWireFacts(ledger.store)) as gw:
            return _reconcile(settings, directory, ledger, cache, gw, fix, out or run_dir / "rapprochement.xlsx",
                              started)


def _reconcile(settings: Settings, directory: Path, ledger: Ledger, cache: VerdictCache,
               gw: dict[str, GuideWireSide] | None, fix: bool, out: Path,
               started: dt.datetime) -> ReconcileResult:
    files = scan(directory, cache)
    before = {f.rel: f for f in files}
    items = ledger.all()
    held: dict[str, tuple[str, str]] | None = None  # police -> (account, VIN) on GuideWire
    if gw is not None:
        held = _held(gw, files, items)
    portal = set(held) if held is not None else None
    outside = {p: vin for p, (_, vin) in (held or {}).items()}
    found = compare(files, items, portal, directory, outside)
    logger.info("{} fichier(s), {} écart(s)", len(files), len(found))
    remaining = found
    lost: list[str] = []
    if fix and found:
        _fix(directory, ledger, gw, held or {}, found)
        files = scan(directory, cache)
        _relink_ledger(directory, ledger, files)
        items = ledger.all()
        remaining = compare(files, items, portal, directory, outside)
        lost = _lost(directory, before, {f.rel for f in files}, found)
    left = {(d.kind, d.police, d.file) for d in remaining}
    rows: list[list[object]] = [
        [d.kind, d.label, d.police, d.file, d.detail, d.action,
         ("reste" if (d.kind, d.police, d.file) in left else "corrigé") if fix else ""]
        for d in found
    ]
    seen = {(d.kind, d.police, d.file) for d in found}
    rows += [[d.kind, d.label, d.police, d.file, d.detail, "", "nouveau"]
             for d in remaining if (d.kind, d.police, d.file) not in seen]
    path = write_workbook(out, "Rapprochement", COLUMNS, rows, (18, 40, 12, 60, 70, 60, 16))
    seconds = (dt.datetime.now() - started).total_seconds()
    return ReconcileResult(directory=directory, files=len(files), found=found, remaining=remaining,
                           path=path, seconds=seconds, fixed=fix, lost=lost)


def _held(gw: dict[str, GuideWireSide], files: list[PdfFile], items: list[LedgerItem]) -> dict[str, tuple[str, str]]:
    """Every police GuideWire holds, by account: each account's recent list, and each police
    of the folder or the ledger looked up under its own account (a file outside any account's
    folder under every account)."""
    known = {i.police for i in items if i.police}
    held: dict[str, tuple[str, str]] = {}
    for account, side in gw.items():
        wanted = {i.police for i in items if i.police and i.account in (account, "")}
        wanted |= {f.police for f in files if f.police and (not account or _folder_of(f.rel) in (account, ""))}
        for police, vin in side.issued(wanted, known).items():
            held.setdefault(police, (account, vin))
    return held


def _folder_of(rel: str) -> str:
    """The account folder a file of the policies folder is in ("" at the top)."""
    parts = Path(rel).parts
    return parts[0] if len(parts) > 1 else ""


def _fix(directory: Path, ledger: Ledger, gw: dict[str, GuideWireSide] | None,
         held: dict[str, tuple[str, str]], found: list[Discrepancy]) -> None:
    """Quarantine first (so a download never lands on a bad file's name), then download."""
    quarantine = quarantine_dir(directory)
    for d in found:
        if not to_quarantine(d, gw is not None):
            continue
        source = directory / d.file
        if not source.exists():
            continue
        target = free_path(quarantine / d.file)
        folder = private_dir(quarantine)
        for part in Path(d.file).parent.parts:  # every level private, not only the last
            folder = private_dir(folder / part)
        shutil.move(str(source), target)
        target.chmod(0o600)
        d.action = f"mis en quarantaine → {target}"
        logger.info("{} : {} mis en quarantaine ({})", d.kind, d.file, target)
    by_police: dict[str, list[LedgerItem]] = {}  # the ledger read once, not once a discrepancy
    for entry in ledger.all():
        if entry.police:
            by_police.setdefault(entry.police, []).append(entry)
    for d in found:
        if d.kind not in ("pdf_manquant", "achetee_hors_rpa"):
            continue
        known = by_police.get(d.police, [])
        account = known[0].account if known else held.get(d.police, ("", ""))[0]
        path: Path | None = directory / d.file if d.file else None
        if path is None:
            if gw is None:
                d.action = "hors ligne : rien téléchargé"
                continue
            ended = gw[account].download(d.police, directory / account if account else directory)
            if ended.value is None:  # reported, and the other fixes go on
                reason = ended.failure.message if ended.failure else ended.deferred
                d.action = f"échec du téléchargement : {reason}"
                continue
            path = ended.value
            d.action = f"téléchargé → {path.name}"
        if d.kind == "achetee_hors_rpa":  # the chain will never declare nor buy this vehicle
            ledger.record_outside(d.police, held[d.police][1], account, str(path))
            d.action = (d.action + " ; " if d.action else "") + "inscrite au registre (achetée hors rpa)"
            continue
        for item in known:  # a police is set at `bought`: now the PDF is filed
            ledger.checkpoint(item.key, Stage.DONE, f"PDF {path.name} (rapprochement)", pdf=str(path))


def _relink_ledger(directory: Path, ledger: Ledger, files: list[PdfFile]) -> None:
    """An item whose `pdf` was moved away points to the file kept for its police."""
    good: dict[str, Path] = {}
    for f in files:
        if f.good:
            good.setdefault(f.police, directory / f.rel)
    for item in ledger.all():
        if item.police in good and (not item.pdf or not Path(item.pdf).exists()):
            ledger.ensure(item.key, pdf=str(good[item.police]))


def _lost(directory: Path, before: dict[str, PdfFile], after: set[str],
          found: list[Discrepancy]) -> list[str]:
    """Files that were in DIR, are no longer there and were not quarantined (must be none)."""
    moved = {d.file for d in found if d.action.startswith("mis en quarantaine")}
    return [rel for rel in before if rel not in after and rel not in moved
            and not os.path.exists(directory / rel)]
