"""The unattended night: the export is the queue, a second run buys nothing, runs never overlap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from clirun import env_for, rpa

from rpa.config import NightlySettings, Settings
from rpa.core.errors import UsageError
from rpa.core.lock import exclusive
from rpa.flows.nightly import next_occurrence, run_nightly
from rpa.runs.archive import load_summaries
from rpa.sandbox.server import Sandbox
from rpa.sheets.queue import read_queue

pytestmark = pytest.mark.e2e

TONIGHT = {"74601", "74605", "74613", "74615"}  # two to buy, one `En cours`, one without guarantee


def short_night(sandbox: Sandbox) -> None:
    """Only a few BDCs closed tonight, so the test stays quick."""
    for bdc in sandbox.state.bdcs:
        if bdc.numero not in TONIGHT and bdc.statut == "Cloturé":
            bdc.statut = "En cours"


def test_two_nights_in_a_row_the_second_buys_nothing(sandbox: Sandbox, settings: Settings) -> None:
    short_night(sandbox)
    first = run_nightly(settings)
    queue = settings.runs_dir / first.run.run_id / "file-planetvo.xlsx"
    assert sorted(i.bdc for i in read_queue(queue)) == ["74601", "74605", "74615"]  # `Cloturé` only
    assert sorted(o.result for o in first.run.outcomes) == ["terminé", "terminé", "échec"]
    assert len(sandbox.state.purchases) == 2
    assert first.reconciliation.remaining == [] and first.exit_code == 1  # 74615 has no guarantee
    assert (settings.runs_dir / first.run.run_id / "run.log.jsonl").exists()

    second = run_nightly(settings)
    assert sorted(o.result for o in second.run.outcomes) == ["déjà fait", "déjà fait", "échec"]
    assert len(sandbox.state.purchases) == 2
    assert [s.run_id for s in load_summaries(settings.runs_dir)] == [first.run.run_id, second.run.run_id]


def test_a_second_run_while_one_is_under_way_is_refused(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    with exclusive(settings.data_dir / "nightly.lock", "Un run nocturne"):
        with pytest.raises(UsageError, match="déjà en cours"):
            run_nightly(settings)
        refused = rpa("nightly", env=env_for(settings), cwd=tmp_path)
    assert refused.returncode == 2 and "déjà en cours" in refused.stderr
    assert not sandbox.state.purchases


def test_past_the_deadline_vehicles_are_deferred_not_lost(sandbox: Sandbox, settings: Settings) -> None:
    short_night(sandbox)
    started = dt.datetime.now() - dt.timedelta(hours=2)
    late = settings.model_copy(update={"nightly": NightlySettings(
        deadline=(started + dt.timedelta(hours=1)).time())})
    result = run_nightly(late, now=started)
    assert {o.result for o in result.run.outcomes} == {"reporté"}
    assert not sandbox.state.purchases and result.exit_code == 1


def test_deadline_is_the_next_occurrence_of_that_time() -> None:
    evening = dt.datetime(2026, 11, 23, 22, 0)
    assert next_occurrence(dt.time(5, 30), evening) == dt.datetime(2026, 11, 24, 5, 30)
    assert next_occurrence(dt.time(23, 0), evening) == dt.datetime(2026, 11, 23, 23, 0)
    assert next_occurrence(None, evening) is None


def test_runs_lists_and_shows_runs(sandbox: Sandbox, settings: Settings, tmp_path: Path) -> None:
    short_night(sandbox)
    night = run_nightly(settings)
    listing = rpa("runs", env=env_for(settings), cwd=tmp_path)
    assert listing.returncode == 0 and night.run.run_id in listing.stdout and "nightly" in listing.stdout
    shown = rpa("runs", "show", night.run.run_id, env=env_for(settings), cwd=tmp_path)
    assert shown.returncode == 0
    assert "VINCE10" in shown.stdout and "aucune garantie" in shown.stdout
    assert rpa("runs", "show", "nope", env=env_for(settings), cwd=tmp_path).returncode == 2
