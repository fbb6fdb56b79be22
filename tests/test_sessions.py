"""A worker's portal sessions outlive its run: the next run's worker in the same slot starts
signed in. (Where a portal has ended the session it shows its login form, as on a first run.)"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from rpa.browser.launch import new_context
from rpa.browser.slots import session_slot
from rpa.config import Settings
from rpa.flows.run import run_warranty
from rpa.sandbox.server import Sandbox
from rpa.sheets.queue import WarrantyItem

SIGN_INS = {("POST", "/"), ("POST", "/login")}  # Planet VO's login form, GuideWire's


def sign_ins(sandbox: Sandbox) -> int:
    assert sandbox.journal is not None
    return sum(1 for _, _, method, path in sandbox.journal if (method, path) in SIGN_INS)


def test_live_workers_never_share_a_slot_and_a_freed_slot_is_taken_again(tmp_path: Path) -> None:
    with session_slot(tmp_path) as first, session_slot(tmp_path) as second:
        assert first != second
    with session_slot(tmp_path) as again:
        assert again == first
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700


@pytest.mark.e2e
def test_the_next_run_starts_signed_in(
    sandbox: Sandbox, settings: Settings
) -> None:
    sandbox.journal = []
    first = run_warranty(settings, [WarrantyItem(row=2, vo_vendu="60455")])
    assert [o.result for o in first.outcomes] == ["terminé"]
    assert sign_ins(sandbox) == 2, "the first run signs into Planet VO and GuideWire"
    saved = settings.sessions_dir / "worker-0.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600, "cookies are as good as a password"

    sandbox.journal = []
    second = run_warranty(settings, [WarrantyItem(row=2, vo_vendu="60501")])
    assert [o.result for o in second.outcomes] == ["terminé"]
    assert sign_ins(sandbox) == 0, "the saved sessions were still alive"



def test_an_unreadable_session_file_means_signing_in_afresh(browser: Browser, settings: Settings, tmp_path: Path) -> None:
    saved = tmp_path / "worker-0.json"
    saved.write_text('{"cookies": [')  # cut short by a full disk
    context = new_context(browser, settings.browser, saved)
    try:
        assert context.cookies() == []
        context.new_page().goto(settings.planetvo.url)
    finally:
        context.close()
