"""A long night renews its browser contexts and its browser on a schedule, without signing in
again for it (the portal cookies carry the sessions) and without losing or buying twice."""

from __future__ import annotations

import pytest

from rpa.config import Settings
from rpa.flows.run import run_warranty
from rpa.sandbox.server import Sandbox
from rpa.sheets.queue import WarrantyItem

pytestmark = pytest.mark.e2e


def test_contexts_and_browser_are_renewed_and_nobody_signs_in_again(sandbox: Sandbox, settings: Settings) -> None:
    keys = ("59716", "60226", "60301")
    often = settings.model_copy(update={"browser": settings.browser.model_copy(
        update={"recycle_context_after": 1, "recycle_browser_after": 2})})
    night = run_warranty(often, [WarrantyItem(row=i + 2, vo_vendu=k) for i, k in enumerate(keys)], workers=1)

    assert [o.result for o in night.outcomes] == ["terminé"] * 3, night.outcomes
    bought = [p.vin for p in sandbox.state.purchases]
    assert len(bought) == len(set(bought)) == 3
    # Two browsers, the second vehicle on a new context of the first: one sign-in per portal,
    # the first night of a fresh data folder, as without renewing anything.
    assert sandbox.sign_in_attempts["planetvo"] == 1
    assert sandbox.sign_in_attempts["guidewire"] == 1
    log = (often.runs_dir / night.run_id / "run.log.jsonl").read_text(encoding="utf-8").splitlines()
    assert sum('"message": "navigateur renouvelé :' in line for line in log) == 1
    assert sum('"message": "contexte du navigateur renouvelé' in line for line in log) == 1
