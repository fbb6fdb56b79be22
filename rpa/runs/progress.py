"""A run under way, as `rpa serve` shows it: `progress.json` in the run's folder, rewritten
at each vehicle taken and ended, gone once `run.json` (the finished run) is written.

A file rather than a socket: the web console and the run are separate processes (a night
started by cron, a rerun started from the page), and a run killed mid-night leaves its last
progress behind, with a pid that tells `rpa serve` it is no longer under way.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from rpa.core.files import private_file
from rpa.runs.outcome import Outcome

PROGRESS = "progress.json"


class Progress(BaseModel):
    run_id: str
    command: str
    started: dt.datetime
    host: str
    pid: int
    total: int | None = None  # known once the queue is read
    working: dict[str, str] = Field(default_factory=dict)  # worker -> the vehicle it is on
    counts: dict[str, int] = Field(default_factory=dict)  # result -> vehicles ended so far
    updated: dt.datetime | None = None

    @property
    def ended(self) -> int:
        return sum(self.counts.values())

    def alive(self) -> bool:
        """Is the process that writes it still there? Only this host can tell; another
        host's run is taken as under way."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class LiveRun:
    """Writes a run's `progress.json` (one writer: the run's own process)."""

    def __init__(self, run_dir: Path, run_id: str, command: str, started: dt.datetime) -> None:
        self.path = run_dir / PROGRESS
        self._progress = Progress(run_id=run_id, command=command, started=started,
                                  host=socket.gethostname(), pid=os.getpid())
        self._counts: Counter[str] = Counter()
        self._write()

    def total(self, count: int) -> None:
        self._progress.total = count
        self._write()

    def taken(self, worker: str, key: str) -> None:
        self._progress.working[worker] = key
        self._write()

    def ended(self, outcome: Outcome) -> None:
        self._counts[str(outcome.result)] += 1
        self._progress.counts = dict(self._counts)
        self._progress.working = {w: k for w, k in self._progress.working.items() if k != outcome.key}
        self._write()

    def finished(self) -> None:
        """The run wrote `run.json`: nothing is under way any more."""
        self.path.unlink(missing_ok=True)

    def _write(self) -> None:
        self._progress.updated = dt.datetime.now().astimezone()
        with private_file(self.path) as tmp:
            tmp.write_text(self._progress.model_dump_json(), encoding="utf-8")


def read_progress(run_dir: Path) -> Progress | None:
    try:
        return Progress.model_validate_json((run_dir / PROGRESS).read_bytes())
    except (OSError, ValueError):
        return None
