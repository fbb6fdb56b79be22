"""The replica misbehaving on purpose, as the real portals do: slow and uneven answers, 5xx
errors, "service momentanément indisponible" pages, answers lost after the work was done,
late dialogs. Seeded, so a failing test can be replayed exactly.

Faults are decided per HTTP request, in the order requests arrive.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["http-503", "http-500", "page-indisponible", "reponse-perdue"]

UNAVAILABLE_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Service momentanément indisponible</title></head>
<body><h1>Service momentanément indisponible</h1>
<p>Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.</p>
</body></html>"""


@dataclass
class Faults:
    """The fault knobs; all off by default."""

    seed: int = 0
    # Share of requests that fail: a 503 or 500 answer, a 200 page saying the service is
    # unavailable, or (form posts only) the work done but the answer lost on the way back.
    error_rate: float = 0.0
    # Extra delay on every answer, drawn uniformly in [0, jitter_ms].
    jitter_ms: float = 0.0
    # Extra delay before dialogs and late content show (purchase dialog, declaration form…).
    late_ms: int = 0
    # Which faults to draw from (all by default).
    kinds: tuple[FaultKind, ...] = ("http-503", "http-500", "page-indisponible", "reponse-perdue")
    injected: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def delay_s(self, latency_ms: float) -> float:
        extra = self._rng.uniform(0, self.jitter_ms) if self.jitter_ms > 0 else 0.0
        return (latency_ms + extra) / 1000

    def draw(self, method: str, path: str) -> FaultKind | None:
        """The fault for this request, if any (counted as injected)."""
        self.requests += 1
        if self.error_rate <= 0 or path.startswith("/static") or path == "/favicon.ico":
            return None
        if self._rng.random() >= self.error_rate:
            return None
        kinds = [k for k in self.kinds if method == "POST" or k != "reponse-perdue"]
        if not kinds:
            return None
        kind = self._rng.choice(kinds)
        self.injected[kind] += 1
        return kind

    @property
    def total(self) -> int:
        return sum(self.injected.values())
