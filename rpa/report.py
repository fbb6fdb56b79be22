"""The results workbook a run writes: one row per input row, in the portal's words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from rpa.files import private_file

COLUMNS = (
    "Ligne", "Vo Vendu", "N° BDC", "Immatriculation", "VIN", "Résultat", "Type d'échec",
    "Motif", "Étape atteinte", "Devis", "Police", "PDF", "Début", "Fin",
)


class Outcome(BaseModel):
    """What happened to one input row."""

    row: int
    key: str
    bdc: str = ""
    immat: str = ""
    vin: str = ""
    result: str = ""  # "terminé", "déjà fait", "échec", "doublon"
    failure_kind: str = ""  # "métier" (business) or "système"
    reason: str = ""
    stage: str = ""
    devis: str = ""
    police: str = ""
    pdf: str = ""
    screenshot: str = ""  # the screen at the point of failure, in the run folder
    trace: str = ""  # the vehicle's Playwright trace (`rpa trace RUN ITEM`)
    started: dt.datetime | None = None
    finished: dt.datetime | None = None

    @property
    def failed(self) -> bool:
        return self.result == "échec"

    def cells(self) -> list[object]:
        return [
            self.row, self.key, self.bdc, self.immat, self.vin, self.result,
            self.failure_kind, self.reason, self.stage, self.devis, self.police, self.pdf,
            self.started.replace(tzinfo=None) if self.started else None,
            self.finished.replace(tzinfo=None) if self.finished else None,
        ]


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


def write_results(path: Path, outcomes: list[Outcome]) -> Path:
    rows = [o.cells() for o in sorted(outcomes, key=lambda o: o.row)]
    return write_workbook(path, "Résultats", COLUMNS, rows,
                          (6, 12, 9, 12, 20, 10, 10, 60, 12, 12, 12, 50, 19, 19))
