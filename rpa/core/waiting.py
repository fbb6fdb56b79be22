"""Pauses that wait only their worker: each worker of a run is a greenlet on Playwright's
event loop (rpa/browser/workers.py); a worker that waits (a retry's backoff, another worker's
sign-in) parks its greenlet and lets the loop serve the others. Outside a worker, a pause is
an ordinary sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from greenlet import greenlet  # type: ignore[import-untyped]  # no stubs
from tenacity import nap


class WorkerGreenlet(greenlet):  # type: ignore[misc]  # greenlet ships no typed subclassing
    """A worker's own stack: its sync calls park it alone."""

    def __init__(self, run: Callable[[], None], loop: asyncio.AbstractEventLoop, dispatcher: greenlet) -> None:
        super().__init__(run)
        self.loop = loop
        self.dispatcher = dispatcher


def wait_on(loop: asyncio.AbstractEventLoop, dispatcher: greenlet, future: asyncio.Future[Any]) -> None:
    """Park this greenlet until `future` settles; the loop serves the others meanwhile."""
    me = greenlet.getcurrent()
    waiting = True

    def resume(_: asyncio.Future[Any]) -> None:
        if waiting:
            me.switch()

    future.add_done_callback(resume)
    try:
        while not future.done():
            if dispatcher.dead:
                raise RuntimeError("Playwright s'est arrêté")
            dispatcher.switch()
    finally:
        waiting = False
        future.remove_done_callback(resume)
        if not dispatcher.dead:
            asyncio._set_running_loop(loop)  # as Playwright leaves it between sync calls


def pause(seconds: float) -> None:
    """tenacity's sleep between retries: in a worker, only that worker waits; outside
    one, tenacity's own."""
    current = greenlet.getcurrent()
    if not isinstance(current, WorkerGreenlet) or seconds <= 0:
        nap.sleep(seconds)
        return
    elapsed: asyncio.Future[None] = current.loop.create_future()
    handle = current.loop.call_later(seconds, elapsed.set_result, None)
    try:
        wait_on(current.loop, current.dispatcher, elapsed)
    finally:
        handle.cancel()
