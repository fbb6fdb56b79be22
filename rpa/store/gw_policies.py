"""What GuideWire said of each police the reconcile looked up (its account, status, VIN), so
a nightly reconcile of a folder of thousands of old policies searches only the new ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rpa.store.db import Store


@dataclass(frozen=True)
class PolicyFacts:
    police: str
    account: str  # the GuideWire account that lists it ("": the only one)
    status: str  # `En vigueur`, `Annulée`…; "" when GuideWire did not find it
    vin: str


class GuideWireFacts:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, police: str, account: str) -> PolicyFacts | None:
        rows = self._store.rows("SELECT police, account, status, vin FROM gw_policies WHERE police = ? AND account = ?",
                                (police, account))
        return PolicyFacts(**rows[0]) if rows else None

    def put(self, facts: PolicyFacts) -> None:
        self._store.rows(
            "INSERT INTO gw_policies (police, account, status, vin, seen_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (police) DO UPDATE SET account = excluded.account, status = excluded.status, "
            "vin = CASE WHEN excluded.vin <> '' THEN excluded.vin ELSE gw_policies.vin END, seen_at = excluded.seen_at",
            (facts.police, facts.account, facts.status, facts.vin,
             dt.datetime.now().astimezone().isoformat(timespec="seconds")))
