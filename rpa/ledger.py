"""The local ledger: where every vehicle stands, so nothing done is redone and nothing is lost.

Stages follow the irreversible portal actions. Before each one the ledger records the
*intent* (``declaring``, ``buying``); after it, the *outcome* (``declared``, ``bought``).
An item found in an intent stage after a crash did something we could not see: the flow
asks the portal what happened before acting again.

    new ─> declaring ─> declared ─> buying ─> bought ─> done (PDF filed)

SQLite in WAL mode, one row per vehicle plus an append-only event log for the audit trail.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel


class Stage(StrEnum):
    NEW = "new"
    DECLARING = "declaring"
    DECLARED = "declared"
    BUYING = "buying"
    BOUGHT = "bought"
    DONE = "done"

    @property
    def rank(self) -> int:
        return list(Stage).index(self)


class LedgerItem(BaseModel):
    key: str  # the vehicle's stock number (Planet VO `Vo Vendu` / `N° Police`)
    bdc: str = ""
    vin: str = ""
    immat: str = ""
    stage: Stage = Stage.NEW
    offer: str = ""  # the GuideWire offer mapped from the declared Garantie|Durée
    devis: str = ""
    police: str = ""
    pdf: str = ""
    error_kind: str = ""
    error: str = ""
    updated_at: str = ""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    bdc TEXT NOT NULL DEFAULT '',
    vin TEXT NOT NULL DEFAULT '',
    immat TEXT NOT NULL DEFAULT '',
    stage TEXT NOT NULL DEFAULT 'new',
    offer TEXT NOT NULL DEFAULT '',
    devis TEXT NOT NULL DEFAULT '',
    police TEXT NOT NULL DEFAULT '',
    pdf TEXT NOT NULL DEFAULT '',
    error_kind TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS items_vin ON items (vin);
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    at TEXT NOT NULL,
    stage TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"""

_FIELDS = ("bdc", "vin", "immat", "offer", "devis", "police", "pdf", "error_kind", "error")


def _alive(owner: str) -> bool:
    """Is the claim's owner (`host:pid:…`) possibly still working? Only this host can tell."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Autocommit: every checkpoint is durable the moment the call returns.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        path.chmod(0o600)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def get(self, key: str) -> LedgerItem | None:
        row = self._db.execute("SELECT * FROM items WHERE key = ?", (key,)).fetchone()
        return LedgerItem(**dict(row)) if row else None

    def find_by_vin(self, vin: str) -> LedgerItem | None:
        row = self._db.execute("SELECT * FROM items WHERE vin = ?", (vin,)).fetchone()
        return LedgerItem(**dict(row)) if row else None

    def all(self) -> list[LedgerItem]:
        rows = self._db.execute("SELECT * FROM items ORDER BY key").fetchall()
        return [LedgerItem(**dict(r)) for r in rows]

    def ensure(self, key: str, **fields: str) -> LedgerItem:
        """The item's row, created at stage `new` the first time it is seen."""
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO items (key, updated_at) VALUES (?, ?)", (key, _now()))
            self._update(db, key, fields)
        item = self.get(key)
        assert item is not None
        return item

    def checkpoint(self, key: str, stage: Stage, detail: str = "", **fields: str) -> None:
        """Move the item to `stage` (an intent or an outcome) and log it, atomically.

        Clears any previous error: the item is making progress again.
        """
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO items (key, updated_at) VALUES (?, ?)", (key, _now()))
            self._update(db, key, {**fields, "error_kind": "", "error": ""}, stage=stage)
            db.execute(
                "INSERT INTO events (key, at, stage, detail) VALUES (?, ?, ?, ?)",
                (key, _now(), stage.value, detail),
            )

    def record_failure(self, key: str, kind: str, message: str) -> None:
        """Keep the stage reached; note why the item stopped there."""
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO items (key, updated_at) VALUES (?, ?)", (key, _now()))
            self._update(db, key, {"error_kind": kind, "error": message})
            db.execute(
                "INSERT INTO events (key, at, stage, detail) VALUES (?, ?, ?, ?)",
                (key, _now(), "failed", f"{kind}: {message}"),
            )

    def claim(self, key: str, owner: str, ttl_s: float = 1800.0) -> str | None:
        """Take `key` for `owner` (a worker); None if done, else the live owner that holds it.

        Workers of one run, other runs and other machines sharing the ledger all claim here,
        so an item is never worked on twice at once. Owners are named `host:pid:…`: a claim
        held by a process of this host that no longer exists (killed mid-item) is taken over
        at once; one from another host lapses after `ttl_s`.
        """
        now = time.time()
        with self._tx() as db:
            row = db.execute("SELECT owner, until FROM claims WHERE key = ?", (key,)).fetchone()
            if row is not None and row["owner"] != owner and row["until"] > now and _alive(row["owner"]):
                return str(row["owner"])
            db.execute("INSERT OR REPLACE INTO claims (key, owner, until) VALUES (?, ?, ?)",
                       (key, owner, now + ttl_s))
        return None

    def release(self, key: str, owner: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM claims WHERE key = ? AND owner = ?", (key, owner))

    def events(self, key: str) -> list[tuple[str, str, str]]:
        rows = self._db.execute(
            "SELECT at, stage, detail FROM events WHERE key = ? ORDER BY id", (key,)
        ).fetchall()
        return [(r["at"], r["stage"], r["detail"]) for r in rows]

    @staticmethod
    def _update(
        db: sqlite3.Connection, key: str, fields: dict[str, str], stage: Stage | None = None
    ) -> None:
        values = {k: v for k, v in fields.items() if k in _FIELDS and v is not None}
        unknown = set(fields) - set(_FIELDS)
        if unknown:
            raise ValueError(f"unknown ledger fields: {sorted(unknown)}")
        if stage is not None:
            values["stage"] = stage.value
        values["updated_at"] = _now()
        assignments = ", ".join(f"{k} = ?" for k in values)
        db.execute(f"UPDATE items SET {assignments} WHERE key = ?", (*values.values(), key))
