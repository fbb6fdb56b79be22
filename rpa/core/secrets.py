"""How a password can be written down by a browser, a recorder or a log: typed,
form-encoded, inside JSON, HTML-escaped. Every scrubber of the bot masks all of them."""

from __future__ import annotations

import html
import json
from urllib.parse import quote, quote_plus

MASK = "********"


def secret_texts(secret: str) -> set[str]:
    """How a password can be written down by a browser, a recorder or a log: typed,
    form-encoded, inside JSON, HTML-escaped. Every scrubber of the bot masks all of them."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
             json.dumps(secret, ensure_ascii=False)[1:-1], html.escape(secret)}
    return {f for f in forms if f}


def secret_spellings(secret: str) -> set[bytes]:
    """`secret_texts` as bytes, to search the members of an archive."""
    return {f.encode() for f in secret_texts(secret)}


