"""Property tests over the spreadsheets people send and the ones the bot writes back.

Whatever a queue or removal file holds (missing cells, numbers where text was expected,
dates as text, numbers or real dates, merged cells, formulas, duplicate rows, blank
sheets), reading it either gives one item per non-blank row or an InputError naming file,
row and column: never a crash, never a row silently dropped. Whatever text the portals
return, the workbooks the bot writes keep it as text: never a live formula.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from rpa.core.errors import InputError
from rpa.runs.outcome import Outcome
from rpa.runs.results import write_results
from rpa.sheets.queue import read_queue
from rpa.sheets.removals import (
    ACTION_HEADER,
    REQUEST_HEADER,
    RequestLine,
    read_action_file,
    read_request_file,
    write_request_file,
)

PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DANGEROUS = ["=HYPERLINK(\"http://evil.example\",\"clic\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3",
             "@SUM(A1)", "=1/0", "\t=1+1", "=A1"]
# What a portal may answer (control characters included) …
texts = st.one_of(st.text(max_size=30), st.sampled_from(DANGEROUS))
# … and what a spreadsheet can hold at all.
typed = st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30), st.sampled_from(DANGEROUS))
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1))
cells = st.one_of(
    st.none(), typed, st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), dates, st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    dates.map(lambda d: d.strftime("%d/%m/%Y")), st.sampled_from(["", "   ", "59716", "VF3CCHMZ6JT059716"]),
)


def workbook(rows: list[list[Any]], merges: list[str] = (), formulas: bool = False) -> Path:  # type: ignore[assignment]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    if formulas and sheet.max_row > 1:
        sheet.cell(row=2, column=1, value="=1+1")  # a formula nobody calculated: no cached value
    path = Path(tempfile.mkdtemp()) / "file.xlsx"
    book.save(path)
    return path


def non_blank(rows: list[list[Any]]) -> int:
    return sum(1 for r in rows[1:] if any(v is not None and str(v).strip() for v in r))


queue_headers = st.lists(
    st.sampled_from(["Vo Vendu", "N°", "Statut", "Acheteur", "Site VO Vendu", "VIN", "Immatriculation",
                     "Code Postal", "Date de livraison", "Email", "Adresse", "", "Vo Vendu"]),
    min_size=1, max_size=7,
)


@PROPERTIES
@given(headers=queue_headers, body=st.lists(st.lists(cells, max_size=8), max_size=12),
       merge=st.booleans(), formula=st.booleans())
def test_a_queue_file_gives_every_row_or_names_every_problem(
    headers: list[str], body: list[list[Any]], merge: bool, formula: bool
) -> None:
    rows: list[list[Any]] = [list(headers), *body]
    path = workbook(rows, ["A2:B3"] if merge and len(rows) > 2 else [], formula)
    try:
        items = read_queue(path)
    except InputError as err:
        assert err.problems
        for problem in err.problems:
            assert problem.file == "file.xlsx" and problem.message
            assert problem.row is None or 1 <= problem.row <= len(rows)
            assert problem.column is None or problem.column in headers or problem.column == "Vo Vendu"
        return
    # Nothing lost: one item per row that says anything.
    assert len(items) == non_blank(_as_read(path))
    assert all(item.vo_vendu for item in items)


def _as_read(path: Path) -> list[list[Any]]:
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


@PROPERTIES
@given(body=st.lists(st.lists(cells, max_size=7), max_size=12), duplicate=st.booleans())
def test_a_removal_request_file_keeps_or_reports_every_line(body: list[list[Any]], duplicate: bool) -> None:
    rows: list[list[Any]] = [list(REQUEST_HEADER), *body]
    if duplicate and body:
        rows.append(list(body[0]))
    path = workbook(rows)
    lines, problems = read_request_file(path)
    reported = {p.row for p in problems}
    kept = {line.row for line in lines}
    assert not (reported & kept)  # a line is either sent or refused, never both
    for number, row in enumerate(_as_read(path)[1:], start=2):
        if any(v is not None and str(v).strip() for v in row):
            assert number in reported | kept, number  # …and never dropped
    for problem in problems:
        assert problem.file == "file.xlsx" and problem.column in REQUEST_HEADER


@PROPERTIES
@given(body=st.lists(st.lists(cells, max_size=4), max_size=12))
def test_an_action_file_keeps_or_reports_every_line(body: list[list[Any]]) -> None:
    path = workbook([list(ACTION_HEADER), *body])
    lines, problems = read_action_file(path)
    reported, kept = {p.row for p in problems}, {line.row for line in lines}
    for number, row in enumerate(_as_read(path)[1:], start=2):
        if any(v is not None and str(v).strip() for v in row):
            assert number in reported | kept, number


@PROPERTIES
@given(headers=st.lists(typed, max_size=6))
def test_any_header_row_is_refused_whole_or_read(headers: list[str]) -> None:
    path = workbook([headers] if headers else [])
    for reader in (read_request_file, read_action_file):
        try:
            reader(path)
        except InputError as err:
            assert all(p.row in (None, 1) for p in err.problems)


@PROPERTIES
@given(values=st.lists(texts, min_size=4, max_size=4))
def test_portal_text_written_back_stays_text(values: list[str]) -> None:
    reason, devis, police, key = values
    target = Path(tempfile.mkdtemp())
    outcome = Outcome(row=2, key=key, reason=reason, devis=devis, police=police, result="échec")
    results = write_results(target / "resultats.xlsx", [outcome])
    sheet = load_workbook(results).worksheets[0]  # formulas kept as formulas, if any
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    got = [c.value for c in sheet[2]]
    assert [got[1], got[7], got[9], got[10]] == [_kept(key), _kept(reason), _kept(devis), _kept(police)]

    upload = write_request_file(target / "upload.xlsx", [RequestLine(
        row=2, vin="VF3CCHMZ6JT059716", abonnement=reason, distributeur="X", lieu=devis,
        date="01/12/2026", commentaires=police)])
    sheet = load_workbook(upload).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def _kept(text: str) -> str | None:
    """What a cell gives back for `text`: the same text, control characters removed (and line
    ends as XML has them)."""
    cleaned = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
    cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    return cleaned or None


def test_a_huge_queue_is_read_whole(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["Vo Vendu", "Acheteur"], *([str(100000 + i), f"CLIENT {i}"] for i in range(20_000))]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "big.xlsx")
    assert len(read_queue(tmp_path / "big.xlsx")) == 20_000
