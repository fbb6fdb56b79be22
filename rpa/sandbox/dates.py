"""Calendar arithmetic the warranty portals agree on: a guarantee's end is its start plus its
months (the 31st becoming the month's last day), and typed dates are `JJ/MM/AAAA`."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def parse_fr_date(text: str) -> dt.date | None:
    """`JJ/MM/AAAA` -> date; None for anything else (empty included)."""
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None
