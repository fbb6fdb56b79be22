"""The command line as an operator uses it: real processes, real exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from clirun import env_for, rpa
from openpyxl import Workbook, load_workbook

from rpa.config import Settings
from rpa.sandbox.server import Sandbox

pytestmark = pytest.mark.e2e


def test_one_vehicle_by_plate_exits_0_and_files_the_pdf(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    sandbox.state.document_delay_seconds = 0.5
    done = rpa("warranty", "--immat", "eg702hq", env=env_for(settings), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    police = sandbox.state.policies[-1].numero
    assert police in done.stdout and "terminé" in done.stdout
    assert list(settings.policies_dir.glob(f"FR-865268J_Policy_{police}-*.pdf"))
    # Nobody's password in what the operator sees.
    assert settings.guidewire.password.get_secret_value() not in done.stdout + done.stderr
    assert settings.planetvo.password.get_secret_value() not in done.stdout + done.stderr


def test_one_vehicle_by_bdc_that_is_not_closed_exits_1(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    failed = rpa("warranty", "--bdc", "74613", env=env_for(settings), cwd=tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Bon de commande 74613 non clôturé (statut : En cours)" in failed.stdout
    runs = list((settings.data_dir / "runs").glob("*/resultats.xlsx"))
    assert len(runs) == 1
    sheet = load_workbook(runs[0]).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]]))
    assert (row["Vo Vendu"], row["Résultat"], row["Type d'échec"]) == ("VINCE08", "échec", "métier")


def test_one_vehicle_by_vin_and_a_queue_file(sandbox: Sandbox, settings: Settings, tmp_path: Path) -> None:
    by_vin = rpa("warranty", "--vin", "VF3MRHNS6KS060226", env=env_for(settings), cwd=tmp_path)
    assert by_vin.returncode == 0, by_vin.stdout + by_vin.stderr
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["N°", "Statut", "Acheteur", "Vo Vendu", "Site VO Vendu"])
    sheet.append(["74602", "Cloturé", "MARTIN", "60226", "DEMO CDDS SPOTICAR"])
    sheet.append(["74603", "Cloturé", "BERNARD", "60301", "DEMO CDDS SPOTICAR"])
    wb.save(tmp_path / "queue.xlsx")
    queue = rpa("warranty", "--queue", "queue.xlsx", env=env_for(settings), cwd=tmp_path)
    assert queue.returncode == 0, queue.stdout + queue.stderr
    assert "déjà fait : 1" in queue.stdout and "terminé : 1" in queue.stdout
    assert len(sandbox.state.purchases) == 2


def test_bad_input_and_bad_usage_exit_2_and_attempt_nothing(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    env = env_for(settings)
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["Vo Vendu", "VIN"])
    sheet.append(["59716", "VF3CCHMZ6JT059716"])
    sheet.append(["60226", "TOO-SHORT"])
    wb.save(tmp_path / "bad.xlsx")
    bad = rpa("warranty", "--queue", "bad.xlsx", env=env, cwd=tmp_path)
    assert bad.returncode == 2
    assert "bad.xlsx, ligne 3, colonne « VIN »" in bad.stderr
    assert not sandbox.state.purchases and len(sandbox.state.declarations) == 2

    assert rpa("warranty", env=env, cwd=tmp_path).returncode == 2
    assert rpa("warranty", "--immat", "X", "--vin", "Y", env=env, cwd=tmp_path).returncode == 2
    assert rpa("warranty", "--no-such-flag", env=env, cwd=tmp_path).returncode == 2

    no_urls = {k: v for k, v in env.items() if not k.endswith("__URL")}
    missing = rpa("warranty", "--bdc", "74601", env=no_urls, cwd=tmp_path)
    assert missing.returncode == 2 and "rpa demo" in missing.stderr

    wrong = dict(env, RPA_PLANETVO__PASSWORD="wrong-password")
    refused = rpa("warranty", "--bdc", "74601", env=wrong, cwd=tmp_path)
    assert refused.returncode == 2 and "Identifiant ou mot de passe incorrect" in refused.stderr
    assert "wrong-password" not in refused.stdout + refused.stderr


def test_sandbox_command_prints_urls_and_credentials(tmp_path: Path) -> None:
    with subprocess.Popen([sys.executable, "-m", "rpa", "sandbox", "--port", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp_path) as proc:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(8)]
        proc.terminate()
    text = "".join(lines)
    assert "Planet VO" in text and "GuideWire" in text and "hakim.ab" in text
