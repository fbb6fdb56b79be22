"""Traqueur removals end to end, both sides, in real Chromium against the sandbox.

Running any command a second time must change nothing on the portal: checked on the
sandbox's own records (demandes, lines, status histories).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from loguru import logger
from openpyxl import load_workbook
from pydantic import SecretStr
from workbooks import write_rows

from rpa.config import Settings, TraqueurSettings
from rpa.core.failures import Kind
from rpa.flows.removals import process_removals, removal_status, request_removals
from rpa.sandbox.server import Sandbox
from rpa.sandbox.traqueur.seed import sixt_vehicles
from rpa.sandbox.traqueur.state import PREVENU, Demande, DemandeLine, StatusChange
from rpa.sheets.removals import ACTION_HEADER, REQUEST_HEADER
from rpa.store.ledger import Ledger
from rpa.store.removals import RemovalRecords

pytestmark = pytest.mark.e2e

SIXT = ("flotte@sixt.example", "Sixt-Depose-2024")
TRAMOSA = ("depose@tramosa.example", "Tramosa-EK004")


def as_account(settings: Settings, sandbox: Sandbox, account: tuple[str, str]) -> Settings:
    return settings.model_copy(update={"traqueur": TraqueurSettings(
        url=sandbox.url("traqueur"), username=account[0], password=SecretStr(account[1]))})


def sheet(path: Path, header: tuple[str, ...], rows: list[list[object]]) -> Path:
    return write_rows(path, [list(header), *rows])


def world(sandbox: Sandbox) -> list[tuple[int, str, str, int]]:
    """The portal's records: every line's demande, VIN, status and history length."""
    return [(d.numero, line.vin, line.statut, len(line.history))
            for d in sandbox.state.traqueur.demandes for line in d.lines]


def fifty_line_file(sandbox: Sandbox, path: Path) -> tuple[Path, list[str]]:
    """44 good lines, 3 bad ones (refused locally), 3 the portal rejects."""
    fleet = [v for v in sixt_vehicles(sandbox.state.traqueur)
             if sandbox.state.traqueur.active_line(v.vin) is None][:48]
    rows: list[list[object]] = []
    for i, v in enumerate(fleet[:44]):
        rows.append([v.vin, v.abonnement, ("EK004", "JJ020")[i % 2], "Chambery", "30/12/2026", f"ligne {i}"])
    rows.insert(10, ["WBA1T5108", "140200C28", "EK004", "Paris", "30/12/2026", ""])  # VIN too short
    rows.insert(20, [fleet[44].vin, fleet[44].abonnement, "EK004", "Paris", "2026-12-30", ""])  # bad date
    rows.insert(30, [fleet[45].vin, fleet[45].abonnement, "", "Paris", "30/12/2026", ""])  # no distributor
    ada = next(v for v in sandbox.state.traqueur.vehicles if v.owner_email == "parc@ada.example")
    rows.append([ada.vin, ada.abonnement, "EK004", "Paris", "30/12/2026", ""])  # not our vehicle
    rows.append([fleet[46].vin, "999999999", "EK004", "Paris", "30/12/2026", ""])  # wrong subscription
    rows.append([fleet[47].vin, fleet[47].abonnement, "ZZ999", "Lyon", "30/12/2026", ""])  # unknown remover
    assert len(rows) == 50
    return sheet(path, REQUEST_HEADER, rows), [v.vin for v in fleet[:44]]


def test_a_50_line_request_then_a_rerun_changes_nothing(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    requester = as_account(settings, sandbox, SIXT)
    path, good = fifty_line_file(sandbox, tmp_path / "demande.xlsx")
    result = request_removals(requester, path)
    by_result: dict[str, list[str]] = {}
    for o in result.outcomes:
        by_result.setdefault(o.result, []).append(o.vin)
    assert sorted(by_result["créée"]) == sorted(good)
    assert len(by_result["refusée localement"]) == 3
    assert len(by_result["rejetée"]) == 3
    assert result.exit_code == 1
    refused = {o.row: o.reason for o in result.outcomes if o.result == "refusée localement"}
    assert "Vin" in refused[12] and "Date de dépose souhaitée" in refused[22] and "Code Distributeur" in refused[32]
    motifs = {o.row: o.reason for o in result.outcomes if o.result == "rejetée"}
    assert motifs == {49: "Véhicule inconnu sur votre compte", 50: "Abonnement non conforme",
                      51: "Code distributeur inconnu"}
    (created,) = {o.demande for o in result.outcomes if o.result == "créée"}
    numero = int(created.lstrip("#"))
    demande = sandbox.state.traqueur.demande(numero)
    assert demande is not None and sorted(line.vin for line in demande.lines) == sorted(good)
    assert {m.subject for m in sandbox.mailbox} >= {"Nouvelle demande de dépose"}
    out = load_workbook(result.path).active
    assert out is not None and out.max_row == 51

    before = world(sandbox)
    again = request_removals(requester, path)
    assert world(sandbox) == before
    assert {o.result for o in again.outcomes} <= {"déjà demandée", "refusée localement", "rejetée"}


def test_remover_file_mixing_all_actions_and_an_illegal_one(
    sandbox: Sandbox, trace_kept: Settings, tmp_path: Path
) -> None:
    settings = trace_kept  # this test looks at the trace a failure keeps
    fleet = sixt_vehicles(sandbox.state.traqueur)[:5]
    requester, remover = as_account(settings, sandbox, SIXT), as_account(settings, sandbox, TRAMOSA)
    request_removals(requester, sheet(tmp_path / "d.xlsx", REQUEST_HEADER, [
        [v.vin, v.abonnement, "EK004", "Chambery", "30/12/2026", ""] for v in fleet[:4]]))
    first = removal_status(requester)
    assert {o.reason for o in first.outcomes} == {"nouvelle"}

    actions = sheet(tmp_path / "actions.xlsx", ACTION_HEADER, [
        [fleet[0].vin, "Accepter", "", "", "", ""],
        [fleet[1].vin, "Refuser", "Véhicule absent du parc", "", "", ""],
        [fleet[2].vin, "Signaler", "", "23/11/2026 09:00", "1234567", "M. PIERRE"],
        [fleet[3].vin, "Accepter", "", "", "", ""],
        [fleet[3].vin, "Signaler", "", "23/11/2026", "7654321", "M. PAUL"],
        [fleet[1].vin, "Accepter", "", "", "", ""],  # illegal: Refusée is final
        [fleet[4].vin, "Accepter", "", "", "", ""],  # not in this remover's list
        ["PASUNVIN", "Accepter", "", "", "", ""],  # refused locally
    ])
    result = process_removals(remover, actions)
    got = [(o.row, o.result) for o in sorted(result.outcomes, key=lambda o: o.row)]
    assert got == [(2, "appliquée"), (3, "appliquée"), (4, "appliquée"), (5, "appliquée"),
                   (6, "appliquée"), (7, "échec"), (8, "échec"), (9, "refusée localement")]
    reasons = {o.row: o.reason for o in result.outcomes}
    assert reasons[7] == "Accepter impossible : la demande est Refusée"
    assert "absent de la liste" in reasons[8]
    # Each failed line went through the per-item boundary: a business failure, in the portal's
    # or the rule's words, with the screen it failed on and its trace, and marked in the ledger.
    failed = {o.row: o for o in result.outcomes if o.result == "échec"}
    assert {o.failure_kind for o in failed.values()} == {Kind.BUSINESS}
    assert all(Path(o.screenshot).is_file() and Path(o.trace).is_file() for o in failed.values())
    done = next(o for o in result.outcomes if o.row == 2)
    assert not done.screenshot and not done.trace  # traces are kept on failure (the default)
    with Ledger(remover.ledger_path) as ledger:
        assert ("Accepter", "failed") in RemovalRecords(ledger.store).actions(fleet[1].vin)
    statuses = {line.vin: line.statut for d in sandbox.state.traqueur.demandes for line in d.lines}
    assert [statuses[v.vin] for v in fleet[:4]] == ["Acceptée", "Refusée", "Effectuée", "Effectuée"]
    subjects = [m.subject for m in sandbox.mailbox]
    assert f"Acceptation de votre demande de dépose {fleet[0].vin}" in subjects

    before = world(sandbox)
    again = process_removals(remover, actions)
    assert world(sandbox) == before  # nothing changed on the portal
    assert [o.result for o in sorted(again.outcomes, key=lambda o: o.row)][:5] == ["déjà fait"] * 3 + ["échec", "déjà fait"]

    changed = removal_status(requester)
    marks = {o.vin: o.reason for o in changed.outcomes}
    assert marks[fleet[0].vin] == "Prévenu → Acceptée" and marks[fleet[2].vin] == "Prévenu → Effectuée"
    assert load_workbook(changed.path).active is not None


def test_two_workers_apply_each_move_once_and_a_vins_lines_in_file_order(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    """Five VINs over two workers; one VIN's Accepter then Signaler must reach the portal in
    that order (the other way round, Signaler from Prévenu would pass and Accepter fail)."""
    fleet = [v for v in sixt_vehicles(sandbox.state.traqueur) if sandbox.state.traqueur.active_line(v.vin) is None][:5]
    created = dt.datetime.now() - dt.timedelta(days=1)
    sandbox.state.traqueur.demandes.append(Demande(
        numero=sandbox.state.traqueur.new_demande_number(), created=created.date(), requester=SIXT[0],
        email_suivi=SIXT[0], lines=[DemandeLine(
            vin=v.vin, abonnement=v.abonnement, code_distributeur="EK004", date_souhaitee="30/12/2026",
            history=[StatusChange(when=created, old="", new=PREVENU, by=SIXT[0])]) for v in fleet]))
    sandbox.changed()
    rows: list[list[object]] = [
        [fleet[0].vin, "Accepter", "", "", "", ""],
        [fleet[1].vin, "Accepter", "", "", "", ""],
        [fleet[2].vin, "Refuser", "Véhicule absent du parc", "", "", ""],
        [fleet[3].vin, "Signaler", "", "23/11/2026 09:00", "1234567", "M. PIERRE"],
        [fleet[1].vin, "Signaler", "", "23/11/2026 10:00", "7654321", "M. PAUL"],
        [fleet[4].vin, "Accepter", "", "", "", ""],
    ]
    workers: set[str] = set()
    sink = logger.add(lambda m: workers.add(m.record["extra"].get("worker", "")), filter=lambda r: "→" in r["message"])
    try:
        result = process_removals(as_account(settings, sandbox, TRAMOSA),
                                  sheet(tmp_path / "actions.xlsx", ACTION_HEADER, rows), workers=2)
    finally:
        logger.remove(sink)
    assert [(o.row, o.vin, o.result) for o in result.outcomes] == [
        (i + 2, row[0], "appliquée") for i, row in enumerate(rows)]
    assert len(workers) == 2, workers  # both workers moved lines
    book = load_workbook(result.path).active
    assert book is not None
    assert [r[:4] for r in book.iter_rows(min_row=2, values_only=True)] == [
        (i + 2, row[0], row[1], "appliquée") for i, row in enumerate(rows)]
    moves = {line.vin: [(c.old, c.new) for c in line.history[1:]]
             for d in sandbox.state.traqueur.demandes for line in d.lines}
    assert [moves[v.vin] for v in fleet] == [
        [("Prévenu", "Acceptée")],
        [("Prévenu", "Acceptée"), ("Acceptée", "Effectuée")],
        [("Prévenu", "Refusée")],
        [("Prévenu", "Effectuée")],
        [("Prévenu", "Acceptée")],
    ]


def test_removals_cli_exit_codes(sandbox: Sandbox, settings: Settings, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RPA_")}
    env.update({"RPA_TRAQUEUR__URL": sandbox.url("traqueur"), "RPA_TRAQUEUR__EMAIL": SIXT[0],
                "RPA_TRAQUEUR__PASSWORD": SIXT[1], "RPA_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"})

    def rpa(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "rpa", "removals", *args], env=env, cwd=tmp_path,
                              text=True, capture_output=True, timeout=300, check=False)

    wrong = sheet(tmp_path / "wrong.xlsx", ("VIN", "Abonnement"), [["WBA1T51080P596759", "1"]])
    bad = rpa("request", str(wrong))
    assert bad.returncode == 2 and "wrong.xlsx, ligne 1" in bad.stderr
    v = sixt_vehicles(sandbox.state.traqueur)[0]
    good = sheet(tmp_path / "good.xlsx", REQUEST_HEADER, [[v.vin, v.abonnement, "JJ020", "Paris", "30/12/2026", ""]])
    done = rpa("request", str(good))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "créée" in done.stdout and SIXT[1] not in done.stdout + done.stderr
    out = tmp_path / "statuts.xlsx"
    status = rpa("status", "--out", str(out))
    assert status.returncode == 0 and out.exists()
    assert json.dumps(SIXT[1]) not in out.read_bytes().decode("latin-1")
