"""Reading the warranty queue: good rows become items, bad cells are named, nothing is half-read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from workbooks import write_rows

from rpa.core.errors import InputError
from rpa.sheets.queue import EXPORT_COLUMNS, read_queue


def write(path: Path, rows: list[list[object]]) -> Path:
    return write_rows(path, rows)


def export_row(numero: str, vo_vendu: str, acheteur: str = "DUPONT", statut: str = "Cloturé") -> list[object]:
    values = dict.fromkeys(EXPORT_COLUMNS, "")
    values.update({"N°": numero, "Statut": statut, "Vo Vendu": vo_vendu, "Acheteur": acheteur,
                   "Site VO Vendu": "DEMO CDDS SPOTICAR"})
    return [values[c] for c in EXPORT_COLUMNS]


def test_export_columns_become_items_with_acheteur_as_nom(tmp_path: Path) -> None:
    path = write(tmp_path / "q.xlsx", [list(EXPORT_COLUMNS), export_row("74601", "59716"),
                                       export_row("74611", "001003972", "MARTIN")])
    items = read_queue(path)
    assert [(i.row, i.bdc, i.vo_vendu) for i in items] == [(2, "74601", "59716"), (3, "74611", "001003972")]
    assert items[1].fields == {"Nom": "MARTIN"}
    assert items[0].site == "DEMO CDDS SPOTICAR"


def test_extra_columns_titled_like_form_labels_give_fields(tmp_path: Path) -> None:
    path = write(tmp_path / "q.xlsx", [
        ["Vo Vendu", "Acheteur", "Adresse", "Code Postal*", "Immatriculation", "Date de livraison"],
        ["VINCE05", "LAURENT", "8 RUE DES FLEURS", 64000, "fh482yz", dt.date(2026, 11, 20)],
    ])
    (item,) = read_queue(path)
    assert item.fields == {
        "Nom": "LAURENT", "Adresse": "8 RUE DES FLEURS", "Code Postal": "64000",
        "Immatriculation": "FH-482-YZ", "Date de livraison": "20/11/2026",
    }


def test_every_bad_cell_is_named_by_file_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.xlsx", [
        ["Vo Vendu", "VIN", "Immatriculation"],
        ["59716", "VF3CCHMZ6JT059716", "EG-702-HQ"],
        ["", "VF3CCHMZ6JT059716", ""],
        ["60226", "VF3-TOO-SHORT", "EG-702-HQ"],
        ["60301", "VF3CCHMZ6JT059716", "NOT A PLATE"],
    ])
    with pytest.raises(InputError) as caught:
        read_queue(path)
    problems = [(p.file, p.row, p.column) for p in caught.value.problems]
    assert problems == [("bad.xlsx", 3, "Vo Vendu"), ("bad.xlsx", 4, "VIN"), ("bad.xlsx", 5, "Immatriculation")]
    assert "bad.xlsx, ligne 4, colonne « VIN »" in str(caught.value)


def test_missing_column_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Vo Vendu"):
        read_queue(write(tmp_path / "q.xlsx", [["N°", "Statut"], ["74601", "Cloturé"]]))
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_text("<html>not a workbook</html>")
    with pytest.raises(InputError, match="illisible"):
        read_queue(garbage)
    with pytest.raises(InputError, match="introuvable"):
        read_queue(tmp_path / "absent.xlsx")
    empty = Workbook()
    empty.save(tmp_path / "empty.xlsx")
    with pytest.raises(InputError, match="vide"):
        read_queue(tmp_path / "empty.xlsx")


def test_blank_rows_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "q.xlsx", [["Vo Vendu"], ["59716"], [None], ["60226"]])
    assert [i.vo_vendu for i in read_queue(path)] == ["59716", "60226"]
