"""The one per-item boundary, around every item of every flow (a vehicle of the warranty
chain, a line of a removal file, a police reconcile fetches): what happens to one item never
stops the queue.

    guard stopped? ─> deferred          claimed elsewhere? ─> held by another
    trace chunk begins
      work ─> done                      (guard: the portals answer)
           ─> SignInRefused ─> deferred (guard: the run stops)
           ─> anything else ─> failure, by the failure rule (rpa/core/failures.py):
                               recorded, screenshot of the failing screen, trace kept,
                               one line on the console, a bug's traceback in the logs
    trace chunk ends (kept by policy)   claim released
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from loguru import logger
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from rpa.browser.tracing import ItemTracer
from rpa.core.errors import RpaError, SignInRefused
from rpa.core.failures import Failure, Kind, classify
from rpa.flows.evidence import Evidence
from rpa.flows.guard import RunGuard

R = TypeVar("R")


class Claims(Protocol):
    """Who may work on an item (the ledger: workers, runs and machines sharing it)."""

    def claim(self, key: str, owner: str) -> str | None: ...

    def release(self, key: str, owner: str) -> None: ...


@dataclass(frozen=True)
class Ended(Generic[R]):
    """How one item ended at the boundary: exactly one of value, failure, deferred, held_by."""

    value: R | None = None  # what the work returned
    failure: Failure | None = None  # the failure rule's verdict, in the portal's words
    deferred: str = ""  # not started, or stopped by the run: why (the next run resumes it)
    held_by: str = ""  # another worker, run or machine is on it
    screenshot: Path | None = None
    trace: Path | None = None


class Boundary:
    def __init__(self, guard: RunGuard, *, owner: str = "", claims: Claims | None = None,
                 tracer: ItemTracer | None = None, evidence: Evidence | None = None,
                 screen: Callable[[], Page | None] = lambda: None,
                 on_failure: Callable[[str, Failure], None] = lambda key, failure: None) -> None:
        """`screen`: the tab the item is on (shot if it fails); `on_failure`: where the flow
        records a failure (the ledger)."""
        self.guard = guard
        self.owner = owner
        self.claims = claims
        self.tracer = tracer
        self.evidence = evidence
        self.screen = screen
        self.on_failure = on_failure

    def run(self, key: str, work: Callable[[], R]) -> Ended[R]:
        if self.guard.stopped is not None:
            return Ended(deferred=self.guard.stopped.reason)
        if self.claims is not None:
            holder = self.claims.claim(key, self.owner)
            if holder is not None:
                logger.bind(item=key).warning("déjà pris en charge par {} : laissé à ce poste", holder)
                return Ended(held_by=holder)
        try:
            return self._traced(key, work)
        finally:
            if self.claims is not None:
                self.claims.release(key, self.owner)

    def _traced(self, key: str, work: Callable[[], R]) -> Ended[R]:
        if self.tracer is not None:
            self.tracer.begin(key)
        ended: Ended[R] = Ended(failure=Failure(Kind.SYSTEM, "interrompu"))
        try:
            ended = self._judged(key, work)
        finally:
            failed = ended.failure is not None or bool(ended.deferred)
            trace = self.tracer.finish(key, failed=failed) if self.tracer is not None else None
        return Ended(ended.value, ended.failure, ended.deferred, ended.held_by, ended.screenshot, trace)

    def _judged(self, key: str, work: Callable[[], R]) -> Ended[R]:
        log = logger.bind(item=key)
        try:
            with logger.contextualize(item=key):
                value = work()
        except SignInRefused as refused:  # not this item's failure: the guard stops the run
            return Ended(deferred=refused.message)
        except Exception as err:  # noqa: BLE001  # whatever it was, the queue goes on
            failure = classify(err)
            self.on_failure(key, failure)
            portal = err.portal if isinstance(err, RpaError) else ""
            self.guard.item_ended(system_failure_on=portal if failure.kind is Kind.SYSTEM else "")
            if isinstance(err, (RpaError, PlaywrightError)):
                log.error("échec {} : {}", failure.kind.value, failure.message)
            else:  # the bot's own bug: its traceback goes to the log files, one line on screen
                log.opt(exception=err).error("échec {} (erreur inattendue) : {}", failure.kind.value, failure.message)
            shot = self.evidence.for_failure(key, self.screen(), err) if self.evidence is not None else None
            return Ended(failure=failure, screenshot=shot)
        self.guard.item_ended()
        return Ended(value=value)
