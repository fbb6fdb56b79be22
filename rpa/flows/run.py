"""A warranty run over a queue: one browser (a context per worker), the ledger, one results
workbook. Each vehicle goes through the one per-item boundary (rpa/flows/boundary.py)."""

from __future__ import annotations

import datetime as dt
import os
import queue
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from loguru import logger
from playwright.sync_api import Browser

from rpa.browser.launch import browser_session
from rpa.browser.slots import session_slot
from rpa.browser.tracing import SCRATCH, ItemTracer
from rpa.browser.workers import run_together
from rpa.config import Settings, TracePolicy
from rpa.core.errors import BusinessError, RpaError, SignInRefused
from rpa.core.failures import Failure, Kind
from rpa.core.files import private_dir
from rpa.core.logs import add_detail_log
from rpa.flows.boundary import Boundary
from rpa.flows.evidence import Evidence
from rpa.flows.guard import RunGuard, Stop
from rpa.flows.tabs import PortalTabs
from rpa.flows.warranty import WarrantyStages
from rpa.runs.archive import RunSummary, discard_scratch, new_run_id
from rpa.runs.outcome import Outcome, Result
from rpa.runs.progress import LiveRun
from rpa.runs.report import write_html_report
from rpa.runs.results import write_results
from rpa.sheets.queue import WarrantyItem
from rpa.store.ledger import Ledger, LedgerItem


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
        code = 1 if any(o.result and o.result.unfinished for o in self.outcomes) else 0
        return max(code, self.stopped.exit_code if self.stopped else 0)


# The queue, or how to read it off Planet VO with the run's own signed-in browser.
ItemSource = list[WarrantyItem] | Callable[[WarrantyStages], list[WarrantyItem]]


class WarrantyWorker:
    """One worker of a run: its browser context and tabs, its stages, its evidence, and the
    boundary each of its vehicles goes through."""

    def __init__(self, settings: Settings, ledger: Ledger, browser: Browser, guard: RunGuard, *,
                 name: str, run_dir: Path | None = None, cookies: Path | None = None) -> None:
        """`name`: who holds a vehicle's claim in the ledger (machine, process, worker)."""
        self.name = name
        self.ledger = ledger
        self._settings, self._browser, self._guard = settings, browser, guard
        self._run_dir, self._cookies = run_dir, cookies
        self._vehicles = 0  # taken by the current context
        self._build()

    def _build(self) -> None:
        settings, run_dir = self._settings, self._run_dir
        self.tabs = PortalTabs(settings, self._browser, self._guard, self._cookies)
        folder = run_dir or Path(tempfile.gettempdir())
        tracer = ItemTracer(self.tabs.context, settings.trace if run_dir else TracePolicy.OFF,
                            directory=folder / "traces", scratch=folder / SCRATCH, secrets=settings.secret_values())
        self.tabs.on_new_context = tracer.attach  # a point of sale's own GuideWire context
        evidence = Evidence(run_dir / "screenshots" if run_dir else None)
        self.stages = WarrantyStages(settings, self.ledger, self.tabs, tracer=tracer, evidence=evidence,
                                     run_dir=run_dir)
        self.boundary = Boundary(self._guard, owner=self.name, claims=self.ledger, tracer=tracer,
                                 evidence=evidence, screen=lambda: self.tabs.last, on_failure=self._record_failure)

    def renew(self) -> None:
        """A fresh context for the next vehicles (a context that lives for hours grows in
        memory). Closing saves the portal cookies, which the new one starts from: the
        sessions carry over, nobody signs in again for it."""
        self.tabs.close()
        self._build()
        self._vehicles = 0
        logger.debug("contexte du navigateur renouvelé")

    def close(self) -> None:
        self.tabs.close()

    def _record_failure(self, key: str, failure: Failure) -> None:
        self.ledger.record_failure(key, failure.kind.value, failure.message)

    def process(self, item: WarrantyItem) -> Outcome:
        """One vehicle through the boundary, as the results workbook tells it."""
        if self._vehicles >= self._settings.browser.recycle_context_after:
            self.renew()
        self._vehicles += 1
        started = dt.datetime.now().astimezone()
        ended = self.boundary.run(item.key, partial(self.stages.run, item))
        outcome = Outcome(row=item.row, key=item.key, started=started, finished=dt.datetime.now().astimezone(),
                          trace=str(ended.trace or ""))
        if ended.held_by:
            return outcome.model_copy(update={"result": Result.PRIS_AILLEURS, "reason": f"en cours sur {ended.held_by}"})
        if ended.deferred:
            return outcome.model_copy(update={"result": Result.REPORTE, "reason": ended.deferred})
        if ended.value is not None:
            entry, already = ended.value
            if not already:
                logger.bind(item=item.key).success("terminé")
            return _with_entry(outcome, entry, Result.DEJA_FAIT if already else Result.TERMINE)
        assert ended.failure is not None
        entry = self.ledger.get(item.key) or LedgerItem(key=item.key)
        return _with_entry(outcome, entry, Result.ECHEC).model_copy(update={
            "failure_kind": ended.failure.kind, "reason": ended.failure.message,
            "screenshot": str(ended.screenshot or ""),
        })


def _with_entry(outcome: Outcome, entry: LedgerItem, result: Result) -> Outcome:
    return outcome.model_copy(update={
        "result": result, "bdc": entry.bdc, "immat": entry.immat, "vin": entry.vin,
        "stage": entry.stage.value, "devis": entry.devis, "police": entry.police, "pdf": entry.pdf,
    })


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
    live = LiveRun(run_dir, run_id, command, started)  # what `rpa serve` shows while it runs
    # The run's own log, one JSON object a line, beside its queue and results.
    sink = add_detail_log(run_dir / "run.log.jsonl", serialize=True)

    def record(outcome: Outcome) -> None:
        outcomes.append(outcome)
        live.ended(outcome)
        if on_done:
            on_done(outcome)

    scratch = private_dir(run_dir / SCRATCH)
    discard_scratch(settings.runs_dir, keep=scratch)
    guard = RunGuard(down_after=settings.retry.portal_down_after)
    try:
        todo: queue.SimpleQueue[WarrantyItem] | None = None
        while todo is None or not todo.empty():  # a fresh browser every `recycle_browser_after` vehicles
            with browser_session(settings.browser, traces_dir=scratch) as browser, ExitStack() as crew:
                first = crew.enter_context(worker_session(settings, run_dir, browser, 0, guard))
                if todo is None:
                    items = _first_items(first, source, guard, record)
                    live.total(len(items))
                    if on_start:
                        on_start(len(items))
                    todo = _queue_once(items, record)
                else:
                    logger.info("navigateur renouvelé : {} véhicule(s) restant(s)", todo.qsize())
                count = max(1, min(workers or settings.workers, todo.qsize()))
                team = [first] + [crew.enter_context(worker_session(settings, run_dir, browser, n, guard))
                                  for n in range(1, count)]
                budget = Budget(settings.browser.recycle_browser_after)
                jobs = [partial(_work, w, todo, stop_at, record, budget, live.taken) for w in team]
                for broken in run_together(browser, jobs):  # a worker that broke down: the others went on
                    logger.opt(exception=broken).error("worker arrêté : {}", broken)
                    _defer_rest(todo, record, f"interrompu ({broken}) : repris au prochain run")
        results = write_results(run_dir / "resultats.xlsx", outcomes)
        seconds = (dt.datetime.now() - started).total_seconds()
        result = RunResult(run_id=run_id, outcomes=sorted(outcomes, key=lambda o: o.row),
                           results_path=results, seconds=seconds, stopped=guard.stopped)
        summary = RunSummary(run_id=run_id, command=command, started=started, seconds=seconds,
                             outcomes=result.outcomes, stopped=guard.stopped.reason if guard.stopped else "")
        summary.save(run_dir)
        live.finished()
        write_html_report(run_dir, summary)
        logger.info("run {} : {} ligne(s) en {:.1f} s, résultats dans {}", run_id, len(outcomes), seconds, results)
        return result
    finally:
        logger.remove(sink)
        shutil.rmtree(scratch, ignore_errors=True)


def _first_items(worker: WarrantyWorker, source: ItemSource, guard: RunGuard,
                 record: Callable[[Outcome], None]) -> list[WarrantyItem]:
    """Sign in to every portal the run needs, then read the queue: a refused password or a
    portal that cannot be reached stops the run before any vehicle is touched (the queue's
    vehicles, when it is a file, deferred)."""
    try:
        worker.stages.preflight()
        return source(worker.stages) if callable(source) else source
    except SignInRefused:
        pass  # the guard has stopped the run, in the portal's words
    except BusinessError as err:  # e.g. `--immat` of a vehicle Planet VO does not know
        record(Outcome(row=1, key="-", result=Result.ECHEC, failure_kind=Kind.BUSINESS, reason=err.message))
        return []
    except RpaError as err:  # retried already: the portal is not there
        guard.unreachable(err.portal, err.message)
    return [] if callable(source) else source


def _queue_once(items: list[WarrantyItem], record: Callable[[Outcome], None]) -> queue.SimpleQueue[WarrantyItem]:
    """The run's queue: the same vehicle twice in one file is done once."""
    todo: queue.SimpleQueue[WarrantyItem] = queue.SimpleQueue()
    first_row: dict[str, int] = {}
    for item in items:
        if item.key in first_row:
            record(Outcome(row=item.row, key=item.key, result=Result.DOUBLON,
                           reason=f"même véhicule que la ligne {first_row[item.key]}"))
            continue
        first_row[item.key] = item.row
        todo.put(item)
    return todo


@contextmanager
def worker_session(settings: Settings, run_dir: Path, browser: Browser, number: int,
                   guard: RunGuard) -> Iterator[WarrantyWorker]:
    """What one worker owns: a ledger connection, a context of the run's browser (its own
    portal sessions, signed in once and kept for every vehicle it takes, and for the next
    run's worker in the same slot) and its stages."""
    with Ledger(settings.ledger_location) as ledger, session_slot(settings.sessions_dir) as cookies:
        name = f"{socket.gethostname()}:{os.getpid()}:w{number}"
        worker = WarrantyWorker(settings, ledger, browser, guard, name=name, run_dir=run_dir, cookies=cookies)
        try:
            yield worker
        finally:
            worker.close()


@dataclass
class Budget:
    """How many more vehicles one browser may take, shared by its workers (one thread)."""

    left: int


def _work(worker: WarrantyWorker, todo: queue.SimpleQueue[WarrantyItem], stop_at: dt.datetime | None,
          record: Callable[[Outcome], None], budget: Budget, taken: Callable[[str, str], None]) -> None:
    """Take vehicles off the run's queue until it is empty, or the browser's budget spent;
    `taken(worker, key)` says which vehicle each worker is on. Every log line says which worker."""
    with logger.contextualize(worker=worker.name):
        while budget.left > 0:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            if stop_at is not None and dt.datetime.now() >= stop_at:
                record(Outcome(row=item.row, key=item.key, result=Result.REPORTE,
                               reason=f"échéance {stop_at:%H:%M} atteinte : repris au prochain run"))
                continue
            budget.left -= 0 if worker.boundary.guard.stopped else 1  # deferring costs the browser nothing
            taken(worker.name, item.key)
            record(worker.process(item))


def _defer_rest(todo: queue.SimpleQueue[WarrantyItem], record: Callable[[Outcome], None], reason: str) -> None:
    while True:
        try:
            item = todo.get_nowait()
        except queue.Empty:
            return
        record(Outcome(row=item.row, key=item.key, result=Result.REPORTE, reason=reason))
