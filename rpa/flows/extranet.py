"""The Traqueur extranet for one `rpa removals` command: one browser, a signed-in tab per
worker, the run folder, and the per-item boundary every line goes through (claim, trace,
screenshot, failure rule)."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from playwright.sync_api import Browser, Page

from rpa.browser.launch import browser_session, new_context
from rpa.browser.tracing import SCRATCH, ItemTracer
from rpa.config import Settings
from rpa.core.files import private_dir
from rpa.core.retry import retrying
from rpa.flows.boundary import Boundary
from rpa.flows.evidence import Evidence
from rpa.flows.guard import RunGuard
from rpa.pages.traqueur import TraqueurHome, open_traqueur
from rpa.runs.archive import discard_scratch, new_run_id
from rpa.store.ledger import Ledger
from rpa.store.removals import RemovalRecords

T = TypeVar("T")


@dataclass
class Extranet:
    settings: Settings
    page: Page
    guard: RunGuard
    records: RemovalRecords
    run_dir: Path
    boundary: Boundary

    @property
    def name(self) -> str:
        """Who holds this tab's claims in the ledger (machine, process, worker)."""
        return self.boundary.owner

    def home(self) -> TraqueurHome:
        return open_traqueur(self.page, self.settings.traqueur, self.guard)

    def sign_in(self) -> TraqueurHome:
        return self.retrying("connexion à l'extranet Traqueur", self.home)

    def retrying(self, what: str, fn: Callable[[], T]) -> T:
        return retrying(self.settings.retry, what, fn)

    def requester_lines(self) -> list[tuple[str, dict[str, str]]]:
        """Every (demande, line) of the requester's account, read off the portal."""
        numbers = [r.get("N° demande", "").strip() for r in self.home().open_my_requests().records()]
        lines = []
        for numero in numbers:
            detail = self.home().open_my_requests().open(numero)
            lines += [(numero, line) for line in detail.lines()]
        return lines


class ExtranetCrew:
    """What a command's workers share (the browser, the guard, the run folder) and the first
    worker's tab, signed in by `extranet_crew`; `join` adds a worker, closed with the crew."""

    def __init__(self, settings: Settings, browser: Browser, guard: RunGuard, run_dir: Path,
                 stack: ExitStack) -> None:
        self.settings = settings
        self.browser = browser
        self.guard = guard
        self.run_dir = run_dir
        self._stack = stack
        self.first = self.join(0)

    def join(self, number: int) -> Extranet:
        """Worker `number`'s own context, tab and ledger connection (SQLite connections are
        not shared between workers), not signed in yet: it signs in as it starts."""
        return self._stack.enter_context(_worker_tab(self, number))


@contextmanager
def _worker_tab(crew: ExtranetCrew, number: int) -> Iterator[Extranet]:
    settings, run_dir = crew.settings, crew.run_dir
    with Ledger(settings.ledger_location) as ledger:
        context = new_context(crew.browser, settings.browser)
        try:
            page = context.new_page()
            records = RemovalRecords(ledger.store)
            tracer = ItemTracer(context, settings.trace, directory=run_dir / "traces", scratch=run_dir / SCRATCH,
                                secrets=settings.secret_values())
            boundary = Boundary(crew.guard, owner=f"{socket.gethostname()}:{os.getpid()}:w{number}",
                                claims=records, tracer=tracer, evidence=Evidence(run_dir / "screenshots"),
                                screen=lambda: page)
            yield Extranet(settings, page, crew.guard, records, run_dir, boundary)
        finally:
            context.close()


@contextmanager
def extranet_crew(settings: Settings) -> Iterator[ExtranetCrew]:
    """Signed in before the first line: a refused password or an extranet that cannot be
    reached stops the command before anything is sent (one `Erreur` line, exit 2 or 1)."""
    settings.require_traqueur()
    run_dir = private_dir(settings.runs_dir / new_run_id())
    scratch = private_dir(run_dir / SCRATCH)
    discard_scratch(settings.runs_dir, keep=scratch)
    guard = RunGuard(down_after=settings.retry.portal_down_after)
    try:
        with browser_session(settings.browser) as browser, ExitStack() as stack:
            crew = ExtranetCrew(settings, browser, guard, run_dir, stack)
            crew.first.sign_in()
            yield crew
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def extranet(settings: Settings) -> Iterator[Extranet]:
    """One signed-in tab, for the commands that work one file or one read at a time."""
    with extranet_crew(settings) as crew:
        yield crew.first
