"""The console's audit log: who did what, when, from where; one JSON object a line in
`<data dir>/serve/audit.jsonl` (0600, appended, never rewritten)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import deque
from pathlib import Path
from typing import Any

from rpa.core.files import private_dir, private_opener


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # the server's threads and the action watchers
        private_dir(path.parent)

    def write(self, who: str, action: str, **details: Any) -> dict[str, Any]:
        entry = {"at": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "who": who,
                 "action": action, **details}
        line = json.dumps(entry, ensure_ascii=False, default=str)
        with self._lock, open(self.path, "a", encoding="utf-8", opener=private_opener) as out:
            out.write(line + "\n")
        return entry

    def last(self, count: int = 200) -> list[dict[str, Any]]:
        """The latest entries, newest first."""
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as lines:
            tail = deque(lines, maxlen=count)
        entries = []
        for line in reversed(tail):
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
        return entries
