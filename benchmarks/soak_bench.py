"""Benchmark: a dealer group's night, 300 vehicles through the warranty chain in one run, with
2 and 4 workers, the bot's memory (PSS of this process, the driver and Chromium) read every
10 vehicles.

Why: nothing else runs longer than a few dozen vehicles in one browser, and Playwright
contexts that live for hours are known to grow. The run renews each worker's context and the
browser on the settings' schedule (RPA_BROWSER__RECYCLE_CONTEXT_AFTER / _BROWSER_AFTER); this
says whether memory stays flat over a night, and how long the night takes.

For each worker count: a fresh sandbox (in its own process, at 200 ms latency) with N ordinary
closed BDCs, one `run_warranty` over them, and: minutes, vehicles per minute, the mean PSS
over the first 50 vehicles and over the last 50, their drift, the peak, the vehicles not
`terminé` and the policies bought twice (from the sandbox's own records). Prints a table, with
the PSS series, and writes it to benchmarks/results-soak.txt; exits 1 if any vehicle was lost or
bought twice.

    .venv/bin/python benchmarks/soak_bench.py [--vehicles 300] [--workers 2 4] [--latency-ms 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from loguru import logger

from rpa.config import Settings
from rpa.flows.demo import sandbox_settings
from rpa.flows.run import run_warranty
from rpa.runs.outcome import Outcome
from rpa.sheets.queue import WarrantyItem

sys.path.insert(0, str(Path(__file__).parent))
from measure import Sampler, SandboxProcess  # noqa: E402

EVERY = 10
WINDOW = 50  # vehicles at each end of the night compared


def soak(vehicles: int, latency_ms: float, workers: int) -> dict[str, object]:
    root = Path(tempfile.mkdtemp(prefix="rpa-soak-"))
    sandbox = SandboxProcess(root / "state.json", extra_bdcs=vehicles, latency_ms=latency_ms)
    sandbox.box.state.document_delay_seconds = 0.5
    series: list[tuple[int, float, float]] = []  # (vehicles done, minutes, PSS MB)
    with sandbox:
        box = sandbox.box
        settings = sandbox_settings(Settings(_env_file=None), box, root / "data")  # type: ignore[call-arg]
        queue = [WarrantyItem(row=i + 2, vo_vendu=b.vo_vendu)
                 for i, b in enumerate(box.state.bdcs) if 80000 <= int(b.numero) < 80000 + vehicles]  # the extra BDCs (seed.extra_bdcs)
        with Sampler(sandbox_pid=sandbox.pid) as sampler:
            began = time.perf_counter()
            done: list[Outcome] = []

            def sample(outcome: Outcome) -> None:
                done.append(outcome)
                if len(done) % EVERY == 0:
                    sampler.sample()
                    series.append((len(done), (time.perf_counter() - began) / 60, sampler.latest / 2**20))
                    logger.warning("{} véhicules : PSS {}", len(done),
                                   {k: v if k.endswith("#") else round(v / 2**20) for k, v in sampler.latest_by_kind.items()})

            result = run_warranty(settings, queue, workers=workers, on_done=sample)
            minutes = (time.perf_counter() - began) / 60
        counters = sandbox.counters()
    first = [mb for n, _, mb in series if n <= WINDOW]
    last = [mb for n, _, mb in series if n > vehicles - WINDOW]
    head, tail = sum(first) / max(1, len(first)), sum(last) / max(1, len(last))
    bought = counters["purchases"]
    return {
        "workers": workers, "vehicles": vehicles, "minutes": minutes, "per_min": vehicles / minutes,
        "first": head, "last": tail, "drift": 100 * (tail - head) / head if head else 0.0,
        "peak": sampler.peak / 2**20,
        "lost": vehicles - sum(1 for o in result.outcomes if o.result == "terminé"),
        "twice": len(bought) - len(set(bought)), "series": series,
    }


def table(rows: list[dict[str, object]], vehicles: int, latency_ms: float) -> str:
    lines = [
        f"Warranty chain, a long night: {vehicles} vehicles, sandbox latency {latency_ms:.0f} ms, "
        f"{os.cpu_count()} CPU(s); PSS of the bot (Python, driver, Chromium) every {EVERY} vehicles",
        f"{'workers':>7} {'minutes':>8} {'veh/min':>8} {f'PSS 1-{WINDOW}':>10} {f'PSS last {WINDOW}':>12} "
        f"{'drift %':>8} {'peak MB':>8} {'lost':>5} {'twice':>6}",
    ]
    for r in rows:
        lines.append(f"{r['workers']:>7} {r['minutes']:>8.1f} {r['per_min']:>8.1f} {r['first']:>10.0f} "
                     f"{r['last']:>12.0f} {r['drift']:>8.1f} {r['peak']:>8.0f} {r['lost']:>5} {r['twice']:>6}")
    for r in rows:
        series = r["series"]
        assert isinstance(series, list)
        lines.append(f"PSS MB every {EVERY} vehicles, {r['workers']} workers: "
                     + " ".join(f"{mb:.0f}" for _, _, mb in series))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vehicles", type=int, default=300)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    args = parser.parse_args()
    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    rows: list[dict[str, object]] = []
    for workers in args.workers:  # the table is written after each night: a long one is never lost
        rows.append(soak(args.vehicles, args.latency_ms, workers))
        text = table(rows, args.vehicles, args.latency_ms)
        (Path(__file__).parent / "results-soak.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if all(r["lost"] == 0 and r["twice"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
