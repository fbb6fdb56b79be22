"""Removal spreadsheets are checked locally: exact header, 17-character VIN, JJ/MM/AAAA dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from workbooks import write_rows

from rpa.core.errors import InputError
from rpa.sheets.removals import (
    ACTION_HEADER,
    REQUEST_HEADER,
    read_action_file,
    read_request_file,
    write_request_file,
)

GOOD_VIN = "WBA1T51080P596759"


def xlsx(path: Path, rows: list[list[object]], sheet: str = "N'importe quoi") -> Path:
    return write_rows(path, rows, sheet)


def test_request_file_good_and_bad_rows(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "demande.xlsx", [
        list(REQUEST_HEADER),
        [GOOD_VIN, "140200C28", "ek004", "Chambery", dt.date(2026, 12, 1), "A faire ASAP"],
        ["WBA1T5108", "140200C27", "JJ020", "Paris", "01/12/2026", ""],
        ["WBA1T51000P596786", "140200C27", "", "Paris", "2026-12-01", ""],
        [None, None, None, None, None, None],
    ])
    lines, problems = read_request_file(path)
    assert [(line.row, line.vin, line.distributeur, line.date) for line in lines] == [
        (2, GOOD_VIN, "EK004", "01/12/2026")]
    assert [(p.row, p.column) for p in problems] == [
        (3, "Vin"), (4, "Code Distributeur"), (4, "Date de dépose souhaitée")]


def test_request_file_with_a_wrong_header_is_refused_whole(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "d.xlsx", [["VIN", "Abonnement"], [GOOD_VIN, "1"]])
    with pytest.raises(InputError, match="première ligne doit être exactement"):
        read_request_file(path)


def test_legacy_xls_is_read(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Feuil1")
    for c, title in enumerate(REQUEST_HEADER):
        sheet.write(0, c, title)
    for c, value in enumerate([GOOD_VIN, "140200C28", "EK004", "Chambery", "30/07/2026", ""]):
        sheet.write(1, c, value)
    book.save(str(tmp_path / "vieux.xls"))
    lines, problems = read_request_file(tmp_path / "vieux.xls")
    assert not problems and lines[0].vin == GOOD_VIN


def test_upload_copy_keeps_the_exact_header_and_neutralises_formulas(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(REQUEST_HEADER))
    ws.append([GOOD_VIN, "1", "EK004", '=HYPERLINK("http://x")', "01/12/2026", "=cmd|' /C calc'!A0"])
    for cell in ws[2]:
        cell.data_type = "s"  # text that looks like a formula, as typed by a user
    wb.save(tmp_path / "d.xlsx")
    lines, _ = read_request_file(tmp_path / "d.xlsx")
    out = write_request_file(tmp_path / "upload.xlsx", lines)
    sheet = load_workbook(out).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == list(REQUEST_HEADER)
    assert [c.value for c in sheet[2]][3:] == ['=HYPERLINK("http://x")', "01/12/2026", "=cmd|' /C calc'!A0"]
    assert all(c.data_type == "s" for c in sheet[2])


def test_action_file_checks_each_action(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "actions.xlsx", [
        list(ACTION_HEADER),
        [GOOD_VIN, "Accepter", "", "", "", ""],
        [GOOD_VIN, "refuser", "Véhicule introuvable", "", "", ""],
        [GOOD_VIN, "Signaler", "", "30/09/2026 10:23", "1234567", "M. PIERRE"],
        [GOOD_VIN, "Refuser", "", "", "", ""],
        [GOOD_VIN, "Signaler", "", "hier", "12", ""],
        [GOOD_VIN, "Détruire", "", "", "", ""],
    ])
    actions, problems = read_action_file(path)
    assert [(a.row, a.action) for a in actions] == [(2, "Accepter"), (3, "Refuser"), (4, "Signaler")]
    assert actions[2].date_depose == "30/09/2026 10:23:00"
    assert [(p.row, p.column) for p in problems] == [
        (5, "Motif du refus"), (6, "Date de dépose"), (6, "7 derniers chiffres du numéro de boîtier"),
        (6, "Nom du technicien"), (7, "Action")]
