"""The ledger keeps each vehicle's stage durable and its history auditable."""

from __future__ import annotations

import socket
import stat
import subprocess
import sys
from pathlib import Path

from rpa.store.ledger import Ledger, Stage


def test_checkpoints_survive_reopening_and_keep_history(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path) as ledger:
        ledger.ensure("59716", bdc="74601")
        ledger.checkpoint("59716", Stage.DECLARING, vin="VF3CCHMZ6JT059716", offer="GVO Premium 7 / 150")
        ledger.checkpoint("59716", Stage.DECLARED, devis="0001006187")
        ledger.checkpoint("59716", Stage.BUYING)
    with Ledger(path) as ledger:
        item = ledger.get("59716")
        assert item is not None
        assert (item.stage, item.bdc, item.devis, item.offer) == (
            Stage.BUYING, "74601", "0001006187", "GVO Premium 7 / 150")
        assert ledger.find_by_vin("VF3CCHMZ6JT059716") == item
        assert [e[1] for e in ledger.events("59716")] == ["declaring", "declared", "buying"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_failure_keeps_the_stage_and_progress_clears_the_error(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.checkpoint("60226", Stage.DECLARED, devis="1")
        ledger.record_failure("60226", "système", "portail indisponible")
        item = ledger.get("60226")
        assert item is not None and item.stage is Stage.DECLARED and item.error == "portail indisponible"
        ledger.checkpoint("60226", Stage.BOUGHT, police="2")
        item = ledger.get("60226")
        assert item is not None and item.error == "" and item.police == "2"


def test_stage_order() -> None:
    assert [s.rank for s in Stage] == list(range(6))
    assert Stage.BUYING.rank < Stage.BOUGHT.rank


def test_a_claimed_item_is_refused_to_another_worker_until_released_or_lapsed(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as one, Ledger(tmp_path / "l.sqlite3") as two:
        assert one.claim("59716", "poste-a") is None
        assert two.claim("59716", "poste-b") == "poste-a"  # another connection, another worker
        assert one.claim("59716", "poste-a") is None  # the holder may renew it
        one.release("59716", "poste-a")
        assert two.claim("59716", "poste-b") is None
        assert one.claim("60226", "poste-a", ttl_s=-1) is None  # a worker that died at once
        assert two.claim("60226", "poste-b") is None
        # A process of this host that was killed holding a claim: taken over at once.
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout.strip()
        assert one.claim("60301", f"{socket.gethostname()}:{dead}:1") is None
        assert two.claim("60301", "poste-b") is None
