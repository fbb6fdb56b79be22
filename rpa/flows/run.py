"""A warranty run over a queue: one browser, one ledger, one results workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loguru import logger

from rpa.browser import browser_session
from rpa.config import Settings
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


def run_warranty(
    settings: Settings,
    items: list[WarrantyItem],
    *,
    on_done: Callable[[Outcome], None] | None = None,
    run_id: str | None = None,
) -> RunResult:
    """Push every item through the chain; a failed item never stops the queue."""
    run_id = run_id or new_run_id()
    run_dir = private_dir(settings.runs_dir / run_id)
    started = dt.datetime.now()
    outcomes: list[Outcome] = []
    first_row: dict[str, int] = {}
    todo: list[WarrantyItem] = []
    for item in items:
        if item.key in first_row:  # the same vehicle twice in one file: do it once
            outcomes.append(
                Outcome(row=item.row, key=item.key, result="doublon",
                        reason=f"même véhicule que la ligne {first_row[item.key]}")
            )
            if on_done:
                on_done(outcomes[-1])
        else:
            first_row[item.key] = item.row
            todo.append(item)

    with Ledger(settings.ledger_path) as ledger:
        if todo:
            with browser_session(settings.browser) as browser:
                runner = WarrantyRunner(settings, ledger, browser)
                try:
                    for item in todo:
                        outcome = runner.process(item)
                        outcomes.append(outcome)
                        if on_done:
                            on_done(outcome)
                finally:
                    runner.close()
    results = write_results(run_dir / "resultats.xlsx", outcomes)
    seconds = (dt.datetime.now() - started).total_seconds()
    logger.info("run {} : {} lignes en {:.1f} s, résultats dans {}", run_id, len(outcomes), seconds, results)
    return RunResult(run_id=run_id, outcomes=sorted(outcomes, key=lambda o: o.row),
                     results_path=results, seconds=seconds)
