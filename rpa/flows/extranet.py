"""The Traqueur extranet for one `rpa removals` command: one signed-in tab, the run folder,
and the per-item boundary every line goes through (claim, trace, screenshot, failure rule)."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from playwright.sync_api import Page

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

    def home(self) -> TraqueurHome:
        return open_traqueur(self.page, self.settings.traqueur, self.guard)

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


@contextmanager
def extranet(settings: Settings) -> Iterator[Extranet]:
    """Signed in before the first line: a refused password or an extranet that cannot be
    reached stops the command before anything is sent (one `Erreur` line, exit 2 or 1)."""
    settings.require_traqueur()
    run_dir = private_dir(settings.runs_dir / new_run_id())
    scratch = private_dir(run_dir / SCRATCH)
    discard_scratch(settings.runs_dir, keep=scratch)
    guard = RunGuard(down_after=settings.retry.portal_down_after)
    try:
        with Ledger(settings.ledger_location) as ledger, browser_session(settings.browser) as browser:
            context = new_context(browser, settings.browser)
            try:
                page = context.new_page()
                records = RemovalRecords(ledger.store)
                tracer = ItemTracer(context, settings.trace, directory=run_dir / "traces", scratch=scratch,
                                    secrets=settings.secret_values())
                boundary = Boundary(guard, owner=f"{socket.gethostname()}:{os.getpid()}", claims=records,
                                    tracer=tracer, evidence=Evidence(run_dir / "screenshots"),
                                    screen=lambda: page)
                side = Extranet(settings, page, guard, records, run_dir, boundary)
                side.retrying("connexion à l'extranet Traqueur", side.home)
                yield side
            finally:
                context.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
