"""Benchmark: N vehicles through the whole warranty chain in the sandbox, at a given latency,
with 1, 2 and 4 workers.

For each worker count: a fresh sandbox with N ordinary closed BDCs, one `run_warranty` over
them, and per vehicle the wall seconds, the portals' own time (the floor, measured by the
sandbox: its time answering the run's requests, latency included, plus the waits its pages
script, such as a list fetched a moment after its page), their ratio, the throughput speedup
against 1 worker and the peak memory (PSS) of the bot plus its browsers (this process
included, so the in-process sandbox is counted against the bot too). Prints a table and writes it to
benchmarks/results-warranty.txt.

    .venv/bin/python benchmarks/warranty_bench.py [--vehicles 12] [--latency-ms 200] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from rpa.config import Settings
from rpa.flows.demo import sandbox_settings
from rpa.flows.run import run_warranty
from rpa.sandbox.server import create_sandbox
from rpa.sheets.queue import WarrantyItem


def _pss(pid: int) -> int:
    """Proportional set size: shared pages (Chromium's processes share many) counted once."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def tree_memory(pid: int) -> int:
    """Memory of `pid` and all its descendants (the Playwright drivers, Chromium)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(stat[1]), []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += _pss(current)
        except OSError:  # gone meanwhile
            pass
        todo += children.get(current, [])
    return total


class PeakMemory:
    """Samples the process tree's resident memory while the run goes."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            self.peak = max(self.peak, tree_memory(os.getpid()))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bench(vehicles: int, latency_ms: float, workers: int) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="rpa-bench-"))
    with create_sandbox(root / "state.json", extra_bdcs=vehicles, latency_ms=latency_ms) as box:
        box.state.document_delay_seconds = 0.5
        settings = sandbox_settings(Settings(_env_file=None), box, root / "data")  # type: ignore[call-arg]
        queue = [WarrantyItem(row=i + 2, vo_vendu=b.vo_vendu)
                 for i, b in enumerate(box.state.bdcs) if b.vo_vendu.startswith("7000")]
        assert len(queue) == vehicles, "the sandbox's extra BDCs are the benchmark's vehicles"
        with PeakMemory() as memory:
            began = time.perf_counter()
            result = run_warranty(settings, queue, workers=workers)
            wall = time.perf_counter() - began
        done = sum(1 for o in result.outcomes if o.result == "terminé")
        per_vehicle = [(o.finished - o.started).total_seconds()
                       for o in result.outcomes if o.started and o.finished and o.result == "terminé"]
        floor = (box.server_seconds + box.scripted_seconds) / vehicles
        return {
            "workers": workers, "done": done, "wall": wall,
            "vehicle_wall": sum(per_vehicle) / max(1, len(per_vehicle)),
            "floor": floor, "per_min": 60 * done / wall, "memory_mb": memory.peak / 2**20,
            "requests": box.server_requests / vehicles,
        }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vehicles", type=int, default=12)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    rows = [bench(args.vehicles, args.latency_ms, n) for n in args.workers]
    base = rows[0]["per_min"]
    lines = [
        f"Warranty chain: {args.vehicles} vehicles, sandbox latency {args.latency_ms:.0f} ms, "
        f"{os.cpu_count()} CPU(s)",
        f"{'workers':>7} {'done':>5} {'run s':>7} {'s/vehicle':>10} {'floor s':>8} {'ratio':>6} "
        f"{'req/veh':>8} {'veh/min':>8} {'speedup':>8} {'peak MB':>8}",
    ]
    for r in rows:
        lines.append(
            f"{r['workers']:>7.0f} {r['done']:>5.0f} {r['wall']:>7.1f} {r['vehicle_wall']:>10.1f} "
            f"{r['floor']:>8.1f} {r['vehicle_wall'] / r['floor']:>6.2f} {r['requests']:>8.0f} "
            f"{r['per_min']:>8.1f} {r['per_min'] / base:>8.2f} {r['memory_mb']:>8.0f}"
        )
    text = "\n".join(lines)
    print(text)
    (Path(__file__).parent / "results-warranty.txt").write_text(text + "\n", encoding="utf-8")
    return 0 if all(r["done"] == args.vehicles for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
