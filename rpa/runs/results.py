"""The results workbook a run writes: one row per input row, in the portal's words."""

from __future__ import annotations

from pathlib import Path

from rpa.runs.outcome import Outcome
from rpa.sheets.workbook import write_workbook

COLUMNS = (
    "Ligne", "Vo Vendu", "N° BDC", "Immatriculation", "VIN", "Résultat", "Type d'échec",
    "Motif", "Étape atteinte", "Devis", "Police", "PDF", "Début", "Fin",
)


def write_results(path: Path, outcomes: list[Outcome]) -> Path:
    rows = [o.cells() for o in sorted(outcomes, key=lambda o: o.row)]
    return write_workbook(path, "Résultats", COLUMNS, rows,
                          (6, 12, 9, 12, 20, 10, 10, 60, 12, 12, 12, 50, 19, 19))
