"""Waiting for what a user waits on, and noticing it as soon as it shows.

Playwright re-checks a waited-for locator on a backoff that settles at every 500 ms when
the wait's timeout is long, and at every 100 ms when it is short (2.5 s or less). A screen
that the portal answers in 300 ms was seen at 770 ms. So the bot waits in short slices of
the same assertion until its whole timeout is spent. Measured with `make bench` at 800 ms
latency: 0.8 s less a vehicle (at 200 ms most screens show within the first quick checks).
"""

from __future__ import annotations

import time
from collections.abc import Callable

# Playwright's own default for `expect`.
EXPECT_TIMEOUT_MS = 5_000.0
# Short enough for Playwright's 100 ms re-checks, long enough to cost little to restart.
SLICE_MS = 2_000.0


def soon(check: Callable[..., None], timeout_ms: float | None = None) -> None:
    """Run `check(timeout=slice_ms)`, a Playwright assertion such as
    ``expect(landmark).to_be_visible``, until it passes; its last failure is raised once
    `timeout_ms` (by default Playwright's `expect` default) is spent."""
    budget = EXPECT_TIMEOUT_MS if timeout_ms is None else timeout_ms
    deadline = time.monotonic() + budget / 1000
    while True:
        left = (deadline - time.monotonic()) * 1000
        try:
            check(timeout=max(1.0, min(SLICE_MS, left)))
            return
        except AssertionError:
            if left <= SLICE_MS:
                raise
