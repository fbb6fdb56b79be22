"""Which addresses are this machine only: there the console may go without accounts, and a
browser treats plain HTTP as a secure context (the trace viewer's service worker needs one)."""

from __future__ import annotations

import ipaddress


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
