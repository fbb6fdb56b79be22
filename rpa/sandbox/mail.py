"""The e-mails the portals send (the Traqueur extranet, PORTALS.md §4): a small SMTP server
on loopback (aiosmtpd) receives them into the sandbox's mailbox, where tests read them."""

from __future__ import annotations

import email
import email.policy
import smtplib
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Mail:
    """One e-mail a portal sent, as the SMTP server received it."""

    sender: str
    to: tuple[str, ...]
    subject: str
    body: str
    message: EmailMessage


class MailboxHandler:
    """aiosmtpd handler: every message accepted goes into the sandbox's mailbox."""

    def __init__(self, mailbox: list[Mail]) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(("plain",))
        body = part.get_content() if isinstance(part, EmailMessage) else ""
        self.mailbox.append(Mail(
            sender=str(message.get("From", envelope.mail_from)),
            to=tuple(envelope.rcpt_tos), subject=str(message.get("Subject", "")),
            body=body, message=message,
        ))
        return "250 Message accepted for delivery"


def start_smtp(mailbox: list[Mail], host: str) -> tuple[Controller, int]:
    """A running SMTP server on a free port of `host`, delivering into `mailbox`."""
    port = free_port(host)
    controller = Controller(MailboxHandler(mailbox), hostname=host, port=port,
                            server_hostname="smtp.sandbox.example")
    controller.start()
    return controller, port


def deliver(host: str, port: int, sender: str, to: list[str], subject: str, body: str) -> None:
    """One plain-text e-mail through the SMTP server at `host:port`."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.send_message(message)


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port
