"""How Planet VO reads what a user types (searches ignore case and accents, plates their
separators; dates are `JJ/MM/AAAA`) and how it writes a vehicle's model and guarantee."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from rpa.sandbox.state import Vehicle


def fold(text: str) -> str:
    """Case- and accent-insensitive form (`Clôturé` == `Cloturé` == `cloture`)."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def plate_key(text: str) -> str:
    return re.sub(r"[\s\-.]", "", text).upper()


def parse_fr_date(text: str) -> dt.date | None:
    """`JJ/MM/AAAA` -> date; raises ValueError on anything else non-empty."""
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if not match:
        raise ValueError(text)
    day, month, year = (int(g) for g in match.groups())
    return dt.date(year, month, day)


def garantie_months(garantie: str) -> str:
    match = re.search(r"(\d+)\s*mois", garantie)
    return f"{match.group(1)} mois" if match else ""


def full_model(vehicle: Vehicle | None) -> str:
    if vehicle is None:
        return ""
    return " ".join(p for p in (vehicle.marque, vehicle.modele, vehicle.version) if p)
