"""A worker's portal sessions, kept from one run to the next (Playwright's `storage_state`).

A run's worker starts from the cookies the same slot's worker left, so the operator's
one-vehicle runs and a nightly run that follows another sign in only where a portal has
ended the session. Each slot is held by one live worker at a time (an `flock` the OS
releases if the process dies): two browsers never share one portal session, whose wizard
and handoff state is per session. Cookies are as good as a password while they last:
0600 files in a 0700 folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rpa.core.files import private_dir
from rpa.core.lock import take


@contextmanager
def session_slot(folder: Path) -> Iterator[Path]:
    """The session file of the first slot no other live worker holds, for as long as the
    `with` lasts. The file may not exist yet (a first run)."""
    private_dir(folder)
    number = 0
    while (fd := take(folder / f"worker-{number}.lock")) is None:
        number += 1
    try:
        yield folder / f"worker-{number}.json"
    finally:
        os.close(fd)  # closing releases the lock
