"""One loguru logger, configured at the entry point, that never prints a password."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from loguru import logger

if TYPE_CHECKING:
    from loguru import Logger, Record
    from rich.console import Console

from rpa.core.files import private_dir, private_opener
from rpa.core.secrets import MASK, secret_texts

REDACTED = MASK


def redactor(secrets: Iterable[str]) -> Callable[[Record], None]:
    """Mask each password where it stands as a value, in every spelling, and nowhere else:
    `s` as a password must not turn `système` into `********ystème` (settings refuse
    passwords too short to mask this way: rpa/config/settings.py)."""
    known = sorted({t for s in secrets if s for t in secret_texts(s)}, key=len, reverse=True)
    pattern = re.compile("|".join(_standalone(t) for t in known)) if known else None

    def patch(record: Record) -> None:
        if pattern is not None:
            record["message"] = pattern.sub(REDACTED, record["message"])

    return patch


def _standalone(text: str) -> str:
    """`text`, not glued to a letter or digit on a side where it starts or ends with one."""
    before = r"(?<![^\W_])" if text[0].isalnum() else ""
    after = r"(?![^\W_])" if text[-1].isalnum() else ""
    return before + re.escape(text) + after


def details_only() -> Logger:
    """A logger whose lines go to the log files, not the console (which already said it)."""
    return logger.bind(details_only=True)


def _for_console(record: Record) -> bool:
    return not record["extra"].get("details_only")


def _console_format(record: Record) -> str:
    """One line per message on the console, never a traceback (that goes to the log files)."""
    return "<green>{time:HH:mm:ss}</green> <level>{level: <7}</level> <cyan>{extra[item]}</cyan> {message}\n"


def setup_logging(secrets: Iterable[str], data_dir: Path, *, console: Console | None = None,
                  verbose: bool = False) -> None:
    """The console says what happens, a line each; `<data dir>/rpa.log` (private) keeps the
    details, tracebacks included, of every command."""
    logger.remove()
    logger.configure(patcher=redactor(secrets), extra={"item": "-"})
    level = "DEBUG" if verbose else "INFO"
    if console is not None:
        logger.add(lambda m: console.print(m.rstrip("\n"), markup=False, highlight=False),
                   level=level, format=_console_format, colorize=console.is_terminal, filter=_for_console)
    else:
        logger.add(sys.stderr, level=level, format=_console_format, filter=_for_console)
    add_detail_log(private_dir(data_dir) / "rpa.log")


def add_detail_log(path: Path, *, serialize: bool = False) -> int:
    """A private log file with everything, tracebacks included (never the values of local
    variables: they may hold passwords)."""
    return logger.add(path, level="DEBUG", serialize=serialize, rotation="20 MB", retention=3,
                      opener=private_opener, backtrace=False, diagnose=False, enqueue=False)
