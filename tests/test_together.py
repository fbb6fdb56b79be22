"""Workers in one browser take turns on Playwright's loop: while one waits, the others go on."""

from __future__ import annotations

from playwright.sync_api import Browser

from rpa.browser.workers import run_together
from rpa.core.waiting import pause


def test_a_waiting_worker_lets_the_others_go_on(browser: Browser) -> None:
    said: list[str] = []

    def patient() -> None:  # waits (as a retry does) until the other worker has started
        for _ in range(100):
            if "b a commencé" in said:
                said.append("a a vu b")
                return
            pause(0.01)  # only this worker waits: a blocking sleep would never let b in
        said.append("a n'a jamais vu b")

    def busy() -> None:
        said.append("b a commencé")
        context = browser.new_context()  # a sync call: only this worker waits for it
        context.close()
        said.append("b a fini")

    assert run_together(browser, [patient, busy]) == []
    assert "a a vu b" in said and "b a fini" in said, said


def test_a_worker_that_breaks_down_is_reported_and_the_others_finish(browser: Browser) -> None:
    finished: list[str] = []

    def broken() -> None:
        pause(0.01)
        raise RuntimeError("panne")

    def steady() -> None:
        context = browser.new_context()
        context.close()
        finished.append("steady")

    errors = run_together(browser, [broken, steady])
    assert [str(e) for e in errors] == ["panne"] and finished == ["steady"]
    # The thread is free again for ordinary sync calls.
    browser.new_context().close()
