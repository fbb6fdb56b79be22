"""A warranty run over a queue: one browser, one ledger, one results workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loguru import logger

from rpa.browser import browser_session
from rpa.config import Settings
from rpa.errors import BusinessError
from rpa.files import private_dir
from rpa.flows.warranty import WarrantyRunner
from rpa.ledger import Ledger
from rpa.report import Outcome, write_results
from rpa.workqueue import WarrantyItem


@dataclass
class RunResult:
    run_id: str
    outcomes: list[Outcome]
    results_path: Path
    seconds: float

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def new_run_id() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")[:-3]


# The queue, or how to read it off the portal with the run's own signed-in browser.
ItemSource = list[WarrantyItem] | Callable[[WarrantyRunner], list[WarrantyItem]]


def run_warranty(
    settings: Settings,
    source: ItemSource,
    *,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    run_id: str | None = None,
) -> RunResult:
    """Push every item through the chain; a failed item never stops the queue."""
    run_id = run_id or new_run_id()
    run_dir = private_dir(settings.runs_dir / run_id)
    started = dt.datetime.now()
    outcomes: list[Outcome] = []

    def record(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)

    with Ledger(settings.ledger_path) as ledger, browser_session(settings.browser) as browser:
        runner = WarrantyRunner(settings, ledger, browser, run_dir=run_dir)
        try:
            try:
                items = source(runner) if callable(source) else source
            except BusinessError as err:  # e.g. `--immat` of a vehicle Planet VO does not know
                record(Outcome(row=1, key="-", result="échec", failure_kind="métier", reason=err.message))
                items = []
            if on_start:
                on_start(len(items))
            first_row: dict[str, int] = {}
            for item in items:
                if item.key in first_row:  # the same vehicle twice in one file: do it once
                    record(Outcome(row=item.row, key=item.key, result="doublon",
                                   reason=f"même véhicule que la ligne {first_row[item.key]}"))
                    continue
                first_row[item.key] = item.row
                record(runner.process(item))
        finally:
            runner.close()
    results = write_results(run_dir / "resultats.xlsx", outcomes)
    seconds = (dt.datetime.now() - started).total_seconds()
    logger.info("run {} : {} lignes en {:.1f} s, résultats dans {}", run_id, len(outcomes), seconds, results)
    return RunResult(run_id=run_id, outcomes=sorted(outcomes, key=lambda o: o.row),
                     results_path=results, seconds=seconds)
