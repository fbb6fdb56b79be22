"""The warranty chain end to end, in real Chromium against the sandbox.

Every awkward case of the seed world is here, each recorded in the portal's own words,
and the money rule is checked on the sandbox's own records: one purchase per vehicle,
whatever was retried or crashed in between.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loguru import logger
from pypdf import PdfReader

from rpa.config import Settings
from rpa.flows.run import run_warranty
from rpa.policies.filing import POLICY_NAME_RE
from rpa.runs.outcome import Outcome
from rpa.sandbox.server import Sandbox
from rpa.sheets.queue import WarrantyItem, read_queue
from rpa.store.ledger import Ledger, Stage

pytestmark = pytest.mark.e2e


def items(*keys: str, **fields: dict[str, str]) -> list[WarrantyItem]:
    return [WarrantyItem(row=i + 2, vo_vendu=k, fields=fields.get(f"f{k}", {})) for i, k in enumerate(keys)]


def by_key(outcomes: list[Outcome]) -> dict[str, Outcome]:
    return {o.key: o for o in outcomes}


def purchases(sandbox: Sandbox, vin: str | None = None) -> int:
    return sum(1 for p in sandbox.state.purchases if vin is None or p.vin == vin)


def test_one_vehicle_end_to_end_then_a_rerun_buys_nothing(sandbox: Sandbox, settings: Settings) -> None:
    first = run_warranty(settings, items("59716"))
    (outcome,) = first.outcomes
    assert (outcome.result, outcome.failure_kind, outcome.reason) == ("terminé", "", "")
    policy = sandbox.state.policies[-1]
    assert outcome.police == policy.numero and outcome.devis == policy.devis
    assert outcome.vin == "VF3CCHMZ6JT059716" and outcome.immat == "EG-702-HQ"
    pdf = Path(outcome.pdf)
    assert pdf.parent == settings.policies_dir
    assert POLICY_NAME_RE.match(pdf.name) and policy.numero in pdf.name
    assert policy.numero in PdfReader(pdf).pages[0].extract_text()
    assert oct(pdf.stat().st_mode & 0o777) == "0o600"
    # The Profil page was configured on this first declaration, from settings.
    assert sandbox.state.garantisseurs == ["Garantie Stellantis Assurance"]
    assert purchases(sandbox) == 1 and first.exit_code == 0

    again = run_warranty(settings, items("59716"))
    assert [o.result for o in again.outcomes] == ["déjà fait"]
    assert purchases(sandbox) == 1 and len(sandbox.state.declarations) == 3


def test_awkward_cases_fail_in_the_portals_words_and_the_queue_goes_on(
    sandbox: Sandbox, settings: Settings
) -> None:
    result = run_warranty(settings, items("VINCE05", "VINCE02", "VINCE07", "VINCE08", "VINCE09", "VINCE10", "60226"))
    got = by_key(result.outcomes)
    expected = {
        "VINCE05": "Le champ adresse est obligatoire ; Le champ code postal est obligatoire ; "
                   "Le champ ville est obligatoire",
        "VINCE02": "Code RRD1 SPOTICAR manquant pour le site CHARTRES",
        "VINCE07": "Aucune offre GuideWire configurée pour « SPOTICAR ADVANCED|36 mois » (RPA_GUIDEWIRE__OFFERS)",
        "VINCE08": "Bon de commande 74613 non clôturé (statut : En cours)",
        "VINCE09": "Ce devis a expiré",
        "VINCE10": "Bon de commande 74615 : aucune garantie Spoticar / DS Certified (Garantie : «  »)",
    }
    for key, reason in expected.items():
        assert (got[key].result, got[key].failure_kind, got[key].reason) == ("échec", "métier", reason), key
    assert got["60226"].result == "terminé" and not got["60226"].screenshot
    assert result.exit_code == 1
    # Each failure left a picture of the screen it happened on.
    for key in expected:
        shot = Path(got[key].screenshot)
        assert shot.parent == settings.runs_dir / result.run_id / "screenshots"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and oct(shot.stat().st_mode & 0o777) == "0o600"
    # …and the run's self-contained report carries the reasons, the pictures and the PDF link.
    report = (settings.runs_dir / result.run_id / "rapport.html").read_text(encoding="utf-8")
    assert "Code RRD1 SPOTICAR manquant pour le site CHARTRES" in report
    assert report.count("data:image/png;base64,") == len(expected)
    assert f"../../policies/{Path(got['60226'].pdf).name}" in report
    # Nothing was bought for a refused vehicle; the unmapped offer created no devis either.
    assert [p.vin for p in sandbox.state.purchases] == ["VF3MRHNS6KS060226"]
    assert not any(d.vin == "VF3MJAHXVLS071407" for d in sandbox.state.declarations)
    # The expired devis stays where it was: declared, never bought.
    with Ledger(settings.ledger_path) as ledger:
        vince09 = ledger.get("VINCE09")
        assert vince09 is not None and vince09.stage is Stage.DECLARED and vince09.devis == "0001006186"


def test_already_declared_vehicle_is_completed_with_its_existing_devis(
    sandbox: Sandbox, settings: Settings
) -> None:
    (outcome,) = run_warranty(settings, items("001003972")).outcomes
    assert outcome.result == "terminé" and outcome.devis == "0001006185"
    assert len(sandbox.state.declarations) == 2  # nothing declared twice
    assert purchases(sandbox, "VF3CCHMZ0DT003972") == 1


def test_missing_customer_data_is_filled_from_the_queue_row(sandbox: Sandbox, settings: Settings) -> None:
    address = {"Adresse": "8 RUE DES FLEURS", "Code Postal": "64000", "Ville": "PAU", "Nom": "laurent"}
    (outcome,) = run_warranty(settings, items("VINCE05", fVINCE05=address)).outcomes
    assert outcome.result == "terminé", outcome.reason
    declared = sandbox.state.declaration_for_vin("VF3CCZMZ6KT071205")
    assert declared is not None
    fields = {k.rstrip("*"): v for k, v in declared.fields.items()}
    assert (fields["Adresse"], fields["Code Postal"], fields["Ville"], fields["Nom"]) == (
        "8 RUE DES FLEURS", "64000", "PAU", "LAURENT")  # a pre-filled value is never overwritten


def test_a_prefilled_value_that_disagrees_stops_the_vehicle(sandbox: Sandbox, settings: Settings) -> None:
    (outcome,) = run_warranty(settings, items("59716", f59716={"Nom": "MARTIN", "Email": "x@example.fr"})).outcomes
    assert outcome.failure_kind == "métier"
    assert outcome.reason == "Champ « Nom » : le formulaire indique « DUPONT », la file de travail « MARTIN »"
    assert sandbox.state.declaration_for_vin("VF3CCHMZ6JT059716") is None


def test_crash_between_oui_and_its_checkpoint_never_buys_twice(sandbox: Sandbox, settings: Settings) -> None:
    run_warranty(settings, items("60301"))
    with Ledger(settings.ledger_path) as ledger:
        # As if the run died right after clicking `Oui`: intent recorded, outcome not.
        ledger.checkpoint("60301", Stage.BUYING, police="", pdf="")
    (outcome,) = run_warranty(settings, items("60301")).outcomes
    assert outcome.result == "terminé"
    assert purchases(sandbox, "VF7SXHMZ6KT060301") == 1
    with Ledger(settings.ledger_path) as ledger:
        assert "police trouvée sur GuideWire" in [e[2] for e in ledger.events("60301")]


def test_crash_after_declaring_finds_the_declaration_on_accueil(sandbox: Sandbox, settings: Settings) -> None:
    run_warranty(settings, items("60412"))
    with Ledger(settings.ledger_path) as ledger:
        ledger.checkpoint("60412", Stage.DECLARING, devis="", police="", pdf="")
    (outcome,) = run_warranty(settings, items("60412")).outcomes
    assert outcome.result == "terminé"
    assert sum(1 for d in sandbox.state.declarations if d.vin == "VF3UPHNS2LS060412") == 1
    assert purchases(sandbox, "VF3UPHNS2LS060412") == 1
    with Ledger(settings.ledger_path) as ledger:
        assert "retrouvé dans Accueil" in [e[2] for e in ledger.events("60412")]


def test_guidewire_session_expiry_is_signed_in_again_transparently(
    sandbox: Sandbox, settings: Settings
) -> None:
    # Every GuideWire session dies after 25 requests: less than two vehicles need.
    sandbox.guidewire_expire_after_requests = 25
    patient = settings.model_copy(update={"retry": settings.retry.model_copy(update={"attempts": 3})})
    seen: list[str] = []
    sink = logger.add(lambda m: seen.append(str(m)), level="WARNING")
    try:
        result = run_warranty(patient, items("60455", "60501", "60544"))
    finally:
        logger.remove(sink)
    assert any("la session a expiré" in line for line in seen)
    assert [o.result for o in result.outcomes] == ["terminé", "terminé", "terminé"]
    assert purchases(sandbox) == 3


def test_a_late_pdf_is_a_system_failure_that_the_next_run_completes(
    sandbox: Sandbox, settings: Settings
) -> None:
    sandbox.state.document_delay_seconds = 3600
    quick = settings.model_copy(update={"retry": settings.retry.model_copy(update={"document_wait_s": 1})})
    (late, nxt) = run_warranty(quick, items("60544", "60388")).outcomes
    assert (late.result, late.failure_kind, late.stage) == ("échec", "système", "bought")
    assert "pas encore disponible" in late.reason
    assert nxt.failure_kind == "système"  # the queue went on to the next vehicle
    for policy in sandbox.state.policies:
        policy.document_ready_at = policy.issued_at
    result = run_warranty(settings, items("60544", "60388"))
    assert [o.result for o in result.outcomes] == ["terminé", "terminé"]
    assert purchases(sandbox) == 2


def test_duplicate_rows_are_done_once(sandbox: Sandbox, settings: Settings, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["N°", "Vo Vendu", "Acheteur"])
    sheet.append(["74601", "59716", "DUPONT"])
    sheet.append(["74601", "59716", "DUPONT"])
    wb.save(tmp_path / "q.xlsx")
    result = run_warranty(settings, read_queue(tmp_path / "q.xlsx"))
    assert [(o.row, o.result) for o in result.outcomes] == [(2, "terminé"), (3, "doublon")]
    assert purchases(sandbox) == 1


def test_three_workers_share_a_queue_and_buy_each_vehicle_once(sandbox: Sandbox, settings: Settings) -> None:
    keys = ("59716", "60226", "60301", "60388", "60412", "VINCE08")
    result = run_warranty(settings, items(*keys), workers=3)
    got = by_key(result.outcomes)
    assert sorted(got) == sorted(keys)
    assert [k for k, o in got.items() if o.result != "terminé"] == ["VINCE08"]
    assert purchases(sandbox) == 5 and len({p.vin for p in sandbox.state.purchases}) == 5
    log = (settings.runs_dir / result.run_id / "run.log.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line)["record"] for line in log]
    finishers = {r["extra"]["worker"] for r in records if r["message"] == "terminé"}
    assert len(finishers) >= 2, finishers  # the work was shared, one browser for all
