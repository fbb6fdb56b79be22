"""No password in any artifact of a run, and every artifact private.

A run is made to sign in as often and as awkwardly as it can: the garantisseur dialog's own
password, GuideWire signing out every 15 requests (so sign-ins happen inside vehicles'
traces), traces kept for every vehicle, a failure screenshot. Then every file of the data
folder is searched, archives (traces, workbooks) unzipped, together with the console output,
for each password in each spelling it could take.
"""

from __future__ import annotations

import base64
import stat
import zipfile
from pathlib import Path

import pytest
from clirun import env_for, rpa
from workbooks import write_rows

from rpa.config import Settings
from rpa.core.secrets import secret_spellings
from rpa.sandbox.server import Sandbox

pytestmark = pytest.mark.e2e

DIALOG_PASSWORD = "Garant-Pw&42"
TRAQUEUR_PASSWORD = "Tq-Unused%7"
SMTP_PASSWORD = "Smtp-Relay+9"


def spellings(secret: str) -> set[bytes]:
    """Every spelling the tracer masks, plus base64 at the three alignments."""
    raw = secret.encode()
    encoded = {base64.b64encode(b"x" * pad + raw)[4 if pad else 0:][:len(raw)] for pad in range(3)}
    return secret_spellings(secret) | {e for e in encoded if len(e) >= 8}


def blobs(root: Path) -> dict[str, bytes]:
    """Every file under `root`, and every member of every archive, by name."""
    found: dict[str, bytes] = {}
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found[str(path)] = data
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    found[f"{path}!{member}"] = archive.read(member)
    return found


def test_no_password_in_any_artifact_of_a_run(sandbox: Sandbox, settings: Settings, tmp_path: Path) -> None:
    sandbox.guidewire_expire_after_requests = 15
    env = env_for(settings) | {
        "RPA_TRACE": "always",
        "RPA_RESEAUXCONNECT__USERNAME": "declarant.vo",
        "RPA_RESEAUXCONNECT__PASSWORD": DIALOG_PASSWORD,
        "RPA_TRAQUEUR__URL": sandbox.url("traqueur"),
        "RPA_TRAQUEUR__EMAIL": "flotte@sixt.example",
        "RPA_TRAQUEUR__PASSWORD": TRAQUEUR_PASSWORD,
        "RPA_NOTIFY__SMTP_PASSWORD": SMTP_PASSWORD,
    }
    write_rows(tmp_path / "queue.xlsx", [["Vo Vendu"], ["59716"], ["60226"], ["VINCE05"]])
    run = rpa("warranty", "--queue", "queue.xlsx", env=env, cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr  # VINCE05 is refused by the form
    assert len(sandbox.state.purchases) == 2
    # The artifacts worth searching are there: traces of each vehicle, a screenshot, logs.
    (run_dir,) = settings.runs_dir.iterdir()
    assert len(list((run_dir / "traces").glob("*.zip"))) == 3
    assert list((run_dir / "screenshots").glob("*.png"))

    passwords = [settings.planetvo.password.get_secret_value(), settings.guidewire.password.get_secret_value(),
                 DIALOG_PASSWORD, TRAQUEUR_PASSWORD, SMTP_PASSWORD]
    artifacts = blobs(settings.data_dir) | {"stdout": run.stdout.encode(), "stderr": run.stderr.encode()}
    assert len(artifacts) > 50
    leaks = [f"{name}: {secret}" for name, data in artifacts.items()
             for secret in passwords if any(s in data for s in spellings(secret))]
    assert leaks == []

    # Customer data is private: 0600 files in 0700 folders, the data folder itself included.
    loose = [str(p) for p in [settings.data_dir, *settings.data_dir.rglob("*")]
             if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)]
    assert loose == []


def test_har_and_log_scrubbers_mask_every_spelling_too(tmp_path: Path) -> None:
    import json

    from rpa.browser.recordings import clean_har
    from rpa.core.logs import redactor
    from rpa.core.secrets import secret_texts

    secret = 'Pa ss"#1&é'
    har = tmp_path / "capture.har"
    texts = sorted(secret_texts(secret))
    har.write_text(json.dumps({"log": {"entries": [
        {"request": {"headers": [], "postData": {"text": f"password={t}"}}, "response": {}} for t in texts
    ]}}), encoding="utf-8")
    clean_har(har, [secret])
    assert not any(t.encode() in har.read_bytes() for t in texts)
    record: dict[str, str] = {"message": " ".join(texts)}
    redactor([secret])(record)  # type: ignore[arg-type]
    assert not any(t in record["message"] for t in texts)
