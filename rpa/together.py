"""Several workers in one browser: one Playwright, one Chromium, a context per worker.

Playwright's sync API already runs its event loop in a dispatcher greenlet: a sync call
parks the greenlet that made it until the driver answers, and the loop meanwhile serves
whatever else is waiting. So each worker runs in a greenlet of its own on this thread;
while one waits for a portal, the others go on. Nothing here blocks the thread: a retry's
pause waits on the loop too (`pause`), so the other workers keep going.

This leans on two attributes every sync API object has, `_loop` and `_dispatcher_fiber`,
the same ones Playwright's own event handlers use to run user code in greenlets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from greenlet import greenlet  # type: ignore[import-untyped]  # no stubs
from tenacity import nap


class WorkerGreenlet(greenlet):  # type: ignore[misc]  # greenlet ships no typed subclassing
    """A worker's own stack: its sync calls park it alone."""

    def __init__(self, run: Callable[[], None], loop: asyncio.AbstractEventLoop, dispatcher: greenlet) -> None:
        super().__init__(run)
        self.loop = loop
        self.dispatcher = dispatcher


def run_together(anchor: Any, jobs: Sequence[Callable[[], None]]) -> list[BaseException]:
    """Run `jobs` at once on the Playwright of `anchor` (any sync API object: a browser).

    Returns the exceptions that ended jobs (each job is expected to catch its own)."""
    loop: asyncio.AbstractEventLoop = anchor._loop
    dispatcher: greenlet = anchor._dispatcher_fiber
    finished: asyncio.Future[list[Any]] = loop.create_future()
    errors: list[BaseException] = []

    def start() -> None:  # in the dispatcher: each worker runs until its first wait
        futures = [_start(job, loop, dispatcher, errors) for job in jobs]
        gathered = asyncio.gather(*futures, return_exceptions=True)
        gathered.add_done_callback(lambda done: finished.set_result(done.result()))

    loop.call_soon(start)
    _wait(loop, dispatcher, finished)
    return errors


def _start(job: Callable[[], None], loop: asyncio.AbstractEventLoop, dispatcher: greenlet,
           errors: list[BaseException]) -> asyncio.Future[None]:
    done: asyncio.Future[None] = loop.create_future()

    def body() -> None:
        try:
            job()
        except Exception as err:  # noqa: BLE001  # reported to the caller, never lost
            errors.append(err)
        finally:
            done.set_result(None)

    WorkerGreenlet(body, loop, dispatcher).switch()
    return done


def _wait(loop: asyncio.AbstractEventLoop, dispatcher: greenlet, future: asyncio.Future[Any]) -> None:
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
        _wait(current.loop, current.dispatcher, elapsed)
    finally:
        handle.cancel()
