"""A run's folder and what it keeps: the summary `rpa runs` lists, the traces `rpa trace`
opens, the scratch space of unscrubbed traces, and the retention of folders that hold
customer data."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from loguru import logger
from pydantic import BaseModel

from rpa.browser.tracing import SCRATCH
from rpa.core.errors import UsageError
from rpa.core.files import private_file
from rpa.runs.outcome import Outcome, Result

RUN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")  # a run folder's name: never a path


def new_run_id() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")[:-3]


class RunSummary(BaseModel):
    run_id: str
    command: str
    started: dt.datetime
    seconds: float
    outcomes: list[Outcome]
    stopped: str = ""  # why the run stopped early (a refused sign-in, a portal down)

    def count(self, *results: Result) -> int:
        return sum(1 for o in self.outcomes if o.result in results)

    @property
    def skipped(self) -> int:
        """Items this run had nothing to do with (done before, twice in the file, deferred)."""
        return self.count(Result.DEJA_FAIT, Result.DOUBLON, Result.REPORTE)

    def save(self, run_dir: Path) -> Path:
        """`run.json`: what `rpa runs` lists and `rpa runs show` details."""
        with private_file(run_dir / "run.json") as tmp:
            tmp.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        return run_dir / "run.json"


def load_summaries(runs_dir: Path) -> list[RunSummary]:
    """Every run that wrote its summary, oldest first."""
    summaries = []
    for path in sorted(runs_dir.glob("*/run.json")):
        try:
            summaries.append(RunSummary.model_validate_json(path.read_text(encoding="utf-8")))
        except ValueError:
            continue  # a run killed before its summary: its log is still there
    return summaries


def find_trace(runs_dir: Path, run_id: str, item: str) -> Path:
    """The trace kept for `item` (Vo Vendu, BDC, plate or VIN) in run `run_id`."""
    found = [s for s in load_summaries(runs_dir) if s.run_id == run_id]
    if not found:
        raise UsageError(f"Aucun run {run_id} dans {runs_dir} (voir `rpa runs`).")
    wanted = item.strip().casefold()
    matches = [o for o in found[0].outcomes
               if wanted in {v.casefold() for v in (o.key, o.bdc, o.immat, o.vin) if v}]
    if not matches:
        raise UsageError(f"Aucun véhicule « {item} » dans le run {run_id} (voir `rpa runs show {run_id}`).")
    traced = [o for o in matches if o.trace and Path(o.trace).exists()]
    if not traced:
        raise UsageError(
            f"Pas de trace pour {matches[0].key} dans le run {run_id} ({matches[0].result}) : "
            "RPA_TRACE=on-failure ne garde que les échecs, RPA_TRACE=always les garde toutes."
        )
    return Path(traced[0].trace)


def prune_runs(runs_dir: Path, days: int) -> list[Path]:
    """Delete run folders older than `days` days (they hold customer data)."""
    limit = dt.datetime.now().timestamp() - days * 86400
    gone = []
    for run in runs_dir.glob("*/"):
        if run.is_dir() and run.stat().st_mtime < limit:
            shutil.rmtree(run)
            gone.append(run)
    if gone:
        logger.info("{} run(s) de plus de {} jours supprimé(s)", len(gone), days)
    return gone


def discard_scratch(runs_dir: Path, keep: Path) -> None:
    """A run killed mid-item leaves its unscrubbed trace chunks behind: delete them."""
    for stale in runs_dir.glob(f"*/{SCRATCH}"):
        if stale != keep:
            shutil.rmtree(stale, ignore_errors=True)
