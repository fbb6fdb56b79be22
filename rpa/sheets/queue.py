"""Read a warranty work queue: the Planet VO `Exporter` spreadsheet, or one written like it.

One row is one vehicle, identified by `Vo Vendu` (its stock number). `Acheteur` is the
customer's `Nom*` on the declaration form, and any extra column titled like a form label
(`Civilité`, `Adresse`, `Code Postal`, `Email`, …) gives that field (PORTALS.md, Work
queues). A file with any bad cell is refused whole, with every problem named by file, row
and column: a queue that cannot be trusted is not half-run.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel, Field

from rpa.core.errors import InputError, InputProblem
from rpa.core.text import fold

# The `Exporter` columns of `Liste des Bons de commande` (PORTALS.md §1).
EXPORT_COLUMNS = (
    "N°", "Statut", "Type", "Date de création", "Date de modification", "Acheteur",
    "Vendeur", "Vo Vendu", "Modèle", "Origine Vo Vendu", "Vo Repris", "Prix négocié",
    "Site VO Vendu", "Organisme de Financement",
)
REQUIRED_COLUMNS = ("Vo Vendu",)

VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
PLATE_RE = re.compile(r"^[A-Z]{2}-\d{3}-[A-Z]{2}$")
DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")


def normalise(text: str) -> str:
    """A column title or a form label as PORTALS.md compares them: ignoring case, accents,
    spaces and the `*` / `:` marks of required fields."""
    return fold(re.sub(r"[*:]", "", text))


def normalise_plate(value: str) -> str:
    compact = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"[A-Z]{2}\d{3}[A-Z]{2}", compact):
        return f"{compact[:2]}-{compact[2:5]}-{compact[5:]}"
    return value.strip().upper()


class WarrantyItem(BaseModel):
    """One vehicle to push through Planet VO -> reseauxconnect -> GuideWire."""

    row: int
    vo_vendu: str
    bdc: str = ""
    statut: str = ""
    site: str = ""
    # Declaration-form label (without `*`) -> value the row gives for it.
    fields: dict[str, str] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.vo_vendu


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_field(label: str, value: str) -> tuple[str, str | None]:
    """The value as the form wants it, and a problem if it can never be right."""
    key = normalise(label)
    if key == "vin":
        value = value.upper()
        if not VIN_RE.match(value):
            return value, "VIN invalide : 17 caractères alphanumériques en majuscules (sans I, O, Q)"
    elif key in ("immatriculation", "immat", "immat."):
        value = normalise_plate(value)
        if not PLATE_RE.match(value):
            return value, "immatriculation invalide : format attendu XX-XXX-XX"
    elif key == "codepostal":
        if not re.fullmatch(r"\d{5}", value):
            return value, "code postal invalide : 5 chiffres attendus"
    elif key.startswith("date") and not DATE_RE.match(value):
        return value, "date invalide : format JJ/MM/AAAA attendu"
    return value, None


def read_queue(path: Path) -> list[WarrantyItem]:
    """Parse the whole file or raise InputError naming every bad row and column."""
    name = path.name
    if not path.exists():
        raise InputError([InputProblem(name, None, None, "fichier introuvable")])
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise InputError(
            [InputProblem(name, None, None, f"fichier illisible ({type(err).__name__}) : un classeur .xlsx est attendu")]
        ) from err
    try:
        sheet = workbook.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    if not rows:
        raise InputError([InputProblem(name, None, None, "la feuille est vide")])

    headers = [_cell_text(h) for h in rows[0]]
    by_norm = {normalise(h): i for i, h in enumerate(headers) if h}
    missing = [c for c in REQUIRED_COLUMNS if normalise(c) not in by_norm]
    if missing:
        raise InputError(
            [InputProblem(name, 1, c, "colonne obligatoire absente de la première ligne") for c in missing]
        )
    export_norm = {normalise(c) for c in EXPORT_COLUMNS}

    def col(row: tuple[object, ...], title: str) -> str:
        i = by_norm.get(normalise(title))
        return _cell_text(row[i]) if i is not None and i < len(row) else ""

    problems: list[InputProblem] = []
    items: list[WarrantyItem] = []
    for number, row in enumerate(rows[1:], start=2):
        if all(_cell_text(v) == "" for v in row):
            continue
        vo_vendu = col(row, "Vo Vendu")
        if not vo_vendu:
            problems.append(InputProblem(name, number, "Vo Vendu", "valeur obligatoire manquante"))
            continue
        fields: dict[str, str] = {}
        acheteur = col(row, "Acheteur")
        if acheteur:
            fields["Nom"] = acheteur
        for i, title in enumerate(headers):
            if not title or normalise(title) in export_norm or i >= len(row):
                continue
            value = _cell_text(row[i])
            if not value:
                continue
            value, problem = _check_field(title, value)
            if problem:
                problems.append(InputProblem(name, number, title, f"{problem} (« {value} »)"))
            fields[title.rstrip(" *:")] = value
        items.append(
            WarrantyItem(
                row=number, vo_vendu=vo_vendu, bdc=col(row, "N°"), statut=col(row, "Statut"),
                site=col(row, "Site VO Vendu"), fields=fields,
            )
        )
    if problems:
        raise InputError(problems)
    return items
