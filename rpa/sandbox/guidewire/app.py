"""The GuideWire a browser gets: the client-side application with the `spa` drift on, the
server-rendered portal without."""

from __future__ import annotations

from starlette.applications import Starlette

from rpa.sandbox.guidewire.classic.app import build_pages_app
from rpa.sandbox.guidewire.spa.app import build_spa_app
from rpa.sandbox.host import Host


def build_app(sandbox: Host) -> Starlette:
    """Chosen when the app is built (a server restart after an outage chooses again)."""
    if sandbox.drift.on("spa"):
        return build_spa_app(sandbox)
    return build_pages_app(sandbox)
