"""What reconcile learned of each file of the policies folder, so an unchanged file (same
size, same mtime to the nanosecond: any rewrite changes one of them) is not parsed again.
Kept in the ledger's `pdf_checks` table, beside everything else the bot remembers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rpa.store.db import Store


@dataclass(frozen=True)
class Verdict:
    readable: bool
    reason: str
    police_in_text: bool | None


class VerdictCache:
    """A verdict per absolute path, valid while the file keeps its size and mtime_ns."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def load(self, prefix: str) -> dict[str, tuple[int, int, str, Verdict]]:
        rows = self._store.rows(
            "SELECT path, size, mtime_ns, police, readable, reason, police_in_text FROM pdf_checks"
            " WHERE substr(path, 1, ?) = ?", (len(prefix), prefix))
        return {
            r["path"]: (r["size"], r["mtime_ns"], r["police"],
                        Verdict(bool(r["readable"]), r["reason"],
                                None if r["police_in_text"] is None else bool(r["police_in_text"])))
            for r in rows
        }

    def store(self, rows: Iterable[tuple[str, int, int, str, Verdict]]) -> None:
        with self._store.transaction():
            self._store.many(
                "INSERT INTO pdf_checks (path, size, mtime_ns, police, readable, reason, police_in_text)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET size = excluded.size,"
                " mtime_ns = excluded.mtime_ns, police = excluded.police, readable = excluded.readable,"
                " reason = excluded.reason, police_in_text = excluded.police_in_text",
                [(p, s, m, pol, int(v.readable), v.reason,
                  None if v.police_in_text is None else int(v.police_in_text))
                 for p, s, m, pol, v in rows])

    def forget(self, prefix: str, keep: set[str]) -> None:
        """Drop verdicts of files gone from the folder, so the table does not grow forever."""
        gone = [p for p in self.load(prefix) if p not in keep]
        if gone:
            with self._store.transaction():
                self._store.many("DELETE FROM pdf_checks WHERE path = ?", [(p,) for p in gone])
