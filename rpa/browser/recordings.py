"""Capturing a real portal's pages as HAR, so page objects can be checked against it later
with no server (Playwright's `route_from_har`). A capture keeps no password and no cookie."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rpa.core.secrets import secret_texts

REDACTED = "********"
_COOKIE_HEADERS = {"cookie", "set-cookie", "authorization"}


def clean_har(path: Path, secrets: Iterable[str]) -> int:
    """Remove the secrets from a HAR file, in place; returns how many places were cleaned.

    Request bodies (the login form), headers and bodies are searched; cookie and
    authorization headers are dropped whole: a session token is a password too.
    """
    known = [s for s in secrets if s]
    har: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    cleaned = 0

    def scrub(text: str) -> str:
        nonlocal cleaned
        for secret in known:
            for form in sorted(secret_texts(secret), key=len, reverse=True):
                if form in text:
                    text = text.replace(form, REDACTED)
                    cleaned += 1
        return text

    for entry in har.get("log", {}).get("entries", []):
        for part in (entry.get("request", {}), entry.get("response", {})):
            headers = part.get("headers", [])
            kept = [h for h in headers if h.get("name", "").lower() not in _COOKIE_HEADERS]
            cleaned += len(headers) - len(kept)
            part["headers"] = kept
            part["cookies"] = []
            post = part.get("postData")
            if post:
                post["text"] = scrub(post.get("text", ""))
                for param in post.get("params", []):
                    param["value"] = scrub(param.get("value", ""))
            content = part.get("content")
            if content and isinstance(content.get("text"), str):
                content["text"] = scrub(content["text"])
    path.write_text(json.dumps(har, ensure_ascii=False, indent=1), encoding="utf-8")
    path.chmod(0o600)
    return cleaned

