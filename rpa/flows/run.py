"""A warranty run over a queue: one browser (a context per worker), the ledger, one results workbook."""

from __future__ import annotations

import datetime as dt
import os
import queue
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from loguru import logger
from playwright.sync_api import Browser
from pydantic import BaseModel

from rpa.browser import browser_session
from rpa.config import Settings
from rpa.errors import BusinessError, RpaError, SignInRefused, UsageError
from rpa.files import private_dir, private_file
from rpa.flows.guard import RunGuard, Stop
from rpa.flows.warranty import WarrantyRunner
from rpa.html_report import write_html_report
from rpa.ledger import Ledger
from rpa.logs import add_detail_log
from rpa.report import Outcome, write_results
from rpa.sessions import session_slot
from rpa.together import run_together
from rpa.tracing import SCRATCH
from rpa.workqueue import WarrantyItem


@dataclass
class RunResult:
    run_id: str
    outcomes: list[Outcome]
    results_path: Path
    seconds: float
    stopped: Stop | None = None  # why the run stopped before its queue was done

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]

    @property
    def exit_code(self) -> int:
        """2 when a portal refused the credentials (the configuration is wrong); 1 when a
        vehicle failed, was deferred or left to another worker: "all done" must mean all done
        by this run."""
        unfinished = ("reporté", "pris ailleurs")
        code = 1 if self.failed or any(o.result in unfinished for o in self.outcomes) else 0
        return max(code, self.stopped.exit_code if self.stopped else 0)


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
    stop_at: dt.datetime | None = None,
    command: str = "warranty",
    workers: int | None = None,
) -> RunResult:
    """Push every item through the chain; a failed item never stops the queue.

    With `stop_at`, no item is started after that moment: the rest is deferred (`reporté`)
    to the next run, which resumes it from the ledger. With `workers` (default
    `RPA_WORKERS`) vehicles are worked on that many at a time, each claimed in the ledger.
    """
    run_id = run_id or new_run_id()
    run_dir = private_dir(settings.runs_dir / run_id)
    started = dt.datetime.now()
    outcomes: list[Outcome] = []
    # The run's own log, one JSON object a line, beside its queue and results.
    sink = add_detail_log(run_dir / "run.log.jsonl", serialize=True)

    def record(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)

    scratch = private_dir(run_dir / SCRATCH)
    discard_scratch(settings.runs_dir, keep=scratch)
    guard = RunGuard(down_after=settings.retry.portal_down_after)
    try:
        with browser_session(settings.browser, traces_dir=scratch) as browser, ExitStack() as workers_:
            runner = workers_.enter_context(worker_session(settings, run_dir, browser, 0, guard))
            items = _first_items(runner, source, guard, record)
            if on_start:
                on_start(len(items))
            todo: queue.SimpleQueue[WarrantyItem] = queue.SimpleQueue()
            first_row: dict[str, int] = {}
            for item in items:
                if item.key in first_row:  # the same vehicle twice in one file: do it once
                    record(Outcome(row=item.row, key=item.key, result="doublon",
                                   reason=f"même véhicule que la ligne {first_row[item.key]}"))
                    continue
                first_row[item.key] = item.row
                todo.put(item)
            count = max(1, min(workers or settings.workers, todo.qsize()))
            runners = [runner] + [workers_.enter_context(worker_session(settings, run_dir, browser, n, guard))
                                  for n in range(1, count)]
            jobs = [partial(_work, r, todo, stop_at, record) for r in runners]
            for broken in run_together(browser, jobs):  # a worker that broke down: the others went on
                logger.opt(exception=broken).error("worker arrêté : {}", broken)
                _defer_rest(todo, record, f"interrompu ({broken}) : repris au prochain run")
        results = write_results(run_dir / "resultats.xlsx", outcomes)
        seconds = (dt.datetime.now() - started).total_seconds()
        result = RunResult(run_id=run_id, outcomes=sorted(outcomes, key=lambda o: o.row),
                           results_path=results, seconds=seconds, stopped=guard.stopped)
        write_summary(run_dir, result, command, started)
        logger.info("run {} : {} ligne(s) en {:.1f} s, résultats dans {}", run_id, len(outcomes), seconds, results)
        return result
    finally:
        logger.remove(sink)
        shutil.rmtree(scratch, ignore_errors=True)


def _first_items(runner: WarrantyRunner, source: ItemSource, guard: RunGuard,
                 record: Callable[[Outcome], None]) -> list[WarrantyItem]:
    """Sign in to every portal the run needs, then read the queue: a refused password or a
    portal that cannot be reached stops the run before any vehicle is touched (the queue's
    vehicles, when it is a file, deferred)."""
    try:
        runner.preflight()
        return source(runner) if callable(source) else source
    except SignInRefused:
        pass  # the guard has stopped the run, in the portal's words
    except BusinessError as err:  # e.g. `--immat` of a vehicle Planet VO does not know
        record(Outcome(row=1, key="-", result="échec", failure_kind="métier", reason=err.message))
        return []
    except RpaError as err:  # retried already: the portal is not there
        guard.unreachable(err.portal, err.message)
    return [] if callable(source) else source


def discard_scratch(runs_dir: Path, keep: Path) -> None:
    """A run killed mid-item leaves its unscrubbed trace chunks behind: delete them."""
    for stale in runs_dir.glob(f"*/{SCRATCH}"):
        if stale != keep:
            shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def worker_session(settings: Settings, run_dir: Path, browser: Browser, number: int,
                   guard: RunGuard) -> Iterator[WarrantyRunner]:
    """What one worker owns: a ledger connection, a context of the run's browser (its own
    portal sessions, signed in once and kept for every vehicle it takes, and for the next
    run's worker in the same slot) and its runner."""
    with Ledger(settings.ledger_location) as ledger, session_slot(settings.sessions_dir) as session:
        worker = f"{socket.gethostname()}:{os.getpid()}:w{number}"
        runner = WarrantyRunner(settings, ledger, browser, run_dir=run_dir, worker=worker, session=session,
                                guard=guard)
        try:
            yield runner
        finally:
            runner.close()


def _work(runner: WarrantyRunner, todo: queue.SimpleQueue[WarrantyItem], stop_at: dt.datetime | None,
          record: Callable[[Outcome], None]) -> None:
    """Take vehicles off the run's queue until it is empty. Every log line says which worker."""
    with logger.contextualize(worker=runner.worker):
        while True:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            if stop_at is not None and dt.datetime.now() >= stop_at:
                record(Outcome(row=item.row, key=item.key, result="reporté",
                               reason=f"échéance {stop_at:%H:%M} atteinte : repris au prochain run"))
                continue
            if runner.guard.stopped is not None:
                record(Outcome(row=item.row, key=item.key, result="reporté", reason=runner.guard.stopped.reason))
                continue
            record(runner.process(item))


def _defer_rest(todo: queue.SimpleQueue[WarrantyItem], record: Callable[[Outcome], None], reason: str) -> None:
    while True:
        try:
            item = todo.get_nowait()
        except queue.Empty:
            return
        record(Outcome(row=item.row, key=item.key, result="reporté", reason=reason))


def write_summary(run_dir: Path, result: RunResult, command: str, started: dt.datetime) -> None:
    """`run.json`: what `rpa runs` lists and `rpa runs show` details."""
    summary = RunSummary(run_id=result.run_id, command=command, started=started,
                         seconds=result.seconds, outcomes=result.outcomes,
                         stopped=result.stopped.reason if result.stopped else "")
    with private_file(run_dir / "run.json") as tmp:
        tmp.write_text(summary.model_dump_json(indent=1), encoding="utf-8")
    write_html_report(run_dir, summary)


class RunSummary(BaseModel):
    run_id: str
    command: str
    started: dt.datetime
    seconds: float
    outcomes: list[Outcome]
    stopped: str = ""  # why the run stopped early (a refused sign-in, a portal down)

    def count(self, *results: str) -> int:
        return sum(1 for o in self.outcomes if o.result in results)


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
