"""The sandbox's fault knobs: seeded (a session replays exactly), counted, and a lost answer
really did the work behind it."""

from __future__ import annotations

import httpx

from rpa.sandbox.faults import Faults
from rpa.sandbox.server import create_sandbox


def statuses(seed: int) -> tuple[list[tuple[int, bool]], dict[str, int]]:
    with create_sandbox() as box:
        box.faults = Faults(seed=seed, error_rate=0.3, jitter_ms=5)
        with httpx.Client(base_url=box.url("planetvo")) as client:
            answers = [client.get("/") for _ in range(40)]
        return [(a.status_code, "<h1>Service momentanément indisponible" in a.text) for a in answers], dict(box.faults.injected)


def test_faults_are_seeded_and_counted() -> None:
    first, injected = statuses(seed=11)
    again, _ = statuses(seed=11)
    other, _ = statuses(seed=12)
    assert first == again and first != other
    faulty = [s for s in first if s != (200, False)]
    assert len(faulty) == sum(injected.values()) and 4 <= len(faulty) <= 24
    assert {code for code, _ in faulty} <= {200, 500, 503}  # 200: the "indisponible" page


def test_a_lost_answer_still_did_the_work_and_an_outage_comes_back() -> None:
    with create_sandbox() as box:
        box.faults = Faults(error_rate=1.0, kinds=("reponse-perdue",))
        account = box.state.planetvo_account
        with httpx.Client(base_url=box.url("planetvo")) as client:
            assert client.get("/").status_code == 200  # GETs cannot lose a "done" answer
            answer = client.post("/", data={"username": account.username, "password": account.password})
        assert answer.status_code == 502 and "set-cookie" not in answer.headers
        assert len(box.sessions["planetvo"].data) == 1  # signed in, though the user never knew
        box.faults = Faults()
        box.outage(0.2)
        with httpx.Client(base_url=box.url("planetvo")) as client:
            assert client.get("/").status_code == 200
        assert box.faults.injected["serveur-absent"] == 1
