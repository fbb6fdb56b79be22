"""End-of-run notifications: the webhook replayed from a vcrpy cassette, the e-mail received by
a local SMTP server, and a dead endpoint that never fails the run."""

from __future__ import annotations

import datetime as dt
import json
import socket
from email import message_from_bytes
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import Any

import vcr
from aiosmtpd.controller import Controller

from rpa.config import NotifySettings, RetrySettings
from rpa.runs.archive import RunSummary
from rpa.runs.notify import notify
from rpa.runs.outcome import Outcome

CASSETTE = Path(__file__).parent.parent / "recordings" / "webhook_notify.yaml"


def night() -> RunSummary:
    return RunSummary(
        run_id="20261123-223000-000", command="nightly", started=dt.datetime(2026, 11, 23, 22, 30),
        seconds=95.0,
        outcomes=[
            Outcome(row=2, key="59716", result="terminé", police="0001003079"),
            Outcome(row=3, key="VINCE02", result="échec", failure_kind="métier",
                    reason="Code RRD1 SPOTICAR manquant pour le site CHARTRES"),
        ],
    )


def test_webhook_is_replayed_from_the_cassette() -> None:
    settings = NotifySettings(webhook_url="https://hooks.example.com/services/rpa-nightly")
    with vcr.use_cassette(str(CASSETTE), record_mode="none", match_on=["method", "uri"]) as cassette:
        notify(settings, night(), discrepancies=0)
        assert cassette.play_count == 1
    sent = json.loads(cassette.requests[0].body)
    assert sent["text"].startswith("rpa nightly 20261123-223000-000 : 1 terminé(s), 1 échec(s)")
    assert sent["failures"] == [{"vo_vendu": "VINCE02", "kind": "métier",
                                 "reason": "Code RRD1 SPOTICAR manquant pour le site CHARTRES"}]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_email_carries_the_summary_and_the_report(tmp_path: Path) -> None:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        report = tmp_path / "rapport.html"
        report.write_text("<html><body>rapport</body></html>", encoding="utf-8")
        settings = NotifySettings(smtp_host="127.0.0.1", smtp_port=port, email_from="rpa@garage.example",
                                  email_to=["chef.atelier@garage.example"])
        notify(settings, night(), report, discrepancies=0)
    finally:
        controller.stop()
    (mail,) = inbox.messages
    assert "1 échec(s)" in mail["Subject"] and mail["To"] == "chef.atelier@garage.example"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and "VINCE02 : Code RRD1 SPOTICAR manquant" in body.get_content()
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "rapport.html"


def test_a_dead_endpoint_is_logged_and_never_fails_the_run() -> None:
    port = free_port()  # nothing listens there
    settings = NotifySettings(webhook_url=f"http://127.0.0.1:{port}/hook", smtp_host="127.0.0.1",
                              smtp_port=port, email_to=["x@example.fr"],
                              retry=RetrySettings(attempts=1))
    notify(settings, night())  # no exception
