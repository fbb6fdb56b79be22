"""Exclusive locks on files, released by the OS if the process dies: one nightly run at a
time, one live worker per session slot."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rpa.core.errors import UsageError


def take(path: Path) -> int | None:
    """Lock `path` without waiting: the open descriptor that holds the lock (closing it
    releases the lock), or None when another holder has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextmanager
def exclusive(path: Path, what: str) -> Iterator[None]:
    """Hold `path` locked, or refuse at once (exit code 2) if another process holds it."""
    fd = take(path)
    if fd is None:
        holder = path.read_text(errors="replace").strip()[:32] or "?"
        raise UsageError(f"{what} est déjà en cours (pid {holder}) : ce lancement s'arrête.")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
