"""Where the ledger's rows live: a local SQLite file (the default) or a PostgreSQL server
(`RPA_LEDGER_URL`) that several machines share to work one queue.

Every table the bot keeps is here (vehicles, claims, events, removal requests and actions,
PDF verdicts), so a shared ledger shares all of it. Both speak the same SQL (``?`` placeholders, ``ON CONFLICT``); they differ in how a
transaction starts and in how an item is claimed:

- SQLite: a `claims` row with an owner and a deadline, taken under ``BEGIN IMMEDIATE``. A
  claim held by a killed process of this host is taken over at once; one from another
  host lapses at its deadline.
- PostgreSQL: the claim is a row lock, ``SELECT … FOR UPDATE SKIP LOCKED``, held by an
  open transaction on a connection of its own until the item is released. A worker that
  dies loses its connection, and the server drops its locks: nothing to wait out.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from rpa.core.errors import LedgerUnavailable, UsageError

Row = dict[str, Any]

_ITEMS = """
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
CREATE TABLE IF NOT EXISTS gw_policies (
    police TEXT PRIMARY KEY, account TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '',
    vin TEXT NOT NULL DEFAULT '', seen_at TEXT NOT NULL DEFAULT ''
);
""" + """
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
CREATE TABLE IF NOT EXISTS pdf_checks (
    path TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    police TEXT NOT NULL DEFAULT '',
    readable INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    police_in_text INTEGER
);
"""

_SQLITE_SCHEMA = _ITEMS + """
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

# `claim_locks` rows are what workers lock; `claims` says who holds one, for the others'
# reports (a locked row's new owner would stay invisible until the lock is released).
_POSTGRES_SCHEMA = _ITEMS + """
CREATE TABLE IF NOT EXISTS claim_locks (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    since TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key TEXT NOT NULL,
    at TEXT NOT NULL,
    stage TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_key ON events (key);
"""


# Columns added since the first release: a ledger written by an older `rpa` gains them.
ADDED_COLUMNS = (
    ("items", "site", "TEXT NOT NULL DEFAULT ''"),  # the point of sale (Planet VO `Site VO Vendu`)
    ("items", "account", "TEXT NOT NULL DEFAULT ''"),  # its GuideWire account ("": the only one)
)


class Store(Protocol):
    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]: ...

    def many(self, sql: str, params: Iterable[tuple[Any, ...]]) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def claim(self, key: str, owner: str, ttl_s: float) -> str | None: ...

    def release(self, key: str, owner: str) -> None: ...

    def close(self) -> None: ...


def open_store(location: Path | str) -> Store:
    """A `postgresql://…` URL opens the shared server; anything else is a SQLite file."""
    if isinstance(location, str) and location.startswith(("postgresql://", "postgres://")):
        return PostgresStore(location)
    return SqliteStore(Path(location))


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


class SqliteStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: every checkpoint is durable the moment the call returns.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SQLITE_SCHEMA)
        for table, column, kind in ADDED_COLUMNS:
            present = {r["name"] for r in self.rows(f"PRAGMA table_info({table})")}
            if column not in present:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        path.chmod(0o600)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        return [dict(r) for r in self._db.execute(sql, params).fetchall()]

    def many(self, sql: str, params: Iterable[tuple[Any, ...]]) -> None:
        self._db.executemany(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def claim(self, key: str, owner: str, ttl_s: float) -> str | None:
        now = time.time()
        with self.transaction():
            row = self._db.execute("SELECT owner, until FROM claims WHERE key = ?", (key,)).fetchone()
            if row is not None and row["owner"] != owner and row["until"] > now and _alive(row["owner"]):
                return str(row["owner"])
            self._db.execute("INSERT OR REPLACE INTO claims (key, owner, until) VALUES (?, ?, ?)",
                             (key, owner, now + ttl_s))
        return None

    def release(self, key: str, owner: str) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM claims WHERE key = ? AND owner = ?", (key, owner))

    def close(self) -> None:
        self._db.close()


# A claim's transaction stays open while its vehicle is worked on (minutes): the server
# must not end it as idle, and must notice a worker machine that went away.
_PG_OPTIONS = ("-c idle_in_transaction_session_timeout=0 -c tcp_keepalives_idle=60 "
               "-c tcp_keepalives_interval=10 -c tcp_keepalives_count=6")


class PostgresStore:
    def __init__(self, url: str) -> None:
        import psycopg  # only those who configure a shared ledger need the driver loaded
        from psycopg.rows import dict_row

        self._psycopg = psycopg
        self._url = url
        try:
            self._db = psycopg.connect(url, autocommit=True, row_factory=dict_row, options=_PG_OPTIONS)
        except psycopg.OperationalError as err:  # its message names host and user, never the password
            raise UsageError(f"RPA_LEDGER_URL : serveur PostgreSQL injoignable ({err})".strip()) from None
        # Several machines may start at once: the schema is created under a lock.
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(74601)")
            self._db.execute(_POSTGRES_SCHEMA)
            for table, column, kind in ADDED_COLUMNS:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
        self._holding: dict[str, Any] = {}  # key -> the connection whose transaction locks it

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """The server or the network went away: say so in the bot's words."""
        try:
            yield
        except self._psycopg.OperationalError as err:
            raise LedgerUnavailable(f"ledger PostgreSQL injoignable : {str(err).strip()[:200]}") from None

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        with self._reachable():
            cursor = self._db.execute(self._sql(sql), params)
            return list(cursor.fetchall()) if cursor.description else []

    def many(self, sql: str, params: Iterable[tuple[Any, ...]]) -> None:
        with self._reachable(), self._db.cursor() as cursor:
            cursor.executemany(self._sql(sql), list(params))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._reachable(), self._db.transaction():
            yield

    def claim(self, key: str, owner: str, ttl_s: float) -> str | None:
        with self._reachable():
            return self._claim(key, owner)

    def _claim(self, key: str, owner: str) -> str | None:
        if key in self._holding:  # renewing our own claim
            return None
        self._db.execute("INSERT INTO claim_locks (key) VALUES (%s) ON CONFLICT DO NOTHING", (key,))
        lock = self._psycopg.connect(self._url, autocommit=False, options=_PG_OPTIONS)
        try:
            got = lock.execute("SELECT key FROM claim_locks WHERE key = %s FOR UPDATE SKIP LOCKED",
                               (key,)).fetchone()
        except BaseException:
            lock.close()
            raise
        if got is None:  # another worker's transaction holds it
            lock.close()
            held = self._db.execute("SELECT owner FROM claims WHERE key = %s", (key,)).fetchone()
            return str(held["owner"]) if held else "un autre poste"
        self._holding[key] = lock
        self._db.execute(
            "INSERT INTO claims (key, owner) VALUES (%s, %s) "
            "ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, since = now()", (key, owner))
        return None

    def release(self, key: str, owner: str) -> None:
        lock = self._holding.pop(key, None)
        if lock is None:
            return
        with self._reachable():
            try:
                self._db.execute("DELETE FROM claims WHERE key = %s AND owner = %s", (key, owner))
            finally:
                lock.close()  # ends the transaction: the row lock goes with it

    def close(self) -> None:
        for lock in self._holding.values():
            lock.close()
        self._holding.clear()
        self._db.close()
