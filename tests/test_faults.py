"""A bad night on portals the bot has never seen: every drift switch on (a client-side
GuideWire, errors shown inside the portals' own layouts, the next release's markup, a
maintenance notice on every page, a cookie dialog), 10 % of requests failing (5xx, "service
momentanément indisponible", answers lost after the work was done), latency with jitter,
late dialogs, GuideWire signing out every 25 requests and the server going away for a few
seconds. Two workers share the queue. Every eligible vehicle still ends bought exactly once,
with its PDF; the only business failures are the seeded ones, in the portals' words."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from rpa.config import BrowserSettings, RetrySettings, Settings
from rpa.flows.demo import sandbox_settings
from rpa.flows.planetvo_queue import exported_queue
from rpa.flows.run import run_warranty
from rpa.sandbox.drift import Drift
from rpa.sandbox.faults import Faults
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.store.ledger import Ledger, Stage

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The seed's business refusals, in the portals' words (the other 9 BDCs are eligible).
REFUSED = {
    "VINCE02": "Code RRD1 SPOTICAR manquant pour le site CHARTRES",
    "VINCE05": "Le champ adresse est obligatoire",
    "VINCE07": "Aucune offre GuideWire configurée",
    "VINCE08": "non clôturé",
    "VINCE09": "Ce devis a expiré",
    "VINCE10": "aucune garantie Spoticar / DS Certified",
}


@pytest.fixture
def stormy(tmp_path: Path) -> Iterator[Sandbox]:
    with create_sandbox(tmp_path / "sandbox-state.json", latency_ms=30,
                        drift=Drift.parse("all", seed=6), expire_after=25,
                        faults=Faults(seed=6, error_rate=0.10, jitter_ms=30, late_ms=100)) as box:
        box.state.document_delay_seconds = 0.3
        yield box


def test_the_demo_night_on_drifted_portals_at_ten_percent_faults_buys_each_eligible_vehicle_once(
    stormy: Sandbox, tmp_path: Path
) -> None:
    base = Settings(
        _env_file=None,  # type: ignore[call-arg]
        browser=BrowserSettings(timeout_ms=10_000),
        retry=RetrySettings(attempts=6, wait_initial_s=0.2, wait_max_s=1.0, document_wait_s=60),
    )
    settings = sandbox_settings(base, stormy, tmp_path / "data")
    # The server goes away for three seconds once the run is well under way.
    outage = threading.Timer(30.0, stormy.outage, args=(3.0,))
    outage.start()

    try:
        result = run_warranty(settings, exported_queue, workers=2)  # two workers share the night
    finally:
        outage.cancel()
        outage.join()

    outcomes = {o.key: o for o in result.outcomes}
    assert len(outcomes) == 15
    for key, words in REFUSED.items():
        assert outcomes[key].failure_kind == "métier" and words in outcomes[key].reason, outcomes[key]
    assert sorted(k for k, o in outcomes.items() if o.failure_kind == "métier") == sorted(REFUSED)
    eligible = [o for key, o in outcomes.items() if key not in REFUSED]
    assert len(eligible) == 9
    assert [o.key for o in eligible if o.result != "terminé"] == []
    bought = Counter(p.vin for p in stormy.state.purchases)
    assert sorted(bought.values()) == [1] * 9  # exactly once each
    with Ledger(settings.ledger_path) as ledger:
        for o in eligible:
            entry = ledger.get(o.key)
            assert entry is not None and entry.stage is Stage.DONE and bought[entry.vin] == 1
            assert Path(entry.pdf).exists()
    # The figures behind the closing note: what was injected and what the bot retried.
    log = (settings.runs_dir / result.run_id / "run.log.jsonl").read_text(encoding="utf-8").splitlines()
    retries = sum(1 for line in log if json.loads(line)["record"]["level"]["name"] == "WARNING")
    assert stormy.faults.total >= 20 and retries > 0
    print(f"\nrequêtes {stormy.faults.requests}, pannes injectées {dict(stormy.faults.injected)}, "
          f"nouvelles tentatives {retries}, durée {result.seconds:.0f} s")
