"""One rule for "is it the same value?", wherever the bot compares what a person would read
as equal (PORTALS.md: ignoring case, accents and spaces): a queue cell against a form field,
a status against `Cloturé` / `Clôturé`, a configured offer key against the form's garantie."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """`text` without case, accents or spaces: `Clôturé ` -> `cloture`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and not c.isspace()).casefold()


def same(a: str, b: str) -> bool:
    return fold(a) == fold(b)
