"""Per-vehicle Playwright traces: kept by policy, opened by `rpa trace`, never holding a password."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import env_for, rpa
from playwright.sync_api import expect, sync_playwright
from pydantic import SecretStr

from rpa.browser.tracing import scrub_trace
from rpa.config import Settings, TracePolicy
from rpa.core.secrets import secret_spellings
from rpa.flows.run import run_warranty
from rpa.sheets.queue import WarrantyItem

pytestmark = pytest.mark.e2e


def items(*keys: str) -> list[WarrantyItem]:
    return [WarrantyItem(row=i + 2, vo_vendu=k) for i, k in enumerate(keys)]


def leaked(archive: Path, secrets: list[str]) -> list[str]:
    """Every (member, password) pair where a spelling of the password shows in the trace."""
    found = []
    with zipfile.ZipFile(archive) as z:
        for name in z.namelist():
            data = z.read(name)
            found += [f"{name}: {s}" for s in secrets if any(f in data for f in secret_spellings(s))]
    return found


@pytest.fixture
def viewer(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """`rpa trace … --serve 0` as a process the test stops (with its trace server)."""
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-m", "rpa", "trace", *args, "--serve", "0"],
                                env=env_for(settings), cwd=tmp_path, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def listening_url(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:  # the viewer prints its address once it serves
        seen.append(line)
        match = re.search(r"Listening on (http://\S+)", line)
        if match:
            return match.group(1)
    raise AssertionError(f"show-trace never served: {''.join(seen)}")


def test_a_failing_vehicle_leaves_a_trace_that_the_trace_viewer_opens(
    trace_kept: Settings, viewer: Callable[..., subprocess.Popen[str]],
    browser_type_launch_args: dict[str, Any], tmp_path: Path,
) -> None:
    settings = trace_kept  # this test looks at the trace a failure keeps
    result = run_warranty(settings, items("VINCE08", "60226"))
    failed, done = result.outcomes
    assert failed.result == "échec" and done.result == "terminé"
    trace = Path(failed.trace)
    assert trace == settings.runs_dir / result.run_id / "traces" / "VINCE08.zip"
    assert oct(trace.stat().st_mode & 0o777) == "0o600"
    assert not done.trace  # RPA_TRACE=on-failure: a vehicle that went through keeps none
    assert sorted(p.name for p in trace.parent.iterdir()) == ["VINCE08.zip"]
    assert not (settings.runs_dir / result.run_id / ".scratch").exists()
    assert leaked(trace, settings.secret_values()) == []  # it signed in to Planet VO inside this chunk
    assert "trace Playwright" in (settings.runs_dir / result.run_id / "rapport.html").read_text(encoding="utf-8")

    # The operator on duty, on a headless server: `rpa trace RUN ITEM --serve PORT`.
    proc = viewer(result.run_id, "vince08")
    url = listening_url(proc)
    with sync_playwright() as playwright:  # after the run: one sync Playwright at a time
        browser = playwright.chromium.launch(**browser_type_launch_args)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        expect(page.get_by_text("VINCE08").first).to_be_visible(timeout=20_000)  # the chunk's title
        expect(page.get_by_text("Planet VO : prérequis").first).to_be_visible()  # the stage group
        page.screenshot(path=str(tmp_path / "viewer.png"))
        browser.close()


def test_always_keeps_every_trace_and_off_keeps_none(settings: Settings, tmp_path: Path) -> None:
    rc = settings.reseauxconnect.model_copy(update={"username": "rc.user", "password": SecretStr("Rc-Secret$9")})
    traced = settings.model_copy(update={"trace": TracePolicy.ALWAYS, "reseauxconnect": rc})
    always = run_warranty(traced, items("59716"))
    (done,) = always.outcomes
    assert done.result == "terminé" and Path(done.trace).exists()
    # A whole chain: Planet VO, the garantisseur dialog, reseauxconnect and GuideWire sign-ins.
    assert leaked(Path(done.trace), traced.secret_values()) == []

    off = run_warranty(settings.model_copy(update={"trace": TracePolicy.OFF}), items("VINCE08"))
    (failed,) = off.outcomes
    assert failed.result == "échec" and not failed.trace
    assert not (settings.runs_dir / off.run_id / "traces").exists()
    shown = rpa("trace", off.run_id, "VINCE08", env=env_for(settings), cwd=tmp_path)
    assert shown.returncode == 2 and "RPA_TRACE" in shown.stderr


def test_scrubbing_masks_every_spelling_of_a_password(tmp_path: Path) -> None:
    secret = 'Pa ss"#1&é'
    raw = tmp_path / "raw.zip"
    with zipfile.ZipFile(raw, "w") as z:
        for i, spelling in enumerate(secret_spellings(secret)):
            z.writestr(f"resources/{i}.dat", b"password=" + spelling + b"&user=x")
    clean = scrub_trace(raw, tmp_path / "clean.zip", [secret])
    assert leaked(clean, [secret]) == []
    with zipfile.ZipFile(clean) as z:
        assert all(z.read(n) == b"password=********&user=x" for n in z.namelist())
