"""What the benchmarks measure about the bot's processes: memory (PSS) and where the CPU goes.

The bot is this process (Python), Playwright's driver (Node) and Chromium (its browser
process, one renderer per portal and worker, a few helpers). Sampled every quarter second
from /proc, so a renderer that exits between two samples loses at most a quarter second of
its CPU. The sandbox runs in a child process of its own (`SandboxProcess`) so that its CPU
is counted apart: on the real night the portals are someone else's machines.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import sys
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from rpa.sandbox.server import PORTALS, Sandbox, create_sandbox

TICKS = os.sysconf("SC_CLK_TCK")


def _pss(pid: int) -> int:
    """Proportional set size: shared pages (Chromium's processes share many) counted once."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children[int(stat[1])].append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _kind(pid: int, root: int, sandbox: int | None) -> str:
    """Which part of the bot a process is: python, driver, browser, renderer or helper."""
    if pid == root:
        return "python"
    if pid == sandbox:
        return "sandbox"
    try:
        # Chromium rewrites its helpers' titles into one string: split on spaces too.
        args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
    except OSError:
        return "gone"
    name = Path(args[0].decode(errors="replace")).name
    if name == "node" or any(a.endswith(b"cli.js") for a in args):
        return "driver"
    if not name.startswith(("chrom", "headless")):
        return "other"
    kinds = [a for a in args if a.startswith(b"--type=")]
    if b"--extension-process" in args:
        return "helper"
    if not kinds:
        return "browser"
    return "renderer" if kinds[0] == b"--type=renderer" else "helper"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


@dataclass
class Sampler:
    """Samples this process tree while a run goes: peak and latest PSS, CPU seconds by kind
    (each process's last reading kept, so the ones that exit are still counted)."""

    sandbox_pid: int | None = None
    period_s: float = 0.25
    peak: int = 0
    latest: int = 0
    latest_by_kind: dict[str, int] = field(default_factory=dict)
    _cpu: dict[int, tuple[str, float]] = field(default_factory=dict)
    _kinds: dict[int, str] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        root = os.getpid()
        total = 0
        by_kind: dict[str, int] = defaultdict(int)
        for pid in _tree(root) + ([self.sandbox_pid] if self.sandbox_pid else []):
            try:
                kind = self._kinds.get(pid) or _kind(pid, root, self.sandbox_pid)
                if kind not in ("other", "gone"):  # a wrapper script may exec Chromium a moment later
                    self._kinds[pid] = kind
                self._cpu[pid] = (kind, _cpu_seconds(pid))
                if kind != "sandbox":
                    pss = _pss(pid)
                    total += pss
                    by_kind[kind] += pss
                    by_kind[f"{kind}#"] += 1
            except (OSError, ValueError, IndexError):  # gone meanwhile, or caught half-written
                continue
        self.latest = total
        self.latest_by_kind = dict(by_kind)
        self.peak = max(self.peak, total)

    def cpu(self) -> dict[str, float]:
        by_kind: dict[str, float] = defaultdict(float)
        for kind, seconds in self._cpu.values():
            by_kind[kind] += seconds
        return dict(by_kind)

    def _loop(self) -> None:
        while not self._stop.wait(self.period_s):
            try:
                self.sample()
            except Exception as err:  # noqa: BLE001  # a sampler that stops would under-count silently
                print(f"échantillon perdu : {err!r}", file=sys.stderr)

    def __enter__(self) -> Sampler:
        self.sample()
        self._baseline = self.cpu()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()

    def spent(self) -> dict[str, float]:
        """CPU seconds by kind since the sampler started."""
        return {k: v - self._baseline.get(k, 0.0) for k, v in self.cpu().items()}


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _serve(box: Sandbox, conn: Connection) -> None:
    box.start()
    conn.send("ready")
    command = conn.recv()
    while command == "counters":
        conn.send({"server_seconds": box.server_seconds, "scripted_seconds": box.scripted_seconds,
                   "server_requests": box.server_requests,
                   "purchases": [p.vin for p in box.state.purchases]})
        command = conn.recv()
    box.stop()


class SandboxProcess:
    """The sandbox served by a child process (forked before any browser starts). `box` is the
    parent's copy: its state as seeded and its addresses, for the bot's settings; counters
    and purchases come back from the child with `counters()`."""

    def __init__(self, state_path: Path, **knobs: Any) -> None:
        ports = dict(zip(PORTALS, free_ports(len(PORTALS)), strict=True))
        self.box = create_sandbox(state_path, ports=ports, **knobs)
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("fork").Process(target=_serve, args=(self.box, child),
                                                                   daemon=True)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def counters(self) -> dict[str, Any]:
        self._conn.send("counters")
        answer: dict[str, Any] = self._conn.recv()
        return answer

    def __enter__(self) -> SandboxProcess:
        self._process.start()
        if self._conn.recv() != "ready":
            raise RuntimeError("the sandbox process did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(timeout=15)
