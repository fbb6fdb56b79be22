"""`rpa serve`'s doors, in real Chromium: accounts and roles, CSRF, paths that would leave the
data folder, passwords never shown, and a night under way followed without reloading."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from rpa.config import Role, ServeSettings, ServeUser, Settings
from rpa.core.errors import UsageError
from rpa.core.failures import Kind
from rpa.runs.archive import RunSummary
from rpa.runs.outcome import Outcome, Result
from rpa.runs.progress import LiveRun
from rpa.serve.users import accounts, add_user, check, hash_password, users_file
from rpa.store.ledger import Ledger
from tests.serving import rpa_serve

RUN = "20261201-020304-005"
PORTAL_PASSWORD = "pvo-Secret-4242"
PASSWORDS = {"lea": "lecture-seule-2026", "olivier": "operateur-de-nuit-2026"}
# A 1x1 PNG: the failure's screen.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
                    "9c6360000002000154a24f5d0000000049454e44ae426082")


def env_of(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RPA_")}
    env.update({"RPA_DATA_DIR": str(data), "RPA_PLANETVO__PASSWORD": PORTAL_PASSWORD})
    return env


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder with one night: VINCE02 refused, its screen kept; and scratch files a
    page must never reach."""
    data = tmp_path / "data"
    run = data / "runs" / RUN
    (run / "screenshots").mkdir(parents=True)
    (run / ".scratch").mkdir()
    (run / ".scratch" / "VINCE02.zip").write_bytes(b"unscrubbed")
    (run / "run.log.jsonl").write_text("{}\n")
    (run / "screenshots" / "VINCE02.png").write_bytes(PNG)
    RunSummary(run_id=RUN, command="nightly", started=dt.datetime(2026, 12, 1, 2, 3, 4), seconds=42.0, outcomes=[
        Outcome(row=2, key="VINCE02", bdc="74610", result=Result.ECHEC, failure_kind=Kind.BUSINESS,
                reason="Code RRD1 SPOTICAR manquant pour le site CHARTRES",
                screenshot=str(run / "screenshots" / "VINCE02.png")),
        Outcome(row=3, key="59716", bdc="74601", result=Result.TERMINE, stage="done", police="0001003079"),
    ]).save(run)
    with Ledger(data / "ledger.sqlite3") as ledger:
        ledger.ensure("VINCE02", bdc="74610")
        ledger.record_failure("VINCE02", "métier", "Code RRD1 SPOTICAR manquant pour le site CHARTRES")
    return data


@pytest.fixture
def users(data: Path, tmp_path: Path) -> Path:
    for name, role in (("lea", "lecture"), ("olivier", "operateur")):
        made = subprocess.run([sys.executable, "-m", "rpa", "serve", "add-user", name, "--role", role,
                               "--password-stdin"], input=PASSWORDS[name] + "\n", env=env_of(data), cwd=tmp_path,
                              text=True, capture_output=True, check=False)
        assert made.returncode == 0, made.stderr
    users = data / "serve" / "users.json"
    assert users.stat().st_mode & 0o777 == 0o600
    assert not any(p in users.read_text() for p in PASSWORDS.values())
    return users


@pytest.fixture
def console(data: Path, users: Path, tmp_path: Path) -> Iterator[str]:
    with rpa_serve(env_of(data), tmp_path) as base:
        yield base


def sign_in(page: Page, base: str, name: str, password: str) -> None:
    page.goto(base + "/signin")
    page.get_by_label("Nom").fill(name)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def csrf_of(page: Page) -> str:
    return str(page.locator("form[action='/signout'] input[name=csrf]").input_value())


def raw_get(base: str, path: str, cookie: str) -> int:
    """A request line sent as written (`../` not folded away by a client), signed in."""
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    connection.putheader("Cookie", cookie)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_beyond_loopback_the_console_wants_accounts(data: Path, tmp_path: Path) -> None:
    refused = subprocess.run([sys.executable, "-m", "rpa", "serve", "--host", "0.0.0.0"], env=env_of(data),
                             cwd=tmp_path, text=True, capture_output=True, timeout=60, check=False)
    assert refused.returncode == 2
    assert "rpa serve add-user" in refused.stderr and "Traceback" not in refused.stderr


def test_accounts_roles_csrf_and_paths(console: str, browser: Browser, data: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(console + "/runs")
    expect(page.get_by_role("heading", name="Connexion à la console rpa")).to_be_visible()
    sign_in(page, console, "lea", "pas-le-bon-mot-de-passe")
    expect(page.get_by_role("alert")).to_have_text("Nom ou mot de passe incorrect.")

    # Read-only: sees the night, may not act.
    sign_in(page, console, "lea", PASSWORDS["lea"])
    expect(page.get_by_role("link", name=RUN)).to_be_visible()
    expect(page.get_by_text("lea · lecture seule")).to_be_visible()
    expect(page.get_by_role("button", name="Lancer une nuit maintenant")).to_have_count(0)
    (cookie,) = context.cookies()
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
    page.goto(f"{console}/runs/{RUN}/items/2")
    expect(page.get_by_role("img", name="Écran de VINCE02 au moment de l'échec")).to_be_visible()
    expect(page.get_by_role("button", name="Relancer VINCE02")).to_have_count(0)
    night = page.request.post(console + "/actions/night", form={"csrf": csrf_of(page)})
    assert night.status == 403 and "lecture seule" in night.text()

    # Paths from the URL never leave the data folder, nor reach its private corners.
    for path in (f"/runs/{RUN}/..%2F..%2Fledger.sqlite3", f"/runs/{RUN}/..%2F..%2Fserve%2Fusers.json",
                 "/runs/..%2Fserve/users.json", "/policies/..%2Fledger.sqlite3", f"/runs/{RUN}/.scratch/VINCE02.zip",
                 f"/runs/{RUN}/run.log.jsonl", f"/runs/{RUN}/screenshots/%2Fetc%2Fpasswd", "/policies/%2Fetc%2Fpasswd"):
        answer = page.request.get(console + path)
        assert answer.status == 404, path
    assert page.request.get(f"{console}/runs/{RUN}/screenshots/VINCE02.png").status == 200
    signed_in = f"{cookie['name']}={cookie['value']}"
    assert raw_get(console, f"/runs/{RUN}/screenshots/VINCE02.png", signed_in) == 200
    assert raw_get(console, f"/runs/{RUN}/../../ledger.sqlite3", signed_in) == 404
    assert raw_get(console, "/policies/../serve/users.json", signed_in) == 404

    # An operator acts, through forms of the console only.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion à la console rpa")).to_be_visible()
    assert page.request.get(console + "/runs", max_redirects=0).status == 303  # the old session is gone
    sign_in(page, console, "olivier", PASSWORDS["olivier"])
    assert page.request.post(console + "/actions/night", form={}).status == 403  # no CSRF token
    forged = page.request.post(console + "/actions/night", form={"csrf": "x" * 43})
    assert forged.status == 403 and "jeton" in forged.text()
    page.goto(f"{console}/runs/{RUN}/items/2")
    page.get_by_role("checkbox", name=re.compile("Les données ont été corrigées")).check()
    page.get_by_role("button", name="Relancer VINCE02").click()
    # No portal is configured here: the command refuses, and the page says it in its words.
    expect(page.get_by_role("alert")).to_contain_text("Aucune adresse de portail configurée", timeout=30_000)

    page.get_by_role("link", name="Journal").click()
    journal = page.get_by_role("table")
    for who, action in (("lea", "connexion refusée"), ("lea", "refusé : compte en lecture seule"),
                        ("olivier", "refusé : jeton CSRF absent ou faux"), ("olivier", "relance")):
        expect(journal.get_by_role("row").filter(has=page.get_by_role("cell", name=who, exact=True))
               .filter(has=page.get_by_role("cell", name=action, exact=True)).first).to_be_visible()
    for path in ("/runs", f"/runs/{RUN}", f"/runs/{RUN}/items/2", "/vehicles?q=74610", "/audit"):
        body = page.request.get(console + path).text()
        assert PORTAL_PASSWORD not in body and not any(p in body for p in PASSWORDS.values()), path
        assert "scrypt$" not in body
    context.close()


def test_a_guessed_password_is_slowed_not_the_account_locked_for_good(console: str, page: Page) -> None:
    for _ in range(5):
        sign_in(page, console, "olivier", "devinette-0000")
        expect(page.get_by_role("alert")).to_have_text("Nom ou mot de passe incorrect.")
    sign_in(page, console, "olivier", PASSWORDS["olivier"])
    expect(page.get_by_role("alert")).to_contain_text("Trop d'essais")
    sign_in(page, console, "lea", PASSWORDS["lea"])  # another account is not held up
    expect(page.get_by_role("heading", name="Runs")).to_be_visible()


def test_a_night_under_way_is_followed_without_reloading(data: Path, tmp_path: Path, page: Page) -> None:
    run_dir = data / "runs" / "20261202-220000-000"
    run_dir.mkdir(parents=True)
    live = LiveRun(run_dir, run_dir.name, "nightly", dt.datetime(2026, 12, 2, 22, 0))
    live.total(3)
    live.taken("w0", "60226")
    with rpa_serve(env_of(data), tmp_path) as base:  # no account: this machine only, no sign-in
        page.goto(base + "/runs")
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=run_dir.name))
        expect(row).to_contain_text("en cours : 0 / 3 60226")
        page.evaluate("window.stillThisPage = true")
        live.ended(Outcome(row=2, key="60226", result=Result.TERMINE))
        live.taken("w0", "60301")
        expect(row).to_contain_text("en cours : 1 / 3 60301")
        expect(row.get_by_role("cell").nth(5)).to_have_text("1")
        assert page.evaluate("window.stillThisPage") is True  # updated in place
        RunSummary(run_id=run_dir.name, command="nightly", started=dt.datetime(2026, 12, 2, 22, 0), seconds=70,
                   outcomes=[Outcome(row=n, key=k, result=Result.TERMINE) for n, k in enumerate(("60226", "60301", "60388"), 2)]
                   ).save(run_dir)
        live.finished()
        expect(row).to_contain_text("fini")  # the run ended: the page shows it as ended
        expect(row.get_by_role("cell").nth(5)).to_have_text("3")


def test_accounts_keep_only_a_hash_and_the_settings_win_over_the_file(data: Path) -> None:
    settings = Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]
    add_user(settings, "lea", PASSWORDS["lea"], Role.READER)
    stored = json.loads(users_file(settings).read_text())["lea"]["password_hash"]
    assert stored.startswith("scrypt$") and PASSWORDS["lea"] not in stored
    assert check(accounts(settings), "lea", PASSWORDS["lea"]) is not None
    assert check(accounts(settings), "lea", PASSWORDS["lea"] + "x") is None
    assert check(accounts(settings), "nobody", PASSWORDS["lea"]) is None
    promoted = settings.model_copy(update={"serve": ServeSettings(users={
        "lea": ServeUser(role=Role.OPERATOR, password_hash=hash_password("un-autre-mot-de-passe"))})})
    user = check(accounts(promoted), "lea", "un-autre-mot-de-passe")
    assert user is not None and user.role is Role.OPERATOR
    with pytest.raises(UsageError, match="12 caractères"):
        add_user(settings, "bob", "court", Role.READER)
    with pytest.raises(UsageError, match="Nom de compte"):
        add_user(settings, "../bob", PASSWORDS["lea"], Role.READER)
