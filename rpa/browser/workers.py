"""Several workers in one browser: one Playwright, one Chromium, a context per worker.

Playwright's sync API already runs its event loop in a dispatcher greenlet: a sync call
parks the greenlet that made it until the driver answers, and the loop meanwhile serves
whatever else is waiting. So each worker runs in a greenlet of its own on this thread;
while one waits for a portal, the others go on. Nothing here blocks the thread: a retry's
pause waits on the loop too (`pause`), so the other workers keep going.

This leans on two attributes every sync API object has, `_loop` and `_dispatcher_fiber`,
the same ones Playwright's own event handlers use to run user code in greenlets; hence the
Playwright range pinned in pyproject.toml (proven on 1.65).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from greenlet import greenlet  # type: ignore[import-untyped]  # no stubs

from rpa.core.waiting import WorkerGreenlet, wait_on


def run_together(anchor: Any, jobs: Sequence[Callable[[], None]]) -> list[BaseException]:
    """Run `jobs` at once on the Playwright of `anchor` (any sync API object: a browser).

    Returns the exceptions that ended jobs (each job is expected to catch its own)."""
    loop: asyncio.AbstractEventLoop | None = getattr(anchor, "_loop", None)
    dispatcher: greenlet | None = getattr(anchor, "_dispatcher_fiber", None)
    if loop is None or dispatcher is None:  # a Playwright release outside pyproject's range
        raise RuntimeError("cette version de Playwright n'expose plus _loop/_dispatcher_fiber : "
                           "installez la version indiquée dans pyproject.toml")
    finished: asyncio.Future[list[Any]] = loop.create_future()
    errors: list[BaseException] = []

    def start() -> None:  # in the dispatcher: each worker runs until its first wait
        futures = [_start(job, loop, dispatcher, errors) for job in jobs]
        gathered = asyncio.gather(*futures, return_exceptions=True)
        gathered.add_done_callback(lambda done: finished.set_result(done.result()))

    loop.call_soon(start)
    wait_on(loop, dispatcher, finished)
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


