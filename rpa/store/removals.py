"""What the bot knows of its removal work, kept in the ledger's SQLite file.

- `removal_requests`: each VIN the bot sent, with its demande once `CONFIRMER` went through
  (an empty demande is an intent whose outcome nobody saw).
- `removal_snapshot`: each line's status at the last `rpa removals status`, to mark changes.
- `removal_actions`: each remover action, intent then outcome.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS removal_requests (
    vin TEXT NOT NULL, demande TEXT NOT NULL DEFAULT '', file TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS removal_snapshot (
    demande TEXT NOT NULL, vin TEXT NOT NULL, statut TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (demande, vin)
);
CREATE TABLE IF NOT EXISTS removal_actions (
    vin TEXT NOT NULL, action TEXT NOT NULL, stage TEXT NOT NULL, at TEXT NOT NULL
);
"""


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class RemovalStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        path.chmod(0o600)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RemovalStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request_intent(self, vins: list[str], file: str) -> None:
        self._db.executemany(
            "INSERT INTO removal_requests (vin, demande, file, at) VALUES (?, '', ?, ?)",
            [(v, file, _now()) for v in vins],
        )

    def request_done(self, vins: list[str], demande: str) -> None:
        self._db.executemany(
            "UPDATE removal_requests SET demande = ? WHERE vin = ? AND demande = ''",
            [(demande, v) for v in vins],
        )

    def unconfirmed(self) -> list[str]:
        """VINs whose `CONFIRMER` was clicked but whose demande was never read back."""
        rows = self._db.execute("SELECT DISTINCT vin FROM removal_requests WHERE demande = ''").fetchall()
        return [r[0] for r in rows]

    def snapshot(self) -> dict[tuple[str, str], str]:
        rows = self._db.execute("SELECT demande, vin, statut FROM removal_snapshot").fetchall()
        return {(r[0], r[1]): r[2] for r in rows}

    def save_snapshot(self, lines: list[tuple[str, str, str]]) -> None:
        self._db.execute("BEGIN")
        self._db.executemany(
            "INSERT OR REPLACE INTO removal_snapshot (demande, vin, statut, at) VALUES (?, ?, ?, ?)",
            [(d, v, s, _now()) for d, v, s in lines],
        )
        self._db.execute("COMMIT")

    def action(self, vin: str, action: str, stage: str) -> None:
        self._db.execute(
            "INSERT INTO removal_actions (vin, action, stage, at) VALUES (?, ?, ?, ?)",
            (vin, action, stage, _now()),
        )
