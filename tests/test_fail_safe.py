"""Failing safe when the night itself goes wrong: a bug in one vehicle, a portal that stays
down, a password that would eat the log if it were masked everywhere."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from rpa.config import BrowserSettings, RetrySettings, Settings, read_settings
from rpa.core.errors import UsageError
from rpa.core.logs import redactor, setup_logging
from rpa.flows.run import run_warranty
from rpa.flows.warranty import WarrantyStages
from rpa.runs.archive import RunSummary
from rpa.runs.notify import payload
from rpa.runs.outcome import Outcome
from rpa.sandbox.server import Sandbox
from rpa.sheets.queue import WarrantyItem


def items(*keys: str) -> list[WarrantyItem]:
    return [WarrantyItem(row=i + 2, vo_vendu=k) for i, k in enumerate(keys)]


@pytest.mark.e2e
def test_a_bug_in_one_vehicle_never_stops_the_night(
    sandbox: Sandbox, trace_kept: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = trace_kept  # this test looks at the trace a failure keeps
    checked = WarrantyStages.check_prerequisites

    def buggy(self: WarrantyStages, item: WarrantyItem) -> str:
        if item.vo_vendu == "60226":
            raise NotImplementedError("une étape que le bot ne sait pas faire")
        return checked(self, item)

    monkeypatch.setattr(WarrantyStages, "check_prerequisites", buggy)
    screen = io.StringIO()
    setup_logging(settings.secret_values(), settings.data_dir, console=Console(file=screen, width=200))
    result = run_warranty(settings, items("59716", "60226", "60301"))

    outcomes = {o.key: o for o in result.outcomes}
    assert [outcomes[k].result for k in ("59716", "60226", "60301")] == ["terminé", "échec", "terminé"]
    bug = outcomes["60226"]
    assert bug.failure_kind == "système" and bug.reason.startswith("NotImplementedError")
    assert Path(bug.trace).exists()  # kept for whoever is on duty, as for any failure
    log = (settings.runs_dir / result.run_id / "run.log.jsonl").read_text(encoding="utf-8")
    assert "Traceback" in log and "une étape que le bot ne sait pas faire" in log
    console = screen.getvalue()
    assert "Traceback" not in console  # one line on the console, the details in the log
    assert sum("NotImplementedError" in line for line in console.splitlines()) == 1


@pytest.mark.e2e
@pytest.mark.slow
def test_a_portal_that_stays_down_stops_the_night_and_the_next_one_resumes(
    sandbox: Sandbox, settings: Settings
) -> None:
    quick = settings.model_copy(update={"browser": BrowserSettings(timeout_ms=2_000), "retry": RetrySettings(
        attempts=1, document_wait_s=20, portal_down_after=2)})  # two vehicles in a row: it is down
    queue = items("59716", "60226", "60301", "60388", "60412")
    # bought the night before at the usual pace: a 2 s timeout is for the portal that is down,
    # not for a busy test machine buying one
    assert run_warranty(settings, queue[:1]).outcomes[0].result == "terminé"

    def guidewire_goes_down(outcome: Outcome) -> None:
        sandbox.garbage.add("guidewire")  # after the first vehicle, GuideWire answers garbage

    night = run_warranty(quick, queue, on_done=guidewire_goes_down)
    results = [o.result for o in night.outcomes]
    assert results == ["déjà fait", "échec", "échec", "reporté", "reporté"], night.outcomes
    assert all(o.failure_kind == "système" for o in night.outcomes[1:3])
    assert night.stopped is not None and night.stopped.reason.startswith("GuideWire ne répond plus")
    assert night.exit_code == 1
    run_dir = quick.runs_dir / night.run_id
    assert "Run arrêté" in (run_dir / "rapport.html").read_text(encoding="utf-8")
    summary = RunSummary.model_validate_json((run_dir / "run.json").read_text(encoding="utf-8"))
    assert "ARRÊTÉ : GuideWire ne répond plus" in payload(summary)["text"]

    sandbox.garbage.clear()  # the next night, GuideWire is back
    again = run_warranty(quick, queue[:3])  # the two that failed resume where they stopped
    assert [o.result for o in again.outcomes[:3]] == ["déjà fait", "terminé", "terminé"], again.outcomes
    bought = [p.vin for p in sandbox.state.purchases]
    assert len(bought) == len(set(bought)) == 3  # each once, whatever stopped in between


def test_masking_a_password_never_eats_ordinary_words() -> None:
    record: dict[str, str] = {"message": "échec système ; mot de passe syst refusé ; syst=1 ; «syst»"}
    redactor(["syst"])(record)  # type: ignore[arg-type]
    assert record["message"] == "échec système ; mot de passe ******** refusé ; ********=1 ; «********»"


def test_a_password_too_short_to_mask_is_refused_with_its_variable(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("RPA_GUIDEWIRE__PASSWORD", "x")
    with pytest.raises(UsageError, match="RPA_GUIDEWIRE__PASSWORD : mot de passe trop court") as refused:
        read_settings()
    assert "« x »" not in refused.value.message  # a secret is never repeated back


def test_a_malformed_setting_names_its_variable_and_what_it_expects(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RPA_WORKERS", "abc")
    with pytest.raises(UsageError) as refused:
        read_settings()
    assert refused.value.message == "Configuration invalide : RPA_WORKERS : un nombre entier attendu (reçu « abc »)"
    monkeypatch.delenv("RPA_WORKERS")
    monkeypatch.setenv("RPA_GUIDEWIRE__OFFERS", "{pas du json")
    with pytest.raises(UsageError) as undecodable:
        read_settings()
    assert undecodable.value.message == "Configuration invalide : RPA_GUIDEWIRE__OFFERS : du JSON valide attendu"
