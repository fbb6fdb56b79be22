"""The shared ledger on a real PostgreSQL server (started by the test, Debian's binaries):
the same checkpoints as on SQLite, claims as row locks taken with SKIP LOCKED, and two
`rpa warranty` processes, as two machines would, working one queue: every vehicle is
declared and bought exactly once."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import env_for
from postgres import postgres_server
from workbooks import write_rows

from rpa.config import Settings
from rpa.runs.archive import load_summaries
from rpa.sandbox.server import Sandbox
from rpa.store.ledger import Ledger, Stage
from rpa.store.removals import RemovalRecords
from rpa.store.verdicts import Verdict, VerdictCache

ELIGIBLE = ["59716", "60226", "60301", "60388", "60412", "60455"]


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture
def ledger_url(pg_url: str, request: pytest.FixtureRequest) -> str:
    """A database of its own for each test, on the module's server."""
    import psycopg

    name = "t_" + request.node.name.lower().replace("[", "_").replace("]", "")[:50]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')  # type: ignore[arg-type]
        admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    return pg_url.rsplit("/", 1)[0] + "/" + name


def test_checkpoints_and_failures_on_postgres(ledger_url: str) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.ensure("59716", bdc="74601")
        ledger.checkpoint("59716", Stage.DECLARING, vin="VF3CCHMZ6JT059716")
        ledger.checkpoint("59716", Stage.DECLARED, devis="0001006187")
        ledger.record_failure("59716", "système", "portail indisponible")
    with Ledger(ledger_url) as ledger:  # another connection, as another machine would see it
        item = ledger.find_by_vin("VF3CCHMZ6JT059716")
        assert item is not None and (item.stage, item.bdc, item.devis, item.error) == (
            Stage.DECLARED, "74601", "0001006187", "portail indisponible")
        assert [e[1] for e in ledger.events("59716")] == ["declaring", "declared", "failed"]
        assert [i.key for i in ledger.all()] == ["59716"]


@pytest.mark.parametrize("where", ["sqlite", "postgres"])
def test_removal_records_and_pdf_verdicts_follow_the_ledger(where: str, ledger_url: str, tmp_path: Path) -> None:
    """Everything the bot remembers is on the ledger's store: on a shared server, another
    machine sees the removal records and the verdicts of the policies folder."""
    location: Path | str = ledger_url if where == "postgres" else tmp_path / "ledger.sqlite3"
    big = 1_733_241_600_123_456_789  # an mtime in nanoseconds: more than 32 bits
    with Ledger(location) as ledger:
        records = RemovalRecords(ledger.store)
        records.request_intent(["VF1AAAA", "VF1BBBB"], "demande.xlsx")
        records.request_done(["VF1AAAA"], "D42")
        records.save_snapshot([("D42", "VF1AAAA", "Prévenu")])
        records.save_snapshot([("D42", "VF1AAAA", "Acceptée")])  # the same line again: updated
        records.action("VF1AAAA", "Accepter", "intent")
        VerdictCache(ledger.store).store([("/p/a.pdf", 10, big, "0001000001", Verdict(True, "", True)),
                                          ("/q/b.pdf", 11, big, "", Verdict(False, "vide", None))])
    with Ledger(location) as other:  # another connection, as another machine would see it
        records = RemovalRecords(other.store)
        assert records.unconfirmed() == ["VF1BBBB"]
        assert records.snapshot() == {("D42", "VF1AAAA"): "Acceptée"}
        assert records.actions("VF1AAAA") == [("Accepter", "intent")]
        cache = VerdictCache(other.store)
        assert cache.load("/p/") == {"/p/a.pdf": (10, big, "0001000001", Verdict(True, "", True))}
        cache.forget("/q/", keep=set())
        assert cache.load("/q/") == {}
    if where == "postgres":  # a line one machine acts on is held from the others meanwhile
        with Ledger(location) as one, Ledger(location) as two:
            assert RemovalRecords(one.store).claim("VF1AAAA-Accepter-L2", "host:1:w0") is None
            assert RemovalRecords(two.store).claim("VF1AAAA-Accepter-L2", "host:2:w0") == "host:1:w0"


def test_a_claim_is_a_row_lock_skipped_by_others_and_dropped_with_its_holder(ledger_url: str) -> None:
    with Ledger(ledger_url) as one, Ledger(ledger_url) as two:
        assert one.claim("59716", "poste-a:1:w0") is None
        assert two.claim("59716", "poste-b:2:w0") == "poste-a:1:w0"  # skipped, not waited for
        assert one.claim("59716", "poste-a:1:w0") is None  # the holder may renew it
        one.release("59716", "poste-a:1:w0")
        assert two.claim("59716", "poste-b:2:w0") is None
        two.release("59716", "poste-b:2:w0")
        # A worker killed holding a claim: its connection goes, and the lock with it, at once.
        with subprocess.Popen(
            [sys.executable, "-c",
             "import sys; from rpa.store.ledger import Ledger; ledger = Ledger(sys.argv[1]);"
             "assert ledger.claim('60226', 'poste-c:9:w0') is None; print('held', flush=True);"
             "sys.stdin.readline()", ledger_url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            assert one.claim("60226", "poste-a:1:w0") == "poste-c:9:w0"
            holder.kill()
            holder.wait(timeout=10)
        assert one.claim("60226", "poste-a:1:w0") is None


@pytest.mark.e2e
@pytest.mark.slow
def test_two_machines_on_one_postgres_ledger_buy_each_vehicle_exactly_once(
    sandbox: Sandbox, settings: Settings, ledger_url: str, tmp_path: Path
) -> None:
    # Both machines are given the same queue in the same order: they meet on every vehicle.
    write_rows(tmp_path / "queue.xlsx", [["Vo Vendu"], *([k] for k in ELIGIBLE)])
    machines = []
    for name in ("poste-a", "poste-b"):
        env = env_for(settings) | {"RPA_LEDGER_URL": ledger_url,
                                   "RPA_DATA_DIR": str(tmp_path / name), "RPA_WORKERS": "2"}
        machines.append(subprocess.Popen(
            [sys.executable, "-m", "rpa", "warranty", "--queue", str(tmp_path / "queue.xlsx")],
            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for proc in machines:
        output, _ = proc.communicate(timeout=400)
        assert proc.returncode in (0, 1), output  # 1: some vehicles were left to the other

    bought = Counter(p.vin for p in sandbox.state.purchases)
    declared = Counter(d.vin for d in sandbox.state.declarations)
    assert len(bought) == len(ELIGIBLE) and set(bought.values()) == {1}, bought
    assert set(declared.values()) == {1}, declared
    with Ledger(ledger_url) as ledger:
        for key in ELIGIBLE:
            entry = ledger.get(key)
            assert entry is not None and entry.stage is Stage.DONE and bought[entry.vin] == 1, entry
            assert Path(entry.pdf).exists()

    # Each vehicle was worked on by exactly one machine; the other found it done or taken.
    finished: dict[str, list[str]] = {key: [] for key in ELIGIBLE}
    for name in ("poste-a", "poste-b"):
        (summary,) = load_summaries(tmp_path / name / "runs")
        for outcome in summary.outcomes:
            assert outcome.result in ("terminé", "déjà fait", "pris ailleurs"), outcome
            if outcome.result == "terminé":
                finished[outcome.key].append(name)
    assert all(len(names) == 1 for names in finished.values()), finished
    share = Counter(names[0] for names in finished.values())
    assert set(share) == {"poste-a", "poste-b"}, f"one machine did everything: {share}"
    print(f"\npartage de la file : {dict(share)}, {sum(bought.values())} achats pour "
          f"{len(ELIGIBLE)} véhicules")


def test_a_ledger_server_lost_mid_run_is_a_system_failure_in_the_bots_words(ledger_url: str) -> None:
    import psycopg

    from rpa.core.errors import LedgerUnavailable

    with Ledger(ledger_url) as ledger:
        ledger.ensure("59716")
        with psycopg.connect(ledger_url, autocommit=True) as admin:  # the server drops us
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        with pytest.raises(LedgerUnavailable, match="ledger PostgreSQL injoignable"):
            ledger.checkpoint("59716", Stage.DECLARING)
