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
from contextlib import contextmanager
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
from rpa.store.ledger import Ledger, Stage
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
    """GuideWire seen by one signed-in tab, for the issued list, searches and downloads; each
    download goes through the per-item boundary (trace, screenshot, the failure rule)."""

    def __init__(self, settings: Settings, page: Page, boundary: Boundary) -> None:
        self.settings = settings
        self.page = page
        self.boundary = boundary

    def home(self) -> GwHomePage:
        return open_guidewire(self.page, self.settings.guidewire)

    def issued(self, wanted: set[str]) -> set[str]:
        """Polices GuideWire has issued among the recent list and `wanted` (each one absent
        from the list confirmed by a search)."""
        rows = retrying(self.settings.retry, "ÉMISES RÉCEMMENT",
                        lambda: self.home().open_polices().open_recent().records())
        issued = {r.get("NUMÉRO DE POLICE", "").strip() for r in rows} - {""}
        for police in sorted(wanted - issued):
            if retrying(self.settings.retry, f"recherche de la police {police}",
                        partial(self._found, police)):
                issued.add(police)
        return issued

    def _found(self, police: str) -> bool:
        rows = self.home().search(police).policies()
        return any(r.get("NUMÉRO", "").strip() == police for r in rows)

    def download(self, police: str, directory: Path) -> Ended[Path]:
        return self.boundary.run(f"police-{police}", partial(
            retrying, self.settings.retry, f"PDF de la police {police}",
            lambda: fetch_policy_pdf(self.home(), police, directory)))


@contextmanager
def _guidewire(settings: Settings, browser: Browser | None, run_dir: Path) -> Iterator[GuideWireSide]:
    scratch = private_dir(run_dir / SCRATCH)
    try:
        with (browser_session(settings.browser) if browser is None else _given(browser)) as b:
            context = new_context(b, settings.browser)
            try:
                page = context.new_page()
                tracer = ItemTracer(context, settings.trace, directory=run_dir / "traces", scratch=scratch,
                                    secrets=settings.secret_values())
                boundary = Boundary(RunGuard(down_after=settings.retry.portal_down_after), tracer=tracer,
                                    evidence=Evidence(run_dir / "screenshots"), screen=lambda: page)
                yield GuideWireSide(settings, page, boundary)
            finally:
                context.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def _given(browser: Browser) -> Iterator[Browser]:
    yield browser


def require_guidewire(settings: Settings) -> None:
    if not settings.guidewire.url:
        raise UsageError("GuideWire n'est pas configuré (RPA_GUIDEWIRE__URL) : renseignez-le, "
                         "ou comparez seulement le dossier et le registre avec --offline.")
    if not settings.guidewire.username or not settings.guidewire.password.get_secret_value():
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
        with _guidewire(settings, browser, run_dir) as gw:
            return _reconcile(settings, directory, ledger, cache, gw, fix, out or run_dir / "rapprochement.xlsx",
                              started)


def _reconcile(settings: Settings, directory: Path, ledger: Ledger, cache: VerdictCache,
               gw: GuideWireSide | None, fix: bool, out: Path,
               started: dt.datetime) -> ReconcileResult:
    files = scan(directory, cache)
    before = {f.rel: f for f in files}
    items = ledger.all()
    portal: set[str] | None = None
    if gw is not None:
        wanted = {f.police for f in files if f.police} | {i.police for i in items if i.police}
        portal = gw.issued(wanted)
    found = compare(files, items, portal, directory)
    logger.info("{} fichier(s), {} écart(s)", len(files), len(found))
    remaining = found
    lost: list[str] = []
    if fix and found:
        _fix(settings, directory, ledger, gw, found)
        files = scan(directory, cache)
        _relink_ledger(directory, ledger, files)
        items = ledger.all()
        remaining = compare(files, items, portal, directory)
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


def _fix(settings: Settings, directory: Path, ledger: Ledger, gw: GuideWireSide | None,
         found: list[Discrepancy]) -> None:
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
    for d in found:
        if d.kind != "pdf_manquant":
            continue
        if gw is None:
            d.action = "hors ligne : rien téléchargé"
            continue
        ended = gw.download(d.police, directory)
        if ended.value is None:  # reported, and the other fixes go on
            reason = ended.failure.message if ended.failure else ended.deferred
            d.action = f"échec du téléchargement : {reason}"
            continue
        path = ended.value
        d.action = f"téléchargé → {path.name}"
        for item in ledger.all():
            if item.police == d.police:  # a police is set at `bought`: now the PDF is filed
                ledger.checkpoint(item.key, Stage.DONE, f"PDF {path.name} (rapprochement)",
                                  pdf=str(path))


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
