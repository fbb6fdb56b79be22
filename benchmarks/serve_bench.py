"""Benchmark: `rpa serve`'s time to first byte over a big data folder.

1,000 run folders of 300 vehicles each (a year and more of nights, every one a big one; a
quarter of each night failed, with screenshots and traces named) and a ledger of 300
vehicles. The console runs as `rpa serve` does, in its own process; each page is asked for
once just after the start (cold: nothing read yet) and then `--repeat` times (warm). Time to
first byte is measured on a plain socket: request sent to first byte of the answer.

    .venv/bin/python benchmarks/serve_bench.py [--runs 1000] [--items 300] [--repeat 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rpa.core.failures import Kind
from rpa.runs.archive import RunSummary
from rpa.runs.outcome import Outcome, Result
from rpa.store.ledger import Ledger, Stage

HERE = Path(__file__).parent


def outcomes(run_dir: Path, items: int) -> list[Outcome]:
    made = []
    for n in range(items):
        key = f"{700000 + n}"
        if n % 4 == 0:
            made.append(Outcome(row=n + 2, key=key, bdc=f"{80000 + n}", immat="AB-123-CD", vin=f"VF3{n:014d}",
                                result=Result.ECHEC, failure_kind=Kind.BUSINESS, stage="new",
                                reason="Le champ adresse est obligatoire ; Le champ ville est obligatoire",
                                screenshot=str(run_dir / "screenshots" / f"{key}.png"),
                                trace=str(run_dir / "traces" / f"{key}.zip")))
        else:
            made.append(Outcome(row=n + 2, key=key, bdc=f"{80000 + n}", immat="AB-123-CD", vin=f"VF3{n:014d}",
                                result=Result.TERMINE, stage="done", devis=f"{1006000 + n:010d}",
                                police=f"{1003000 + n:010d}", pdf=str(run_dir.parent.parent / "policies" / f"{key}.pdf")))
    return made


def generate(data: Path, runs: int, items: int) -> list[str]:
    """`runs` run folders under `data`, newest last; returns their ids."""
    start = dt.datetime(2024, 1, 1, 22, 0)
    ids = []
    template = None
    for r in range(runs):
        started = start + dt.timedelta(days=r)
        run_id = started.strftime("%Y%m%d-%H%M%S-000")
        run_dir = data / "runs" / run_id
        run_dir.mkdir(parents=True)
        if template is None:
            template = RunSummary(run_id="RUNID", command="nightly", started=started, seconds=5400.0,
                                  outcomes=outcomes(data / "runs" / "RUNID", items)).model_dump_json(indent=1)
        (run_dir / "run.json").write_text(template.replace("RUNID", run_id), encoding="utf-8")
        ids.append(run_id)
    with Ledger(data / "ledger.sqlite3") as ledger:
        for n in range(items):
            ledger.checkpoint(f"{700000 + n}", Stage.DONE, bdc=f"{80000 + n}", vin=f"VF3{n:014d}", immat="AB-123-CD")
    return ids


def ttfb(port: int, path: str) -> float:
    """Seconds from sending the request to the first byte of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
        began = time.perf_counter()
        s.sendall(request)
        first = s.recv(1)
        elapsed = time.perf_counter() - began
        assert first == b"H"
        while s.recv(65536):
            pass
    return elapsed


def serve(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RPA_")} | {"RPA_DATA_DIR": str(data)}
    process = subprocess.Popen([sys.executable, "-m", "rpa", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("rpa serve did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        began = time.perf_counter()
        ids = generate(data, args.runs, args.items)
        size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file()) / 2**20
        print(f"{args.runs} runs x {args.items} vehicles generated in {time.perf_counter() - began:.0f} s ({size:.0f} MiB)")
        pages = [("runs page (newest 50 of 1000)", "/runs"), ("runs page, last page", f"/runs?page={args.runs // 50}"),
                 (f"run page ({args.items} items)", f"/runs/{ids[-1]}"), ("item page", f"/runs/{ids[-1]}/items/2"),
                 ("vehicle search (ledger + 100 runs)", "/vehicles?q=AB-123-CD".replace("AB-123-CD", "80002")),
                 ("live poll", "/runs/live.json")]
        rows = []
        for name, path in pages:
            port = free_port()
            process = serve(data, port)
            try:
                cold = ttfb(port, path)
                warm = sorted(ttfb(port, path) for _ in range(args.repeat))
            finally:
                process.terminate()
                process.wait()
            rows.append((name, cold * 1000, statistics.median(warm) * 1000, warm[int(len(warm) * 0.95) - 1] * 1000))
    lines = [f"rpa serve, time to first byte (ms), {args.runs} runs x {args.items} vehicles, {os.cpu_count()} cores",
             f"{'page':<38} {'cold':>7} {'median':>7} {'p95':>7}"]
    lines += [f"{name:<38} {cold:7.1f} {median:7.1f} {p95:7.1f}" for name, cold, median, p95 in rows]
    text = "\n".join(lines)
    print(text)
    (HERE / "results-serve.txt").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
