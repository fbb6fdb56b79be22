"""Removal spreadsheets, checked locally before the extranet sees them.

Two files (PORTALS.md §4 and "Work queues"):

- a **request** file, the requester's upload as is: first row exactly `Vin | N° Abonnement |
  Code Distributeur | Lieu de dépose | Date de dépose souhaitée | Commentaires`, any title,
  any sheet name, `.xlsx` or legacy `.xls`;
- an **action** file for the remover: `VIN | Action | Motif du refus | Date de dépose |
  7 derniers chiffres du numéro de boîtier | Nom du technicien`.

A wrong header refuses the whole file. A bad row is reported with its row and column and
left out; the good rows go on.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel

from rpa.core.errors import InputError, InputProblem
from rpa.core.files import private_file
from rpa.sheets.queue import VIN_RE
from rpa.sheets.workbook import write_literal

REQUEST_HEADER = (
    "Vin", "N° Abonnement", "Code Distributeur", "Lieu de dépose", "Date de dépose souhaitée",
    "Commentaires",
)
ACTION_HEADER = (
    "VIN", "Action", "Motif du refus", "Date de dépose", "7 derniers chiffres du numéro de boîtier",
    "Nom du technicien",
)
ACTIONS = {"accepter": "Accepter", "refuser": "Refuser", "signaler": "Signaler"}
DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
DATETIME_RE = re.compile(r"^(\d{2}/\d{2}/\d{4})(?:\s+(\d{2}:\d{2}(?::\d{2})?))?$")


class RequestLine(BaseModel):
    row: int
    vin: str
    abonnement: str
    distributeur: str
    lieu: str
    date: str  # JJ/MM/AAAA
    commentaires: str = ""


class ActionLine(BaseModel):
    row: int
    vin: str
    action: str  # Accepter / Refuser / Signaler
    motif: str = ""
    date_depose: str = ""  # JJ/MM/AAAA hh:mm:ss
    boitier: str = ""
    technicien: str = ""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S") if value.time() != dt.time() else value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xls_rows(path: Path) -> Iterator[list[object]]:
    """Legacy .xls through xlrd; its dates are numbers that need the workbook's date mode."""
    import xlrd

    book = xlrd.open_workbook(str(path))
    sheet = book.sheet_by_index(0)
    for r in range(sheet.nrows):
        row: list[object] = []
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate.xldate_as_datetime(float(cell.value), book.datemode))
            else:
                row.append(cell.value)
        yield row


def read_rows(path: Path) -> list[list[str]]:
    """Every row of the first sheet as text, whatever the file's format."""
    name = path.name
    if not path.exists():
        raise InputError([InputProblem(name, None, None, "fichier introuvable")])
    try:
        if path.suffix.lower() == ".xls":
            raw = list(_xls_rows(path))
        else:
            workbook = load_workbook(path, read_only=True, data_only=True)
            try:
                raw = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
            finally:
                workbook.close()
    except ImportError as err:
        raise InputError([InputProblem(name, None, None, "lire un .xls demande le paquet xlrd")]) from err
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise InputError(
            [InputProblem(name, None, None, f"fichier illisible ({type(err).__name__}) : un classeur .xlsx ou .xls est attendu")]
        ) from err
    except Exception as err:  # xlrd's own error types
        if type(err).__module__.startswith("xlrd"):
            raise InputError([InputProblem(name, None, None, f"fichier .xls illisible : {err}")]) from err
        raise
    return [[_text(v) for v in row] for row in raw]


def _check_header(name: str, rows: list[list[str]], expected: tuple[str, ...]) -> None:
    if not rows:
        raise InputError([InputProblem(name, None, None, "la feuille est vide")])
    header = [h for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    if tuple(header) != expected:
        raise InputError([InputProblem(
            name, 1, None,
            "la première ligne doit être exactement : " + " | ".join(expected)
            + " (trouvé : " + " | ".join(header) + ")",
        )])


def _cells(row: list[str], width: int) -> list[str]:
    return (row + [""] * width)[:width]


def read_request_file(path: Path) -> tuple[list[RequestLine], list[InputProblem]]:
    """The good lines and a problem per bad cell; a wrong header raises InputError."""
    rows = read_rows(path)
    _check_header(path.name, rows, REQUEST_HEADER)
    lines: list[RequestLine] = []
    problems: list[InputProblem] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        vin, abonnement, distributeur, lieu, date, commentaires = _cells(row, 6)
        bad = []
        if not VIN_RE.match(vin.upper()):
            bad.append(("Vin", f"VIN invalide « {vin} » : 17 caractères alphanumériques attendus"))
        if not distributeur:
            bad.append(("Code Distributeur", "code distributeur manquant"))
        if not DATE_RE.match(date):
            bad.append(("Date de dépose souhaitée", f"date « {date} » invalide : format JJ/MM/AAAA attendu"))
        problems += [InputProblem(path.name, number, column, message) for column, message in bad]
        if not bad:
            lines.append(RequestLine(row=number, vin=vin.upper(), abonnement=abonnement,
                                     distributeur=distributeur.upper(), lieu=lieu, date=date,
                                     commentaires=commentaires))
    return lines, problems


def write_request_file(path: Path, lines: list[RequestLine]) -> Path:
    """The upload: the exact header row and the lines that passed the local checks."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Déposes"
    sheet.append(list(REQUEST_HEADER))
    for number, line in enumerate(lines, start=2):
        values = [line.vin, line.abonnement, line.distributeur, line.lieu, line.date, line.commentaires]
        for column, value in enumerate(values, start=1):
            write_literal(sheet.cell(row=number, column=column), value)  # never a formula
    with private_file(path) as tmp:
        workbook.save(tmp)
    return path


def read_action_file(path: Path) -> tuple[list[ActionLine], list[InputProblem]]:
    rows = read_rows(path)
    _check_header(path.name, rows, ACTION_HEADER)
    lines: list[ActionLine] = []
    problems: list[InputProblem] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        vin, action, motif, date, boitier, technicien = _cells(row, 6)
        bad = []
        if not VIN_RE.match(vin.upper()):
            bad.append(("VIN", f"VIN invalide « {vin} » : 17 caractères alphanumériques attendus"))
        verb = ACTIONS.get(action.strip().casefold())
        if verb is None:
            bad.append(("Action", f"action « {action} » inconnue : Accepter, Refuser ou Signaler"))
        if verb == "Refuser" and not motif:
            bad.append(("Motif du refus", "motif obligatoire pour un refus"))
        stamp = ""
        if verb == "Signaler":
            match = DATETIME_RE.match(date)
            if not match:
                bad.append(("Date de dépose", f"date « {date} » invalide : JJ/MM/AAAA [hh:mm:ss] attendu"))
            else:
                time = match.group(2) or "00:00:00"
                stamp = f"{match.group(1)} {time if len(time) == 8 else time + ':00'}"
            if not re.fullmatch(r"\d{7}", boitier):
                bad.append(("7 derniers chiffres du numéro de boîtier", f"« {boitier} » : 7 chiffres attendus"))
            if not technicien:
                bad.append(("Nom du technicien", "nom du technicien obligatoire"))
        problems += [InputProblem(path.name, number, column, message) for column, message in bad]
        if not bad and verb is not None:
            lines.append(ActionLine(row=number, vin=vin.upper(), action=verb, motif=motif,
                                    date_depose=stamp, boitier=boitier, technicien=technicien))
    return lines, problems
