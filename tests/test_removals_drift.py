"""Both removal flows on an extranet that drifted (markup, errors in its own layout, a
maintenance notice, a cookie dialog) and fails 10 % of the time: each line is requested once,
each action applied once, and the only failure is the one the file asks for, in the portal's
words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from workbooks import write_rows

from rpa.config import BrowserSettings, RetrySettings, Settings, TraqueurSettings
from rpa.flows.removals import process_removals, removal_status, request_removals
from rpa.sandbox.drift import Drift
from rpa.sandbox.faults import Faults
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.traqueur.seed import sixt_vehicles
from rpa.sheets.removals import ACTION_HEADER, REQUEST_HEADER

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SIXT = ("flotte@sixt.example", "Sixt-Depose-2024")
TRAMOSA = ("depose@tramosa.example", "Tramosa-EK004")


@pytest.fixture
def drifted(tmp_path: Path) -> Iterator[Sandbox]:
    with create_sandbox(tmp_path / "state.json", drift=Drift.parse("all", seed=5),
                        faults=Faults(seed=5, error_rate=0.10)) as box:
        yield box


def account(box: Sandbox, tmp_path: Path, who: tuple[str, str]) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        browser=BrowserSettings(timeout_ms=8_000),
        retry=RetrySettings(attempts=6, wait_initial_s=0.2, wait_max_s=2.0),
        traqueur=TraqueurSettings(url=box.url("traqueur"), username=who[0], password=SecretStr(who[1])),
    )


def test_request_and_process_on_a_drifted_failing_extranet(drifted: Sandbox, tmp_path: Path) -> None:
    fleet = sixt_vehicles(drifted.state.traqueur)[:6]
    request = write_rows(tmp_path / "demande.xlsx", [list(REQUEST_HEADER)] + [
        [v.vin, v.abonnement, "EK004", "Chambery", "30/12/2026", ""] for v in fleet])
    requested = request_removals(account(drifted, tmp_path, SIXT), request)
    assert sorted(o.result for o in requested.outcomes) == ["créée"] * 6, requested.outcomes
    lines = Counter(line.vin for d in drifted.state.traqueur.demandes for line in d.lines)
    assert all(lines[v.vin] == 1 for v in fleet)  # each requested once, whatever was retried

    actions = write_rows(tmp_path / "actions.xlsx", [list(ACTION_HEADER),
        [fleet[0].vin, "Accepter", "", "", "", ""],
        [fleet[1].vin, "Refuser", "Véhicule absent du parc", "", "", ""],
        [fleet[2].vin, "Signaler", "", "23/11/2026 09:00", "1234567", "M. PIERRE"],
        [fleet[3].vin, "Accepter", "", "", "", ""],
        [fleet[3].vin, "Signaler", "", "23/11/2026", "7654321", "M. PAUL"],
        [fleet[1].vin, "Accepter", "", "", "", ""],  # Refusée is final: the one refusal asked for
    ])
    processed = process_removals(account(drifted, tmp_path, TRAMOSA), actions)
    got = {o.row: (o.result, o.reason) for o in processed.outcomes}
    assert [got[row][0] for row in range(2, 7)] == ["appliquée"] * 5, processed.outcomes
    assert got[7] == ("échec", "Accepter impossible : la demande est Refusée")
    statuses = {line.vin: line for d in drifted.state.traqueur.demandes for line in d.lines}
    assert [statuses[v.vin].statut for v in fleet[:4]] == ["Acceptée", "Refusée", "Effectuée", "Effectuée"]
    # Applied once each: one status change per action in the portal's own history.
    assert [len(statuses[v.vin].history) for v in fleet[:4]] == [2, 2, 2, 3]

    status = removal_status(account(drifted, tmp_path, SIXT))
    assert {o.vin: o.status for o in status.outcomes if o.vin in {v.vin for v in fleet}}[fleet[0].vin] == "Acceptée"
    assert drifted.faults.total > 0
