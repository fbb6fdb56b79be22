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
import time
from pathlib import Path

from rpa.config import Settings
from rpa.flows.demo import sandbox_settings
from rpa.flows.run import run_warranty
from rpa.sheets.queue import WarrantyItem

sys.path.insert(0, str(Path(__file__).parent))
from measure import Sampler, SandboxProcess  # noqa: E402

CPU_KINDS = ("python", "driver", "browser", "renderer", "helper", "sandbox")


def bench(vehicles: int, latency_ms: float, workers: int) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="rpa-bench-"))
    sandbox = SandboxProcess(root / "state.json", extra_bdcs=vehicles, latency_ms=latency_ms)
    sandbox.box.state.document_delay_seconds = 0.5  # set before the sandbox's process forks
    with sandbox:
        box = sandbox.box
        settings = sandbox_settings(Settings(_env_file=None), box, root / "data")  # type: ignore[call-arg]
        queue = [WarrantyItem(row=i + 2, vo_vendu=b.vo_vendu)
                 for i, b in enumerate(box.state.bdcs) if 80000 <= int(b.numero) < 80000 + vehicles]  # the extra BDCs (seed.extra_bdcs)
        assert len(queue) == vehicles, "the sandbox's extra BDCs are the benchmark's vehicles"
        with Sampler(sandbox_pid=sandbox.pid) as sampler:
            began = time.perf_counter()
            result = run_warranty(settings, queue, workers=workers)
            wall = time.perf_counter() - began
        counters = sandbox.counters()
    done = sum(1 for o in result.outcomes if o.result == "terminé")
    per_vehicle = [(o.finished - o.started).total_seconds()
                   for o in result.outcomes if o.started and o.finished and o.result == "terminé"]
    floor = (counters["server_seconds"] + counters["scripted_seconds"]) / vehicles
    cpu = sampler.spent()
    return {
        "workers": workers, "done": done, "wall": wall,
        "vehicle_wall": sum(per_vehicle) / max(1, len(per_vehicle)),
        "floor": floor, "per_min": 60 * done / wall, "memory_mb": sampler.peak / 2**20,
        "requests": counters["server_requests"] / vehicles,
        "bought_twice": len(counters["purchases"]) - len(set(counters["purchases"])),
        **{f"cpu_{k}": cpu.get(k, 0.0) / vehicles for k in CPU_KINDS},
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
    lines.append("CPU seconds per vehicle, by process (the sandbox in its own process)")
    lines.append(f"{'workers':>7} " + " ".join(f"{k:>9}" for k in CPU_KINDS) + f" {'bot total':>9}")
    for r in rows:
        bot = sum(r[f"cpu_{k}"] for k in CPU_KINDS if k != "sandbox")
        lines.append(f"{r['workers']:>7.0f} " + " ".join(f"{r[f'cpu_{k}']:>9.2f}" for k in CPU_KINDS)
                     + f" {bot:>9.2f}")
    text = "\n".join(lines)
    print(text)
    (Path(__file__).parent / "results-warranty.txt").write_text(text + "\n", encoding="utf-8")
    return 0 if all(r["done"] == args.vehicles and not r["bought_twice"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
