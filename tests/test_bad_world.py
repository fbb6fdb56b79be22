"""A bad world, command by command: a portal on a closed port, a wrong password, a locked
account, a password to renew, a portal answering garbage, a setting missing, a setting
malformed. Every command ends with its exit code and one `Erreur` line, never a traceback,
and no portal sees more than one sign-in attempt (the sandbox's own count)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from clirun import env_for, rpa
from workbooks import write_rows

from rpa.config import Settings
from rpa.flows.demo import sandbox_settings
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.traqueur.seed import sixt_vehicles
from rpa.sheets.removals import ACTION_HEADER, REQUEST_HEADER

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SIXT = ("flotte@sixt.example", "Sixt-Depose-2024")
TRAMOSA = ("depose@tramosa.example", "Tramosa-EK004")


@dataclass(frozen=True)
class Command:
    name: str
    portal: str  # the portal the bad world is made on
    prefix: str  # its settings
    account: tuple[str, str] | None = None  # the extranet account it signs in with

    def args(self, folder: Path, box: Sandbox) -> list[str]:
        fleet = sixt_vehicles(box.state.traqueur)[:2]
        if self.name == "warranty --queue":
            return ["warranty", "--queue", str(write_rows(folder / "queue.xlsx", [["Vo Vendu"], ["60226"], ["60301"]]))]
        if self.name == "removals request":
            return ["removals", "request", str(write_rows(folder / "demande.xlsx", [list(REQUEST_HEADER)] + [
                [v.vin, v.abonnement, "EK004", "Chambery", "30/12/2026", ""] for v in fleet]))]
        if self.name == "removals process":
            return ["removals", "process", str(write_rows(folder / "actions.xlsx", [
                list(ACTION_HEADER), [fleet[0].vin, "Accepter", "", "", "", ""]]))]
        return {"warranty --immat": ["warranty", "--immat", "EG-702-HQ"], "nightly": ["nightly"],
                "reconcile": ["reconcile"], "removals status": ["removals", "status"]}[self.name]


COMMANDS = [
    Command("warranty --immat", "planetvo", "RPA_PLANETVO__"),
    Command("warranty --queue", "guidewire", "RPA_GUIDEWIRE__"),  # past Planet VO: the preflight
    Command("nightly", "planetvo", "RPA_PLANETVO__"),
    Command("reconcile", "guidewire", "RPA_GUIDEWIRE__"),
    Command("removals request", "traqueur", "RPA_TRAQUEUR__", SIXT),
    Command("removals status", "traqueur", "RPA_TRAQUEUR__", SIXT),
    Command("removals process", "traqueur", "RPA_TRAQUEUR__", TRAMOSA),
]
# Condition -> the exit code it owes: 2 when the configuration is wrong, 1 when the portal is.
CONDITIONS = {"closed port": 1, "wrong password": 2, "locked account": 2, "expired password": 2,
              "garbage": 1, "missing setting": 2, "malformed setting": 2}


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"  # nobody listens once it is closed


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One sandbox for the table: nothing in it changes the portals' state."""
    with create_sandbox(tmp_path_factory.mktemp("world") / "state.json") as box:
        yield box


def env_of(box: Sandbox, folder: Path, command: Command) -> dict[str, str]:
    settings = sandbox_settings(Settings(_env_file=None), box, folder / "data")  # type: ignore[call-arg]
    env = env_for(settings)
    # One try a step and a short wait for a screen: the table is about how a command ends.
    env.update({"RPA_TRAQUEUR__URL": box.url("traqueur"), "RPA_BROWSER__TIMEOUT_MS": "2000",
                "RPA_RETRY__ATTEMPTS": "1"})
    if command.account:
        env.update({"RPA_TRAQUEUR__EMAIL": command.account[0], "RPA_TRAQUEUR__PASSWORD": command.account[1]})
    return env


def make_bad(condition: str, box: Sandbox, command: Command, env: dict[str, str]) -> None:
    if condition == "closed port":
        env[command.prefix + "URL"] = closed_port()
    elif condition == "wrong password":
        env[command.prefix + "PASSWORD"] = "pas-le-bon-mot-de-passe"
    elif condition == "locked account":
        box.account_trouble[command.portal] = "locked"
    elif condition == "expired password":
        box.account_trouble[command.portal] = "expired"
    elif condition == "garbage":
        box.garbage.add(command.portal)
    elif condition == "missing setting":
        del env[command.prefix + "URL"]
    elif condition == "malformed setting":
        env["RPA_RETRY__ATTEMPTS"] = "trois"


@pytest.mark.parametrize("condition", CONDITIONS)
@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_a_bad_world_ends_in_one_error_line_and_at_most_one_sign_in(
    world: Sandbox, tmp_path: Path, command: Command, condition: str
) -> None:
    world.sign_in_attempts.clear()
    world.account_trouble.clear()
    world.garbage.clear()
    env = env_of(world, tmp_path, command)
    make_bad(condition, world, command, env)
    try:
        done = rpa(*command.args(tmp_path, world), env=env, cwd=tmp_path)
    finally:
        world.account_trouble.clear()
        world.garbage.clear()
    said = done.stdout + done.stderr
    errors = [line for line in said.splitlines() if line.startswith("Erreur")]
    assert done.returncode == CONDITIONS[condition], said
    assert len(errors) == 1, said
    assert "Traceback" not in said
    assert all(n <= 1 for n in world.sign_in_attempts.values()), dict(world.sign_in_attempts)
    if condition in ("wrong password", "locked account", "expired password"):
        assert world.sign_in_attempts[command.portal] == 1  # tried once, and told which setting to check
        assert f"{command.prefix}PASSWORD" in errors[0]
    if condition in ("missing setting", "malformed setting"):
        assert "RPA_" in errors[0] and not world.sign_in_attempts  # nothing attempted
    for password in json.loads(json.dumps([env.get(command.prefix + "PASSWORD", "")])):
        assert not password or password not in said


def test_three_hundred_vehicles_and_a_wrong_guidewire_password_cost_one_sign_in(
    world: Sandbox, tmp_path: Path
) -> None:
    world.sign_in_attempts.clear()
    env = env_of(world, tmp_path, COMMANDS[1])
    env["RPA_GUIDEWIRE__PASSWORD"] = "pas-le-bon-mot-de-passe"
    env["RPA_WORKERS"] = "4"
    queue = write_rows(tmp_path / "nuit.xlsx", [["Vo Vendu"]] + [[f"X{n:05d}"] for n in range(300)])
    declared = len(world.state.declarations)
    done = rpa("warranty", "--queue", str(queue), env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert world.sign_in_attempts["guidewire"] == 1
    assert len(world.state.declarations) == declared  # nothing declared: found before the first vehicle
    assert done.stdout.count("reporté") >= 300
