"""One loguru logger, configured at the entry point, that never prints a password."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from loguru import logger

if TYPE_CHECKING:
    from loguru import Record
    from rich.console import Console

from rpa.config import Settings
from rpa.tracing import secret_texts

REDACTED = "********"


def secrets_of(settings: Settings) -> list[str]:
    values = [
        settings.planetvo.password.get_secret_value(),
        settings.guidewire.password.get_secret_value(),
        settings.reseauxconnect.password.get_secret_value(),
        settings.traqueur.password.get_secret_value(),
        settings.notify.smtp_password.get_secret_value(),
        settings.ledger_password,
    ]
    return [v for v in values if v]


def redactor(secrets: Iterable[str]) -> Callable[[Record], None]:
    known = sorted({t for s in secrets if s for t in secret_texts(s)}, key=len, reverse=True)

    def patch(record: Record) -> None:
        message = record["message"]
        for secret in known:
            message = message.replace(secret, REDACTED)
        record["message"] = message

    return patch


def setup_logging(settings: Settings, *, console: Console | None = None, verbose: bool = False) -> None:
    logger.remove()
    logger.configure(patcher=redactor(secrets_of(settings)), extra={"item": "-"})
    level = "DEBUG" if verbose else "INFO"
    fmt = "<green>{time:HH:mm:ss}</green> <level>{level: <7}</level> <cyan>{extra[item]}</cyan> {message}"
    if console is not None:
        logger.add(lambda m: console.print(m.rstrip("\n"), markup=False, highlight=False),
                   level=level, format=fmt, colorize=console.is_terminal)
    else:
        logger.add(sys.stderr, level=level, format=fmt)
