"""A removal request file, as the extranet reads it: the first sheet of an .xlsx or a legacy
.xls, whatever its name says, with PORTALS.md's header row; then each line as the review page
shows it, `Nouvelle` or `Rejetée : <motif>` (rejected lines are never created)."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from typing import Any

import xlrd
from openpyxl import load_workbook
from xlrd.biffh import XLRDError

from rpa.sandbox.traqueur.state import TraqueurAccount, TraqueurState

EXPECTED_HEADER = (
    "Vin", "N° Abonnement", "Code Distributeur", "Lieu de dépose",
    "Date de dépose souhaitée", "Commentaires",
)
HEADER_ERROR = (
    "Le fichier doit avoir pour première ligne les colonnes : " + ", ".join(EXPECTED_HEADER)
)
UNREADABLE = "Le fichier n'a pas pu être lu : format attendu .xls ou .xlsx"
NO_LINES = "Le fichier ne contient aucune ligne"

NOUVELLE = "Nouvelle"
REJECT_DOUBLE = "Véhicule en double dans le fichier"
REJECT_UNKNOWN = "Véhicule inconnu sur votre compte"
REJECT_ABONNEMENT = "Abonnement non conforme"
REJECT_CODE = "Code distributeur inconnu"
REJECT_DATE = "Date invalide"
REJECT_ACTIVE = "Demande de dépose déjà en cours"


class UploadError(Exception):
    """The whole file is refused; the message is the portal's alert."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def read_rows(data: bytes) -> list[list[Any]]:
    """The first sheet's rows, whatever the format says of itself (.xlsx zip or legacy .xls)."""
    if data.startswith(b"PK"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                return [list(row) for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as err:
            raise UploadError(UNREADABLE) from err
    try:
        book = xlrd.open_workbook(file_contents=data)
        legacy = book.sheet_by_index(0)
        rows: list[list[Any]] = []
        for r in range(legacy.nrows):
            row: list[Any] = []
            for cell in legacy.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate_as_datetime(float(cell.value), book.datemode))
                else:
                    row.append(cell.value)
            rows.append(row)
        return rows
    except (XLRDError, ValueError, IndexError, AssertionError, OSError) as err:
        raise UploadError(UNREADABLE) from err


def parse_date(value: Any) -> str | None:
    """A wished date as `JJ/MM/AAAA`, or None when it is not a calendar date."""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", _text(value))
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day).strftime("%d/%m/%Y")
    except ValueError:
        return None


def parse_upload(data: bytes) -> list[dict[str, Any]]:
    """The file's lines, raw; raises `UploadError` for a file refused as a whole."""
    rows = read_rows(data)
    if not rows:
        raise UploadError(HEADER_ERROR)
    header = [_text(c) for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    if tuple(header) != EXPECTED_HEADER:
        raise UploadError(HEADER_ERROR)
    lines = []
    for row in rows[1:]:
        cells = list(row) + [None] * (len(EXPECTED_HEADER) - len(row))
        if not any(_text(c) for c in cells[: len(EXPECTED_HEADER)]):
            continue  # blank rows between or after the lines
        date = parse_date(cells[4])
        lines.append({
            "vin": _text(cells[0]).upper(), "abonnement": _text(cells[1]).upper(),
            "code": _text(cells[2]).upper(), "lieu": _text(cells[3]),
            "date": date or _text(cells[4]), "date_ok": date is not None,
            "commentaires": _text(cells[5]),
        })
    if not lines:
        raise UploadError(NO_LINES)
    return lines


def review(state: TraqueurState, account: TraqueurAccount,
           lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each line as the review page shows it, with `Nouvelle` or `Rejetée : <motif>`."""
    seen: set[str] = set()
    shown = []
    for line in lines:
        vehicle = state.vehicle(line["vin"]) if line["vin"] else None
        if vehicle is not None and vehicle.owner_email.lower() != account.email.lower():
            vehicle = None
        distributor = state.distributor(line["code"]) if line["code"] else None
        motif = ""
        if line["vin"] and line["vin"] in seen:
            motif = REJECT_DOUBLE
        elif vehicle is None:
            motif = REJECT_UNKNOWN
        elif line["abonnement"] != vehicle.abonnement:
            motif = REJECT_ABONNEMENT
        elif distributor is None:
            motif = REJECT_CODE
        elif not line["date_ok"]:
            motif = REJECT_DATE
        elif state.active_line(line["vin"]) is not None:
            motif = REJECT_ACTIVE
        seen.add(line["vin"])
        shown.append({
            **line,
            "marque": vehicle.marque if vehicle else "",
            "modele": vehicle.modele if vehicle else "",
            "distributeur": distributor.name if distributor else "",
            "email": distributor.email if distributor else "",
            "statut": f"Rejetée : {motif}" if motif else NOUVELLE,
            "ok": not motif,
        })
    return shown
