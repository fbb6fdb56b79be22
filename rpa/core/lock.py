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


def refusal(path: Path, what: str) -> str:
    """What a second holder is told, with the first one's pid."""
    holder = path.read_text(errors="replace").strip()[:32] or "?"
    return f"{what} est déjà en cours (pid {holder}) : ce lancement s'arrête."


def busy(path: Path, what: str) -> str | None:
    """The refusal `exclusive` would give now, or None if the lock is free (for a caller
    that starts the holder in another process: `rpa serve`)."""
    fd = take(path)
    if fd is None:
        return refusal(path, what)
    os.close(fd)
    return None


@contextmanager
def exclusive(path: Path, what: str) -> Iterator[None]:
    """Hold `path` locked, or refuse at once (exit code 2) if another process holds it."""
    fd = take(path)
    if fd is None:
        raise UsageError(refusal(path, what))
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
