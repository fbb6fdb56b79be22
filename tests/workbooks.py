"""Spreadsheets as people write them, for the tests: one sheet, rows as given."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook


def write_rows(path: Path, rows: Sequence[Sequence[object]], title: str = "Feuil1") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path
