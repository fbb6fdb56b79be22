"""What the console reads: runs from the data folder, vehicles from the ledger, and the
files a page may link to. Nothing here writes.

A thousand runs must list quickly: run folders are named by their start (`new_run_id`), so
the newest are found from the names alone, and only one page of them is read, each run's
summary kept in memory for as long as its file does not change.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rpa.config import Settings
from rpa.runs.archive import RUN_ID, RunSummary
from rpa.runs.progress import Progress, read_progress
from rpa.store.ledger import Ledger, LedgerItem

# The files of a run folder a page may link to, by suffix; nothing under a dotted folder
# (the unscrubbed traces' scratch space), nothing else (logs, the queue's raw export).
RUN_FILES = {".png", ".zip", ".xlsx", ".html"}
SHOWN = ("terminé", "déjà fait", "échec", "reporté", "doublon", "pris ailleurs")


@dataclass
class RunLine:
    """One line of the runs page."""

    run_id: str
    command: str
    started: dt.datetime
    seconds: float | None
    counts: Counter[str]
    total: int | None
    stopped: str = ""
    state: str = "fini"  # fini, en cours, interrompu
    working: tuple[str, ...] = ()

    @property
    def skipped(self) -> int:
        return self.counts["déjà fait"] + self.counts["doublon"] + self.counts["reporté"] + self.counts["pris ailleurs"]

    def live(self) -> dict[str, object]:
        """What the page's poll updates."""
        return {"run_id": self.run_id, "state": self.state, "total": self.total,
                "ended": sum(self.counts.values()), "counts": dict(self.counts),
                "working": list(self.working)}


class Catalog:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runs_dir = settings.runs_dir
        self.data_dir = settings.data_dir.resolve()
        self._lines: dict[str, tuple[int, RunLine]] = {}

    # -- runs ---------------------------------------------------------------------------------
    def run_ids(self) -> list[str]:
        """Every run folder's name, newest first."""
        try:
            names = [e.name for e in os.scandir(self.runs_dir) if e.is_dir() and RUN_ID.fullmatch(e.name)]
        except FileNotFoundError:
            return []
        return sorted(names, reverse=True)

    def page(self, number: int, size: int = 50) -> tuple[list[RunLine], int]:
        """Page `number` (from 1) of the runs, newest first, and how many pages there are."""
        ids = self.run_ids()
        pages = max(1, -(-len(ids) // size))
        chosen = ids[(number - 1) * size:number * size]
        return [line for rid in chosen if (line := self.line(rid)) is not None], pages

    def under_way(self, ids: list[str] | None = None) -> list[RunLine]:
        """Runs still going, among the newest (a night under way is always one of them)."""
        lines = [self.line(rid) for rid in (ids if ids is not None else self.run_ids()[:20])]
        return [line for line in lines if line is not None and line.state == "en cours"]

    def line(self, run_id: str) -> RunLine | None:
        folder = self.runs_dir / run_id
        summary = folder / "run.json"
        try:
            stamp = summary.stat().st_mtime_ns
        except FileNotFoundError:
            progress = read_progress(folder)
            return _live_line(progress) if progress else None
        cached = self._lines.get(run_id)
        if cached and cached[0] == stamp:
            return cached[1]
        try:
            raw = json.loads(summary.read_bytes())
            counts = Counter(str(o.get("result", "")) for o in raw["outcomes"])
            line = RunLine(run_id=run_id, command=raw["command"], started=dt.datetime.fromisoformat(raw["started"]),
                           seconds=raw["seconds"], counts=counts, total=len(raw["outcomes"]),
                           stopped=raw.get("stopped", ""))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self._lines[run_id] = (stamp, line)
        return line

    def run(self, run_id: str) -> tuple[RunSummary | None, Progress | None]:
        """A finished run's summary, or the progress of one under way (both None: no such run)."""
        if not RUN_ID.fullmatch(run_id):
            return None, None
        folder = self.runs_dir / run_id
        try:
            return RunSummary.model_validate_json((folder / "run.json").read_bytes()), None
        except (OSError, ValueError):
            return None, read_progress(folder)

    # -- files ----------------------------------------------------------------------------------
    def run_file(self, run_id: str, relative: str) -> Path | None:
        """A file of run `run_id` a page may link to, or None: never outside the run's folder,
        never in a dotted folder, only screenshots, traces, workbooks and reports."""
        if not RUN_ID.fullmatch(run_id):
            return None
        return self._inside(self.runs_dir / run_id, relative, RUN_FILES)

    def policy_file(self, relative: str) -> Path | None:
        return self._inside(self.settings.policies_dir, relative, {".pdf"})

    def link(self, path: str) -> str | None:
        """The console's URL of a file the run recorded (an absolute path), if it may be served."""
        if not path:
            return None
        try:
            relative = Path(path).resolve().relative_to(self.data_dir)
        except (ValueError, OSError):
            return None
        parts = relative.parts
        if len(parts) >= 3 and parts[0] == "runs" and self.run_file(parts[1], "/".join(parts[2:])):
            return "/" + "/".join(parts)
        if len(parts) >= 2 and parts[0] == "policies" and self.policy_file("/".join(parts[1:])):
            return "/" + "/".join(parts)
        return None

    def _inside(self, folder: Path, relative: str, suffixes: set[str]) -> Path | None:
        parts = Path(relative).parts
        if not parts or any(p in ("", ".", "..") or p.startswith(".") or "\\" in p for p in parts):
            return None
        base = folder.resolve()
        target = (base / relative).resolve()
        if not target.is_relative_to(base) or not target.is_relative_to(self.data_dir):
            return None
        if target.suffix.lower() not in suffixes or not target.is_file():
            return None
        return target

    # -- vehicles -------------------------------------------------------------------------------
    def vehicles(self, text: str) -> list[tuple[LedgerItem, list[tuple[str, str, str]]]]:
        """Vehicles whose plate, VIN, BDC or Vo Vendu is `text`, each with its ledger history."""
        wanted = text.strip().upper()
        if not wanted:
            return []
        with Ledger(self.settings.ledger_location) as ledger:
            return [(item, ledger.events(item.key)) for item in ledger.search(wanted)]

    def runs_of(self, key: str, newest: int = 100) -> list[tuple[str, dict[str, object]]]:
        """The recent runs that worked on vehicle `key`, newest first, with its line in each."""
        needle = json.dumps(key).encode()
        found = []
        for run_id in self.run_ids()[:newest]:
            try:
                raw = (self.runs_dir / run_id / "run.json").read_bytes()
            except OSError:
                continue
            if needle not in raw:
                continue
            for outcome in json.loads(raw).get("outcomes", []):
                if outcome.get("key") == key:
                    found.append((run_id, outcome))
        return found


def _live_line(progress: Progress) -> RunLine:
    return RunLine(run_id=progress.run_id, command=progress.command, started=progress.started.replace(tzinfo=None),
                   seconds=None, counts=Counter(progress.counts), total=progress.total,
                   state="en cours" if progress.alive() else "interrompu",
                   working=tuple(progress.working.values()))
