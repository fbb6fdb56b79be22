"""A throwaway PostgreSQL server for the shared-ledger tests: Debian's own binaries, a fresh
cluster in a temporary folder, loopback only, gone when the test ends."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _binary(name: str) -> str:
    """Debian keeps the server's programs out of PATH, under /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                                                   reverse=True)), None)
    if found is None:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package (make test does)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yield its URL. The server refuses to run as root: then it runs as the
    `postgres` account the Debian package creates."""
    as_user: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="rpa-pg-"))
    data = root / "data"
    if as_user:
        shutil.chown(root, "postgres")
    port = _free_port()
    try:
        subprocess.run([*as_user, _binary("initdb"), "-D", str(data), "-U", "rpa", "--auth=trust",
                        "-E", "UTF8", "--no-locale", "--no-sync"],
                       check=True, capture_output=True, text=True)
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' "
                   "-c fsync=off -c full_page_writes=off")
        subprocess.run([*as_user, _binary("pg_ctl"), "-D", str(data), "-o", options,
                        "-l", str(root / "server.log"), "-w", "-t", "60", "start"],
                       check=True, capture_output=True, text=True)
        try:
            yield f"postgresql://rpa@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*as_user, _binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                           capture_output=True, check=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)
