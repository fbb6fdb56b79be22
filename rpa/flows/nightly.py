"""`rpa nightly`: every closed BDC, unattended, once a night and never twice at once.

Planet VO's own `Exporter` of the BDCs `Cloturé` is the night's queue, kept with the run.
The ledger makes a second run the same night buy nothing; a lock makes two runs never
overlap; an optional deadline stops cleanly between vehicles. The policies folder is then
reconciled against the ledger and GuideWire (report only: a person decides on `--fix`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loguru import logger

from rpa.config import Settings
from rpa.core.lock import busy, exclusive
from rpa.flows.planetvo_queue import exported_queue
from rpa.flows.reconcile import ReconcileResult, reconcile
from rpa.flows.run import RunResult, run_warranty
from rpa.flows.warranty import WarrantyStages
from rpa.runs.archive import RunSummary, prune_runs
from rpa.runs.notify import notify
from rpa.runs.outcome import Outcome
from rpa.sheets.queue import WarrantyItem


@dataclass
class NightlyResult:
    run: RunResult
    reconciliation: ReconcileResult

    @property
    def exit_code(self) -> int:
        return max(self.run.exit_code, self.reconciliation.exit_code)


def next_occurrence(at: dt.time | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """The deadline as a moment: today at `at`, or tomorrow if that has passed (a night run
    started at 22:00 with a 05:30 deadline ends the next morning)."""
    if at is None:
        return None
    now = now or dt.datetime.now()
    moment = dt.datetime.combine(now.date(), at)
    return moment if moment > now else moment + dt.timedelta(days=1)


NIGHT = "Un run nocturne"  # what the lock's refusal calls it


def night_lock(settings: Settings) -> Path:
    return settings.data_dir / "nightly.lock"


def night_refusal(settings: Settings) -> str | None:
    """Why a night cannot start now (one is under way), as `rpa nightly` would say it."""
    return busy(night_lock(settings), NIGHT)


def closed_bdcs(stages: WarrantyStages) -> list[WarrantyItem]:
    """Planet VO: Bon de commande, `statut` = `Cloturé`, `Exporter`."""
    return exported_queue(stages, statut="Cloturé")


def run_nightly(
    settings: Settings,
    *,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    now: dt.datetime | None = None,
    run_id: str | None = None,
) -> NightlyResult:
    settings.require_warranty_portals()
    with exclusive(night_lock(settings), NIGHT):
        prune_runs(settings.runs_dir, settings.nightly.retention_days)
        stop_at = next_occurrence(settings.nightly.deadline, now)
        run = run_warranty(settings, closed_bdcs, stop_at=stop_at, command="nightly", run_id=run_id,
                           on_start=on_start, on_done=on_done)
        out = settings.runs_dir / run.run_id / "rapprochement.xlsx"
        # A night stopped by a refused password or a portal down does not knock on GuideWire
        # again: the folder and the ledger are still compared.
        reconciliation = reconcile(settings, out=out, offline=run.stopped is not None)
        logger.info("nuit {} : {} véhicule(s), rapprochement : {} écart(s)", run.run_id,
                    len(run.outcomes), len(reconciliation.remaining))
        run_dir = settings.runs_dir / run.run_id
        summary = RunSummary.model_validate_json((run_dir / "run.json").read_text(encoding="utf-8"))
        notify(settings.notify, summary, run_dir / "rapport.html", len(reconciliation.remaining))
        return NightlyResult(run, reconciliation)
