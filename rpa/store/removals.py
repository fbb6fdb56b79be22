"""What the bot knows of its removal work, in the ledger (its SQLite file, or the shared
PostgreSQL server of RPA_LEDGER_URL, like every other table):

- `removal_requests`: each VIN the bot sent, with its demande once `CONFIRMER` went through
  (an empty demande is an intent whose outcome nobody saw).
- `removal_snapshot`: each line's status at the last `rpa removals status`, to mark changes.
- `removal_actions`: each remover action, intent then outcome (`done` or `failed`).
"""

from __future__ import annotations

import datetime as dt

from rpa.store.db import Store

CLAIM_TTL_S = 600.0  # one removal action takes seconds; a dead holder's claim lapses soon


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class RemovalRecords:
    def __init__(self, store: Store) -> None:
        self._store = store

    def request_intent(self, vins: list[str], file: str) -> None:
        self._store.many("INSERT INTO removal_requests (vin, demande, file, at) VALUES (?, '', ?, ?)",
                         [(v, file, _now()) for v in vins])

    def request_done(self, vins: list[str], demande: str) -> None:
        self._store.many("UPDATE removal_requests SET demande = ? WHERE vin = ? AND demande = ''",
                         [(demande, v) for v in vins])

    def unconfirmed(self) -> list[str]:
        """VINs whose `CONFIRMER` was clicked but whose demande was never read back."""
        rows = self._store.rows("SELECT DISTINCT vin FROM removal_requests WHERE demande = ''")
        return [r["vin"] for r in rows]

    def snapshot(self) -> dict[tuple[str, str], str]:
        rows = self._store.rows("SELECT demande, vin, statut FROM removal_snapshot")
        return {(r["demande"], r["vin"]): r["statut"] for r in rows}

    def save_snapshot(self, lines: list[tuple[str, str, str]]) -> None:
        with self._store.transaction():
            self._store.many(
                "INSERT INTO removal_snapshot (demande, vin, statut, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (demande, vin) DO UPDATE SET statut = excluded.statut, at = excluded.at",
                [(d, v, s, _now()) for d, v, s in lines])

    def action(self, vin: str, action: str, stage: str) -> None:
        self._store.rows("INSERT INTO removal_actions (vin, action, stage, at) VALUES (?, ?, ?, ?)",
                         (vin, action, stage, _now()))

    def actions(self, vin: str) -> list[tuple[str, str]]:
        """(action, stage) of every step recorded for `vin`, oldest first."""
        rows = self._store.rows("SELECT action, stage FROM removal_actions WHERE vin = ? ORDER BY at", (vin,))
        return [(r["action"], r["stage"]) for r in rows]

    # The per-item boundary's claims: two workers or machines never act on one line at once.
    def claim(self, key: str, owner: str) -> str | None:
        return self._store.claim(f"dépose:{key}", owner, CLAIM_TTL_S)

    def release(self, key: str, owner: str) -> None:
        self._store.release(f"dépose:{key}", owner)
