"""The one workbook writer: every spreadsheet the bot writes goes through it, so portal text
always lands as inert text in a private file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from rpa.core.files import private_file


def write_literal(cell: Cell | MergedCell, value: Any) -> None:
    """Portal text goes in as text: a value like `=HYPERLINK(…)` must never become a formula,
    and a control character in a portal message must not cost the whole workbook."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"


def write_workbook(path: Path, title: str, columns: tuple[str, ...], rows: list[list[Any]],
                   widths: tuple[int, ...] = ()) -> Path:
    """A private one-sheet workbook: bold frozen header, then rows written as literals."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([None] * len(columns))
        for column, value in enumerate(values, start=1):
            write_literal(sheet.cell(row=sheet.max_row, column=column), value)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    with private_file(path) as tmp:
        workbook.save(tmp)
    return path
