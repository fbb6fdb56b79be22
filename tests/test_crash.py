"""The machine dies mid-run: `rpa warranty` is killed with SIGKILL (with its Chromium) at
seeded moments, most of them right after an irreversible click was checkpointed, then run
again until it finishes. Zero double purchases and zero lost vehicles, checked on the
sandbox's own records."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from clirun import env_for
from workbooks import write_rows

from rpa.config import Settings
from rpa.sandbox.server import Sandbox
from rpa.store.ledger import Ledger, Stage

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ELIGIBLE = ["59716", "60226", "60301", "60388", "60412", "60455"]
KILLS = 3
SEED = 20261123


def intents(ledger: Path) -> int:
    """How many irreversible clicks the bot has announced so far (read beside it: WAL)."""
    if not ledger.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=1) as db:
            (count,) = db.execute(
                "SELECT count(*) FROM events WHERE stage IN ('declaring', 'buying')").fetchone()
            return int(count)
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def start(settings: Settings, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "rpa", "warranty", "--queue", "queue.xlsx"], env=env_for(settings),
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def kill_at_a_random_moment(proc: subprocess.Popen[bytes], ledger: Path, rng: random.Random) -> bool:
    """SIGKILL the bot and its browser a random moment after its next few intents; False if
    it finished first."""
    target = intents(ledger) + rng.randint(1, 3)
    delay = rng.uniform(0.0, 0.6)  # often inside the click-to-checkpoint window
    deadline = time.monotonic() + 240
    while intents(ledger) < target:
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the bot made no progress"
        time.sleep(0.05)  # the test polls the ledger file; the bot itself never sleeps
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return True


def test_sigkill_at_random_moments_never_buys_twice_and_loses_nothing(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    write_rows(tmp_path / "queue.xlsx", [["Vo Vendu"], *([k] for k in ELIGIBLE)])
    rng = random.Random(SEED)
    kills = 0
    for _ in range(KILLS):
        if not kill_at_a_random_moment(start(settings, tmp_path), settings.ledger_path, rng):
            break
        kills += 1
    final = start(settings, tmp_path)
    assert final.wait(timeout=300) == 0
    assert kills == KILLS, f"only {kills} kill(s) landed before the queue was done"

    vins = Counter(p.vin for p in sandbox.state.purchases)
    assert [vin for vin, n in vins.items() if n > 1] == []  # never twice
    with Ledger(settings.ledger_path) as ledger:
        for key in ELIGIBLE:  # never lost
            entry = ledger.get(key)
            assert entry is not None and entry.stage is Stage.DONE, (key, entry)
            assert vins[entry.vin] == 1 and Path(entry.pdf).exists()
            assert any(p.numero == entry.police and p.vin == entry.vin for p in sandbox.state.policies)
    assert len(sandbox.state.purchases) == len(ELIGIBLE)
    # Every declaration reached GuideWire once: a rerun found the devis instead of redeclaring.
    declared = Counter(d.vin for d in sandbox.state.declarations)
    assert all(n == 1 for n in declared.values()), declared
    # A killed run never left its unscrubbed trace chunks behind once a run finished.
    assert list(settings.runs_dir.glob("*/.scratch")) == []
    with sqlite3.connect(settings.ledger_path) as db:
        recovered = db.execute("SELECT count(*) FROM events WHERE detail IN "
                               "('retrouvé dans Accueil', 'police trouvée sur GuideWire')").fetchone()[0]
    print(f"\n{kills} SIGKILL survécus, {recovered} action(s) retrouvée(s) sur le portail après reprise, "
          f"{len(sandbox.state.purchases)} achats pour {len(ELIGIBLE)} véhicules")
