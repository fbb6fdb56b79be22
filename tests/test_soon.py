"""Waits run in short slices, so Playwright keeps re-checking often, and last their whole timeout."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from rpa.pages import soon as soon_module
from rpa.pages.soon import soon

LATE_BUTTON = """
<p>Chargement…</p>
<script>setTimeout(() => {
  const b = document.createElement('button'); b.textContent = 'Garantir'; document.body.append(b);
}, 700)</script>
"""


class Counted:
    """A Playwright assertion that remembers the timeouts it was given."""

    def __init__(self, check: Any) -> None:
        self.check = check
        self.timeouts: list[float] = []

    def __call__(self, timeout: float) -> None:
        self.timeouts.append(timeout)
        self.check(timeout=timeout)


def test_a_screen_that_shows_after_several_slices_is_waited_for(page: Page, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(soon_module, "SLICE_MS", 200.0)
    page.set_content(LATE_BUTTON)
    waited = Counted(expect(page.get_by_role("button", name="Garantir")).to_be_visible)
    soon(waited, timeout_ms=5_000)
    assert len(waited.timeouts) >= 2, "the button came after the first slice"
    assert all(t <= 200.0 for t in waited.timeouts)


def test_slices_stay_short_enough_for_frequent_rechecks(page: Page) -> None:
    """Playwright re-checks every 100 ms only for waits of 2.5 s or less (500 ms above)."""
    page.set_content("<p>Rien</p>")
    waited = Counted(expect(page.get_by_role("button", name="Garantir")).to_be_visible)
    with pytest.raises(AssertionError):
        soon(waited, timeout_ms=4_500)
    assert len(waited.timeouts) >= 3 and max(waited.timeouts) <= 2_500, waited.timeouts
    assert sum(waited.timeouts) >= 4_000, "the whole timeout is spent before giving up"
