"""The ledger: where every vehicle stands, so nothing done is redone and nothing is lost.

Stages follow the irreversible portal actions. Before each one the ledger records the
*intent* (``declaring``, ``buying``); after it, the *outcome* (``declared``, ``bought``).
An item found in an intent stage after a crash did something we could not see: the flow
asks the portal what happened before acting again.

    new ─> declaring ─> declared ─> buying ─> bought ─> done (PDF filed)

One row per vehicle plus an append-only event log for the audit trail, in a local SQLite
file or, to share one queue between machines, on a PostgreSQL server (`rpa.store.db`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel

from rpa.store.db import Store, open_store


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
    site: str = ""  # the point of sale that sold it (Planet VO `Site VO Vendu`)
    account: str = ""  # the GuideWire account it is bought under ("": the only one)


OUTSIDE = "hors-rpa-"  # the key of a policy bought outside the bot: its police number follows

_FIELDS = ("bdc", "vin", "immat", "offer", "devis", "police", "pdf", "error_kind", "error", "site", "account")


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Ledger:
    """`location`: a SQLite file, or a `postgresql://` URL for a ledger shared by machines."""

    def __init__(self, location: Path | str) -> None:
        self.location = location
        self._store: Store = open_store(location)

    @property
    def store(self) -> Store:
        """The connection, for the other records kept beside the vehicles (removals, PDF verdicts)."""
        return self._store

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, key: str) -> LedgerItem | None:
        rows = self._store.rows("SELECT * FROM items WHERE key = ?", (key,))
        return LedgerItem(**rows[0]) if rows else None

    def find_by_vin(self, vin: str) -> LedgerItem | None:
        rows = self._store.rows("SELECT * FROM items WHERE vin = ?", (vin,))
        return LedgerItem(**rows[0]) if rows else None

    def bought_elsewhere(self, vin: str, key: str) -> LedgerItem | None:
        """Another entry holding a policy for this VIN (one bought outside the bot, recorded by
        `rpa reconcile --fix`)."""
        rows = self._store.rows("SELECT * FROM items WHERE vin = ? AND key <> ? AND police <> '' ORDER BY key",
                                (vin, key))
        return LedgerItem(**rows[0]) if rows else None

    def search(self, text: str) -> list[LedgerItem]:
        """Vehicles whose Vo Vendu, BDC, VIN or plate (with or without its dashes) is `text`."""
        wanted = text.strip().upper()
        rows = self._store.rows(
            "SELECT * FROM items WHERE UPPER(key) = ? OR bdc = ? OR UPPER(vin) = ? "
            "OR REPLACE(UPPER(immat), '-', '') = ? ORDER BY key",
            (wanted, wanted, wanted, wanted.replace("-", "")))
        return [LedgerItem(**r) for r in rows]

    def all(self) -> list[LedgerItem]:
        return [LedgerItem(**r) for r in self._store.rows("SELECT * FROM items ORDER BY key")]

    def ensure(self, key: str, **fields: str) -> LedgerItem:
        """The item's row, created at stage `new` the first time it is seen."""
        with self._store.transaction():
            self._insert(key)
            self._update(key, fields)
        item = self.get(key)
        assert item is not None
        return item

    def checkpoint(self, key: str, stage: Stage, detail: str = "", **fields: str) -> LedgerItem:
        """Move the item to `stage` (an intent or an outcome) and log it, atomically; returns
        the item as it now stands, for the next step to start from.

        Clears any previous error: the item is making progress again.
        """
        with self._store.transaction():
            self._insert(key)
            self._update(key, {**fields, "error_kind": "", "error": ""}, stage=stage)
            self._log(key, stage.value, detail)
        item = self.get(key)
        assert item is not None
        return item

    def record_outside(self, police: str, vin: str, account: str, pdf: str) -> LedgerItem:
        """A policy bought outside the bot, found on GuideWire and filed by reconcile: kept so
        the warranty chain never declares nor buys that vehicle, and the folder comes clean."""
        return self.checkpoint(f"{OUTSIDE}{police}", Stage.DONE, "achetée hors rpa (rapprochement)",
                               vin=vin, police=police, pdf=pdf, account=account)

    def record_failure(self, key: str, kind: str, message: str) -> None:
        """Keep the stage reached; note why the item stopped there."""
        with self._store.transaction():
            self._insert(key)
            self._update(key, {"error_kind": kind, "error": message})
            self._log(key, "failed", f"{kind}: {message}")

    def claim(self, key: str, owner: str, ttl_s: float = 1800.0) -> str | None:
        """Take `key` for `owner` (a worker); None if done, else the live owner that holds it.

        Workers of one run, other runs and other machines sharing the ledger all claim here,
        so an item is never worked on twice at once. Owners are named `host:pid:…`. How a
        dead holder's claim is given up depends on the store (see `rpa.store.db`); on
        SQLite a claim from another host lapses after `ttl_s`.
        """
        return self._store.claim(key, owner, ttl_s)

    def release(self, key: str, owner: str) -> None:
        self._store.release(key, owner)

    def events(self, key: str) -> list[tuple[str, str, str]]:
        rows = self._store.rows("SELECT at, stage, detail FROM events WHERE key = ? ORDER BY id", (key,))
        return [(r["at"], r["stage"], r["detail"]) for r in rows]

    def _insert(self, key: str) -> None:
        self._store.rows("INSERT INTO items (key, updated_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                         (key, _now()))

    def _log(self, key: str, stage: str, detail: str) -> None:
        self._store.rows("INSERT INTO events (key, at, stage, detail) VALUES (?, ?, ?, ?)",
                         (key, _now(), stage, detail))

    def _update(self, key: str, fields: dict[str, str], stage: Stage | None = None) -> None:
        values = {k: v for k, v in fields.items() if k in _FIELDS and v is not None}
        unknown = set(fields) - set(_FIELDS)
        if unknown:
            raise ValueError(f"unknown ledger fields: {sorted(unknown)}")
        if stage is not None:
            values["stage"] = stage.value
        values["updated_at"] = _now()
        assignments = ", ".join(f"{k} = ?" for k in values)
        self._store.rows(f"UPDATE items SET {assignments} WHERE key = ?", (*values.values(), key))
