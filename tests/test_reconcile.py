"""`rpa reconcile`: the policies folder against the ledger and GuideWire, and `--fix`.

Unit tests build a folder with every kind of discrepancy from real PDFs (the sandbox's own
generator); the end-to-end test buys two policies on the sandbox, damages the folder and
checks that `--fix` leaves it clean with nothing lost.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from clirun import env_for, rpa
from openpyxl import load_workbook

from rpa.config import Settings
from rpa.flows.reconcile import reconcile
from rpa.flows.run import run_warranty
from rpa.policies.folder import compare, free_path, quarantine_dir, scan, to_quarantine
from rpa.sandbox.pdf import policy_pdf
from rpa.sandbox.seed import build_state
from rpa.sandbox.server import Sandbox
from rpa.sandbox.state import Policy
from rpa.sheets.queue import WarrantyItem
from rpa.store.ledger import Ledger, LedgerItem, Stage
from rpa.store.verdicts import VerdictCache

CODE = "865268J"
HTML = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"


def real_pdf(police: str) -> bytes:
    now = dt.datetime(2024, 5, 2, 10, 0)
    policy = Policy(numero=police, devis="1006185", vin="VF3CCHMZ6JT059716", immat="EG-702-HQ",
                    client="DUPONT", offer="GVO Premium 7 / 150", price=390.0, start=now.date(),
                    end=now.date(), issued_at=now, document_ready_at=now)
    return policy_pdf(policy, build_state().dealer)


def name(police: str) -> str:
    return f"FR-{CODE}_Policy_{police}-20240502.pdf"


def item(key: str, police: str, stage: Stage = Stage.DONE, pdf: str = "") -> LedgerItem:
    return LedgerItem(key=key, police=police, stage=stage, pdf=pdf)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Every kind of discrepancy at once, around two good files."""
    d = tmp_path / "policies"
    (d / "old").mkdir(parents=True)
    good1, good2 = real_pdf("0001000001"), real_pdf("0001000002")
    (d / name("0001000001")).write_bytes(good1)
    (d / name("0001000002")).write_bytes(good2)
    (d / "old" / name("0001000001")).write_bytes(good1)  # duplicate in a subfolder
    (d / name("0001000003")).write_bytes(real_pdf("0001000003")[:1000])  # truncated
    (d / name("0001000004")).write_bytes(HTML)  # an error page saved as .pdf
    (d / name("0001000005")).write_bytes(b"")  # empty
    (d / "Policy_0001000006.pdf").write_bytes(real_pdf("0001000006"))  # misnamed
    (d / name("0001000007")).write_bytes(real_pdf("0001000099"))  # text lacks its number
    (d / name("0001000008")).write_bytes(real_pdf("0001000008"))  # orphan: nobody knows it
    (d / "notes.txt").write_bytes(b"hello")  # neither a policy name nor a PDF
    return d


LEDGER = [
    item("A", "0001000001"), item("B", "0001000002"), item("C", "0001000003"),
    item("D", "0001000004", Stage.BOUGHT), item("E", "0001000005"), item("F", "0001000006"),
    item("G", "0001000007"), item("H", "0001000010"),  # H: bought, no file at all
    item("I", "", Stage.DECLARED),
]


def kinds(found: list[object]) -> set[tuple[str, str, str]]:
    return {(d.kind, d.police, d.file) for d in found}  # type: ignore[attr-defined]


def test_scan_reads_the_facts_of_every_file(folder: Path) -> None:
    files = {f.rel: f for f in scan(folder)}
    assert len(files) == 10
    good = files[name("0001000001")]
    assert (good.name_ok, good.police, good.code, good.date) == (True, "0001000001", CODE, "20240502")
    assert good.good and files[f"old/{name('0001000001')}"].good
    assert files[name("0001000003")].reason.startswith("PDF tronqué")
    assert files[name("0001000004")].reason == "page HTML enregistrée en .pdf"
    assert files[name("0001000005")].reason == "fichier vide"
    misnamed = files["Policy_0001000006.pdf"]
    assert (misnamed.name_ok, misnamed.police, misnamed.readable, misnamed.police_in_text) == (
        False, "0001000006", True, True)
    assert files[name("0001000007")].police_in_text is False
    assert not files["notes.txt"].readable and files["notes.txt"].police == ""


def test_compare_finds_every_kind(folder: Path) -> None:
    found = compare(scan(folder), LEDGER, None)
    assert kinds(found) == {
        ("doublon", "0001000001", f"old/{name('0001000001')}"),
        ("illisible", "0001000003", name("0001000003")),
        ("illisible", "0001000004", name("0001000004")),
        ("illisible", "0001000005", name("0001000005")),
        ("illisible", "", "notes.txt"),
        ("nom_invalide", "0001000006", "Policy_0001000006.pdf"),
        ("texte_sans_numero", "0001000007", name("0001000007")),
        ("pdf_inconnu", "0001000008", name("0001000008")),
        # bought, and no good file: each bad one needs a fresh download
        ("pdf_manquant", "0001000003", ""), ("pdf_manquant", "0001000004", ""),
        ("pdf_manquant", "0001000005", ""), ("pdf_manquant", "0001000006", ""),
        ("pdf_manquant", "0001000007", ""), ("pdf_manquant", "0001000010", ""),
    }
    orphan = next(d for d in found if d.kind == "pdf_inconnu")
    assert orphan.detail == "police inconnue du registre"


def test_unknown_says_to_whom(folder: Path) -> None:
    portal = {"0001000001", "0001000008", "0001000011"}
    found = compare(scan(folder), LEDGER, portal, vins={"0001000008": "VF3AAAAAAAA000008"})
    unknown = {d.police: d.detail for d in found if d.kind == "pdf_inconnu"}
    assert unknown == {"0001000002": "police inconnue de GuideWire"}
    # GuideWire's word counts as bought too: a police it holds that the ledger lacks was bought
    # outside the bot, with or without its PDF in the folder; never quarantined.
    outside = {(d.police, d.file): d for d in found if d.kind == "achetee_hors_rpa"}
    assert set(outside) == {("0001000008", name("0001000008")), ("0001000011", "")}
    assert "VF3AAAAAAAA000008" in outside["0001000008", name("0001000008")].detail
    assert not any(to_quarantine(d, True) for d in outside.values())


def test_the_best_file_is_kept_among_duplicates(tmp_path: Path) -> None:
    d = tmp_path / "p"
    (d / "a" / "b").mkdir(parents=True)
    pdf = real_pdf("0001000001")
    (d / "a" / "b" / name("0001000001")).write_bytes(pdf)
    (d / "a" / name("0001000001")).write_bytes(pdf)
    (d / "Policy_0001000001 copie.pdf").write_bytes(pdf)
    found = compare(scan(d), [item("A", "0001000001")], None)
    assert kinds(found) == {("doublon", "0001000001", f"a/b/{name('0001000001')}"),
                            ("nom_invalide", "0001000001", "Policy_0001000001 copie.pdf")}


def test_the_cache_spares_unchanged_files_and_sees_changed_ones(folder: Path, tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    cache = VerdictCache(ledger.store)
    first = scan(folder, cache)
    target = folder / name("0001000002")
    calls: list[int] = []
    import rpa.policies.folder as mod

    original = mod._check_many

    def counting(jobs: list[tuple[str, str]]) -> list[mod.Verdict]:
        calls.append(len(jobs))
        return original(jobs)

    mod._check_many = counting  # type: ignore[assignment]
    try:
        assert scan(folder, cache) == first and calls == [0]
        target.write_bytes(HTML)  # rewritten: new size and mtime
        again = {f.rel: f for f in scan(folder, cache)}
        assert calls == [0, 1] and again[name("0001000002")].reason == "page HTML enregistrée en .pdf"
    finally:
        mod._check_many = original  # type: ignore[assignment]
        ledger.close()
    assert oct((tmp_path / "ledger.sqlite3").stat().st_mode & 0o777) == "0o600"


def test_free_path_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"1")
    (tmp_path / "x-1.pdf").write_bytes(b"2")
    assert free_path(tmp_path / "x.pdf") == tmp_path / "x-2.pdf"
    assert quarantine_dir(tmp_path / "policies") == tmp_path / "policies-quarantaine"


def test_offline_fix_quarantines_and_keeps_everything(folder: Path, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    with Ledger(settings.ledger_path) as ledger:
        ledger.checkpoint("A", Stage.DONE, police="0001000001", pdf=str(folder / f"old/{name('0001000001')}"))
        ledger.checkpoint("B", Stage.DONE, police="0001000002")
    before = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    result = reconcile(settings, folder, fix=True, offline=True, out=tmp_path / "r.xlsx")
    assert result.remaining == [] and result.exit_code == 0 and result.lost == []
    quarantine = quarantine_dir(folder)
    kept = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert kept == {name("0001000001"), name("0001000002")}
    moved = {p.relative_to(quarantine).as_posix(): p.read_bytes() for p in quarantine.rglob("*") if p.is_file()}
    for rel, data in before.items():  # nothing lost: each file is in DIR or in quarantine
        assert rel in kept or moved.get(rel) == data, rel
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in quarantine.rglob("*") if p.is_file())
    assert oct(quarantine.stat().st_mode & 0o777) == oct((quarantine / "old").stat().st_mode & 0o777) == "0o700"
    with Ledger(settings.ledger_path) as ledger:  # its file was the duplicate: relinked
        assert ledger.get("A").pdf == str(folder / name("0001000001"))  # type: ignore[union-attr]
    sheet = load_workbook(tmp_path / "r.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("Type", "Libellé", "Police", "Fichier", "Détail", "Action")
    assert {r[0] for r in rows[1:]} == {"doublon", "illisible", "nom_invalide", "texte_sans_numero", "pdf_inconnu"}
    assert all(str(r[5]).startswith("mis en quarantaine → ") for r in rows[1:])


# -- end to end, against the sandbox ------------------------------------------------------------


def test_reconcile_against_the_sandbox_then_fix(sandbox: Sandbox, settings: Settings, tmp_path: Path) -> None:
    bought = run_warranty(settings, [WarrantyItem(row=2, vo_vendu="59716"), WarrantyItem(row=3, vo_vendu="60226")])
    assert [o.result for o in bought.outcomes] == ["terminé", "terminé"]
    p1, p2 = (o.police for o in bought.outcomes)
    pdf1, pdf2 = (Path(o.pdf) for o in bought.outcomes)
    d = settings.policies_dir
    good2 = pdf2.read_bytes()
    pdf1.unlink()  # bought, PDF lost
    (d / "archive").mkdir()
    shutil.copy(pdf2, d / "archive" / pdf2.name)  # duplicate
    (d / f"FR-{CODE}_Policy_{p2}-20200101.pdf").write_bytes(good2[: len(good2) // 2])  # truncated
    (d / f"FR-{CODE}_Policy_{p2}-20200102.pdf").write_bytes(HTML)  # HTML saved as .pdf
    (d / f"copie police {p2}.pdf").write_bytes(good2)  # misnamed
    (d / f"FR-{CODE}_Policy_{p1}-20200103.pdf").write_bytes(good2)  # text lacks its number
    (d / name("0009999999")).write_bytes(real_pdf("0009999999"))  # orphan
    before = {p.relative_to(d).as_posix(): p.read_bytes() for p in d.rglob("*") if p.is_file()}

    env = env_for(settings)
    check = rpa("reconcile", "--out", str(tmp_path / "check.xlsx"), env=env, cwd=tmp_path)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "pdf_manquant" in check.stdout and settings.guidewire.password.get_secret_value() not in check.stdout + check.stderr

    result = reconcile(settings, fix=True)
    assert kinds(result.found) == {
        ("pdf_manquant", p1, ""),
        ("doublon", p2, f"archive/{pdf2.name}"),
        ("illisible", p2, f"FR-{CODE}_Policy_{p2}-20200101.pdf"),
        ("illisible", p2, f"FR-{CODE}_Policy_{p2}-20200102.pdf"),
        ("nom_invalide", p2, f"copie police {p2}.pdf"),
        ("texte_sans_numero", p1, f"FR-{CODE}_Policy_{p1}-20200103.pdf"),
        ("pdf_inconnu", "0009999999", name("0009999999")),
    }
    orphan = next(x for x in result.found if x.kind == "pdf_inconnu")
    assert orphan.detail == "police inconnue du registre et de GuideWire"
    assert next(x for x in result.found if x.kind == "pdf_manquant").action == f"téléchargé → {pdf1.name}"
    assert result.remaining == [] and result.exit_code == 0 and result.lost == []
    assert {p.name for p in d.rglob("*") if p.is_file()} == {pdf1.name, pdf2.name}
    assert p1 in pdf1.read_bytes().decode("latin-1") or pdf1.stat().st_size > 1000
    quarantine = quarantine_dir(d)
    moved = {p.relative_to(quarantine).as_posix(): p.read_bytes() for p in quarantine.rglob("*") if p.is_file()}
    for rel, data in before.items():
        assert (d / rel).exists() or moved.get(rel) == data, rel
    with Ledger(settings.ledger_path) as ledger:
        entry = ledger.get("59716")
        assert entry is not None and entry.stage is Stage.DONE and entry.pdf == str(pdf1)

    clean = rpa("reconcile", env=env, cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Aucun écart" in clean.stdout
    offline = rpa("reconcile", "--offline", env={**env, "RPA_GUIDEWIRE__URL": ""}, cwd=tmp_path)
    assert offline.returncode == 0, offline.stdout + offline.stderr
    usage = rpa("reconcile", env={**env, "RPA_GUIDEWIRE__URL": ""}, cwd=tmp_path)
    assert usage.returncode == 2 and "--offline" in usage.stderr
