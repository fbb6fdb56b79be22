"""A dealer group: one GuideWire account per point of sale, and policies bought by hand.

The sandbox's second point of sale (`points_of_sale=2`: site AM02, its own PSA account and
its own BDCs) lets a queue mixing both sites prove that every policy is bought, searched and
filed under its own site's account, and never under the other's. A policy bought by hand,
which GuideWire holds and the ledger does not, makes reconcile converge: reported once,
filed and recorded by `--fix`, clean afterwards, and never bought by the chain.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rpa.config import GuideWireAccount, Settings, TracePolicy
from rpa.flows.reconcile import GuideWireSide, reconcile
from rpa.flows.run import run_warranty
from rpa.sandbox.seed import buy_by_hand
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sheets.queue import WarrantyItem
from rpa.store.ledger import OUTSIDE, Ledger, Stage

pytestmark = pytest.mark.e2e


@pytest.fixture
def group(tmp_path: Path) -> Iterator[Sandbox]:
    with create_sandbox(tmp_path / "sandbox-state.json", points_of_sale=2) as box:
        box.state.document_delay_seconds = 0.5
        yield box


@pytest.fixture
def group_settings(group: Sandbox, settings_for: Callable[[Sandbox], Settings]) -> Settings:
    return settings_for(group)


def test_each_site_buys_under_its_own_account_and_files_apart(group: Sandbox, group_settings: Settings) -> None:
    settings = group_settings.model_copy(update={"trace": TracePolicy.ALWAYS})
    assert set(settings.guidewire.accounts) == {"PE64", "AM02"}
    queue = [WarrantyItem(row=2, vo_vendu="59716"), WarrantyItem(row=3, vo_vendu="AMN01"),
             WarrantyItem(row=4, vo_vendu="60226"), WarrantyItem(row=5, vo_vendu="AMN02")]
    result = run_warranty(settings, queue, workers=2)
    assert [(o.key, o.result) for o in result.outcomes] == [(i.vo_vendu, "terminé") for i in queue], result.outcomes

    state = group.state
    by_vin = {v.vin: v for v in state.vehicles}
    assert len(state.policies) == 4
    for policy in state.policies:  # bought by the account of the vehicle's own site, never another
        own = state.account_for_vehicle(by_vin[policy.vin]).username
        assert policy.account == own and policy.bought_by == own, policy
    assert sorted(p.bought_by for p in state.purchases).count(state.points_of_sale["AM02"].username) == 2

    with Ledger(settings.ledger_path) as ledger:
        for key, site in (("59716", "PE64"), ("60226", "PE64"), ("AMN01", "AM02"), ("AMN02", "AM02")):
            entry = ledger.get(key)
            assert entry is not None and entry.stage is Stage.DONE and entry.account == site
            assert Path(entry.pdf).parent == settings.policies_dir / site  # filed per point of sale

    # A vehicle's trace holds every context it went through: Planet VO's, and its site's GuideWire.
    amn01 = next(o for o in result.outcomes if o.key == "AMN01")
    entries = zipfile.ZipFile(amn01.trace).namelist()
    assert {"trace.trace", "AM02-trace.trace", "AM02-trace.network"} <= set(entries)

    after = reconcile(settings)
    assert after.found == [] and after.exit_code == 0


def test_a_site_without_an_account_is_refused_before_anything_is_declared(
    group: Sandbox, group_settings: Settings
) -> None:
    settings = group_settings.model_copy(update={"guidewire": group_settings.guidewire.model_copy(
        update={"accounts": {"PE64": group_settings.guidewire.accounts["PE64"]}})})
    result = run_warranty(settings, [WarrantyItem(row=2, vo_vendu="AMN01"), WarrantyItem(row=3, vo_vendu="59716")])
    refused, done = result.outcomes
    assert refused.result == "échec" and refused.failure_kind == "métier"
    assert "Aucun compte GuideWire pour le point de vente SPOTICAR AMIENS NORD" in refused.reason
    assert done.result == "terminé"
    amn01 = next(v for v in group.state.vehicles if v.police == "AMN01")
    assert group.state.declaration_for_vin(amn01.vin) is None and not group.state.policies_for_vin(amn01.vin)


def test_a_policy_bought_by_hand_is_reported_filed_recorded_then_clean(
    group: Sandbox, group_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = group_settings
    policy = buy_by_hand(group.state, "60226")
    purchases = len(group.state.purchases)

    first = reconcile(settings)
    assert [(d.kind, d.police, d.file) for d in first.found] == [("achetee_hors_rpa", policy.numero, "")]
    assert policy.vin in first.found[0].detail and first.exit_code == 1

    fixed = reconcile(settings, fix=True)
    assert fixed.remaining == [] and fixed.exit_code == 0, fixed.remaining
    filed = list((settings.policies_dir / "PE64").glob(f"*{policy.numero}*.pdf"))
    assert len(filed) == 1
    with Ledger(settings.ledger_path) as ledger:
        entry = ledger.get(f"{OUTSIDE}{policy.numero}")
        assert entry is not None and entry.stage is Stage.DONE and entry.vin == policy.vin
        assert entry.pdf == str(filed[0]) and entry.account == "PE64"

    searches: list[str] = []
    original = GuideWireSide._search

    def counting(side: GuideWireSide, police: str):  # type: ignore[no-untyped-def]
        searches.append(police)
        return original(side, police)

    monkeypatch.setattr(GuideWireSide, "_search", counting)
    second = reconcile(settings)
    assert second.found == [] and second.exit_code == 0
    before = {p: p.stat().st_mtime_ns for p in settings.policies_dir.rglob("*") if p.is_file()}
    third = reconcile(settings, fix=True)
    assert third.found == [] and third.exit_code == 0
    assert {p: p.stat().st_mtime_ns for p in settings.policies_dir.rglob("*") if p.is_file()} == before
    assert searches == []  # what the first searches learned is kept in the ledger

    declarations = len(group.state.declarations)
    again = run_warranty(settings, [WarrantyItem(row=2, vo_vendu="60226")])
    assert again.outcomes[0].result in ("terminé", "déjà fait"), again.outcomes[0]
    assert again.outcomes[0].police == policy.numero
    assert len(group.state.purchases) == purchases  # never bought by the chain
    assert len(group.state.declarations) == declarations  # nor declared again


def test_accounts_setting_reads_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RPA_GUIDEWIRE__ACCOUNTS", '{"PE64": {"username": "pau@psa.fr", "password": "secret-pau"},'
                       ' "SPOTICAR AMIENS NORD": {"username": "amiens@psa.fr", "password": "secret-amiens"},'
                       ' "FR10412": {"username": "garage@psa.fr", "password": "secret-garage"}}')
    gw = Settings(_env_file=None).guidewire  # type: ignore[call-arg]
    assert gw.accounts["PE64"] == GuideWireAccount(username="pau@psa.fr", password="secret-pau")  # type: ignore[arg-type]
    assert gw.account_for("AM02", "Spoticar Amiens Nord", "FR10777") == "SPOTICAR AMIENS NORD"  # by libellé
    assert gw.account_for("100", "GARAGE PEUGEOT", "FR10412") == "FR10412"  # by Code RRD1
    assert gw.account_for("FO28", "CHARTRES", "") is None
    assert "secret-amiens" in Settings(_env_file=None).secret_values()  # type: ignore[call-arg]
