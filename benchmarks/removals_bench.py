"""Benchmark: the Traqueur removal flows, both sides, against the sandbox at a given latency.

Why: `rpa removals request` and `rpa removals process` handle spreadsheets of hundreds of
lines; this says how long such a file takes, and how close the bot runs to what the portal
itself costs.

- **request**: `request_removals` as SIXT SAS (requester) over a generated request file of N
  lines, each a distinct VIN of SIXT's fleet with its own subscription, addressed to TRAMOSA
  (EK004) or WALON (JJ020). The seed's free vehicles are used first; the sandbox's state gets
  more SIXT vehicles when N needs them. Every line must end `créée`.
- **process**: `process_removals` as TRAMOSA (remover) over a generated action file of M lines:
  a third each of Accepter, Refuser and Signaler, on lines put in the sandbox's state
  beforehand (one demande addressed to EK004), some `Prévenu`, some already `Acceptée`, each in
  a status its action may start from. Every line must end `appliquée`. Run once with 1 worker
  (`process x1`) and once with 4 (`process x4`, `--workers 4`), side by side: the speedup is
  the lines per minute of 4 workers over those of 1.

Each flow (and each worker count) runs against its own fresh sandbox. For each: the lines,
the wall seconds of the whole call (browser start and sign-in included, as a user waits for
them), lines per minute, the speedup over `process x1`, the portal's own time (the floor,
measured by the sandbox: its time on the requests, latency included, plus the waits its
pages script; the remover's dialog, which opens 200 ms after each click, is not counted, so
the ratio overstates the bot's share for `process`), the ratio wall / floor (with several
workers the floor adds up every worker's waits, which overlap: compare lines per minute
instead), the requests made, the retries logged, and how many lines ended in each result.
Prints a table and writes it to benchmarks/results-removals.txt; exits 1 if any line did not
end in its flow's success result. The flows' own log is cut down to warnings (retries show).

Defaults: 200 request lines, 60 action lines (one action costs about 2 s against 200 ms of
latency with one worker, every one reloading the remover's list: 200 would take 7-8 minutes),
200 ms of latency; about 3-4 minutes on 2 cores.

    .venv/bin/python benchmarks/removals_bench.py [--lines 200] [--process-lines 60] [--latency-ms 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loguru import logger
from openpyxl import Workbook
from pydantic import SecretStr

from rpa.config import Settings, TraqueurSettings
from rpa.flows.demo import sandbox_settings
from rpa.flows.removals import RemovalsResult, process_removals, request_removals
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.traqueur.seed import SIXT, TRAMOSA, sixt_vehicles
from rpa.sandbox.traqueur.state import (
    PREVENU,
    Demande,
    DemandeLine,
    StatusChange,
    TrackedVehicle,
    TraqueurState,
)
from rpa.sheets.removals import ACTION_HEADER, REQUEST_HEADER

REMOVERS = ("EK004", "JJ020")
PROCESS_WORKERS = (1, 4)  # `process` measured at each, side by side
# (action, status the line is in before the file is processed), cycled over the M lines.
PLAN = (
    ("Accepter", "Prévenu"),
    ("Refuser", "Prévenu"),
    ("Signaler", "Prévenu"),
    ("Accepter", "Prévenu"),
    ("Refuser", "Acceptée"),
    ("Signaler", "Acceptée"),
)


@dataclass
class Row:
    flow: str
    lines: int
    workers: int
    ok: int
    wall: float
    floor: float
    requests: int
    retries: int
    results: Counter[str]

    @property
    def per_min(self) -> float:
        return 60 * self.lines / self.wall

    @property
    def ratio(self) -> float:
        return self.wall / self.floor if self.floor else float("nan")


def write_sheet(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> Path:
    """A spreadsheet as a person writes one: a header row, then the lines."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Feuil1"
    for row in [list(header), *rows]:
        sheet.append(row)
    workbook.save(path)
    return path


def fleet(state: TraqueurState, count: int) -> list[TrackedVehicle]:
    """`count` SIXT vehicles with no removal open: the seed's free ones first, then new
    vehicles added to the sandbox's state (VINs `VF3BENCH…`, valid 17-character VINs)."""
    free = [v for v in sixt_vehicles(state) if state.active_line(v.vin) is None][:count]
    number = 0
    while len(free) < count:
        vin, abonnement = f"VF3BENCH{number:09d}", f"99{number:05d}B{number % 100:02d}"
        number += 1
        if state.vehicle(vin) is not None or any(v.abonnement == abonnement for v in state.vehicles):
            continue
        vehicle = TrackedVehicle(vin=vin, abonnement=abonnement, marque="PEUGEOT", modele="208",
                                 owner_email=SIXT.email, emplacement="B1A")
        state.vehicles.append(vehicle)
        free.append(vehicle)
    return free


def as_account(base: Settings, box: Sandbox, email: str, password: str, data: Path) -> Settings:
    settings = sandbox_settings(base, box, data)
    return settings.model_copy(update={"traqueur": TraqueurSettings(
        url=box.url("traqueur"), username=email, password=SecretStr(password))})


class Warnings:
    """Counts the warnings the flows log (each retry logs one) while it is installed."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, message: object) -> None:
        self.count += 1


def measure(flow: str, box: Sandbox, lines: int, success: str,
            run: Callable[[], RemovalsResult], workers: int = 1) -> Row:
    warnings = Warnings()
    sink = logger.add(warnings, level="WARNING")
    began_seconds, began_requests = box.server_seconds + box.scripted_seconds, box.server_requests
    began = time.perf_counter()
    try:
        result = run()
    finally:
        logger.remove(sink)
    wall = time.perf_counter() - began
    results = Counter(o.result for o in result.outcomes)
    return Row(flow=flow, lines=lines, workers=workers, ok=results[success], wall=wall,
               floor=box.server_seconds + box.scripted_seconds - began_seconds,
               requests=box.server_requests - began_requests, retries=warnings.count,
               results=results)


def bench_request(base: Settings, lines: int, latency_ms: float) -> Row:
    root = Path(tempfile.mkdtemp(prefix="rpa-bench-removals-"))
    with create_sandbox(root / "state.json", latency_ms=latency_ms) as box:
        vehicles = fleet(box.state.traqueur, lines)
        box.changed()
        rows = [[v.vin, v.abonnement, REMOVERS[i % 2], ("Chambery", "Paris")[i % 2], "30/12/2030",
                 f"bench {i}"] for i, v in enumerate(vehicles)]
        path = write_sheet(root / "demande.xlsx", REQUEST_HEADER, rows)
        settings = as_account(base, box, SIXT.email, SIXT.password, root / "data")
        return measure("request", box, lines, "créée", lambda: request_removals(settings, path))


def bench_process(base: Settings, lines: int, latency_ms: float, workers: int) -> Row:
    root = Path(tempfile.mkdtemp(prefix="rpa-bench-removals-"))
    with create_sandbox(root / "state.json", latency_ms=latency_ms) as box:
        state = box.state.traqueur
        vehicles = fleet(state, lines)
        plan = [PLAN[i % len(PLAN)] for i in range(lines)]
        created = dt.datetime.now() - dt.timedelta(days=2)
        demande = Demande(
            numero=state.new_demande_number(), created=created.date(), requester=SIXT.email,
            email_suivi=SIXT.contact_email, description="bench.xlsx",
            lines=[
                DemandeLine(vin=v.vin, abonnement=v.abonnement, marque=v.marque, modele=v.modele,
                            code_distributeur=TRAMOSA.distributor_code, lieu="Chambery",
                            date_souhaitee="30/12/2030", statut=PREVENU,
                            history=[StatusChange(when=created, old="", new=PREVENU, by=SIXT.email)])
                for v in vehicles
            ],
        )
        for line, (_, status) in zip(demande.lines, plan, strict=True):
            if status == "Acceptée":
                line.apply("accepter", TRAMOSA.email, created + dt.timedelta(days=1))
        state.demandes.append(demande)
        box.changed()
        when = (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%d/%m/%Y %H:%M:%S")
        rows = []
        for i, (v, (action, _)) in enumerate(zip(vehicles, plan, strict=True)):
            if action == "Refuser":
                rows.append([v.vin, action, "Véhicule absent du parc", "", "", ""])
            elif action == "Signaler":
                rows.append([v.vin, action, "", when, f"{1_000_000 + i:07d}", "M. BENCH"])
            else:
                rows.append([v.vin, action, "", "", "", ""])
        path = write_sheet(root / "actions.xlsx", ACTION_HEADER, rows)
        settings = as_account(base, box, TRAMOSA.email, TRAMOSA.password, root / "data")
        return measure(f"process x{workers}", box, lines, "appliquée",
                       lambda: process_removals(settings, path, workers=workers), workers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=200,
                        help="lines of the request file (and of the action file unless --process-lines)")
    parser.add_argument("--process-lines", type=int, default=None,
                        help="lines of the action file (default: min(--lines, 60))")
    parser.add_argument("--latency-ms", type=float, default=200.0)
    args = parser.parse_args()
    process_lines: int = args.process_lines if args.process_lines is not None else min(args.lines, 60)
    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    rows = [bench_request(base, args.lines, args.latency_ms)]
    rows += [bench_process(base, process_lines, args.latency_ms, workers) for workers in PROCESS_WORKERS]
    one = next(r for r in rows if r.flow.startswith("process") and r.workers == 1)
    text_lines = [
        f"Traqueur removals: sandbox latency {args.latency_ms:.0f} ms, {os.cpu_count()} CPU(s)",
        f"{'flow':<10} {'lines':>5} {'ok':>5} {'run s':>7} {'lines/min':>10} {'speedup':>7} {'floor s':>8} "
        f"{'ratio':>6} {'requests':>8} {'req/line':>8} {'retries':>7}  results",
    ]
    for r in rows:
        results = ", ".join(f"{name} {count}" for name, count in sorted(r.results.items()))
        speedup = f"{r.per_min / one.per_min:.2f}" if r.flow.startswith("process") else "-"
        text_lines.append(
            f"{r.flow:<10} {r.lines:>5} {r.ok:>5} {r.wall:>7.1f} {r.per_min:>10.1f} {speedup:>7} {r.floor:>8.1f} "
            f"{r.ratio:>6.2f} {r.requests:>8} {r.requests / r.lines:>8.2f} {r.retries:>7}  {results}"
        )
    text = "\n".join(text_lines)
    print(text)
    (Path(__file__).parent / "results-removals.txt").write_text(text + "\n", encoding="utf-8")
    return 0 if all(r.ok == r.lines == sum(r.results.values()) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
