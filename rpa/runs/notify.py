"""Telling someone how the night went: a webhook (chat, ticketing) and/or an e-mail with the
run's HTML report attached. A notification that fails is logged; it never fails the run."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from loguru import logger

from rpa.config import NotifySettings
from rpa.core.retry import retrying
from rpa.runs.archive import RunSummary
from rpa.runs.outcome import Result


def summary_line(summary: RunSummary, discrepancies: int | None = None) -> str:
    line = (f"rpa {summary.command} {summary.run_id} : {summary.count(Result.TERMINE)} terminé(s), "
            f"{summary.count(Result.ECHEC)} échec(s), {summary.skipped} ignoré(s)")
    if discrepancies is not None:
        line += f", rapprochement : {discrepancies} écart(s)"
    if summary.stopped:
        line += f" — ARRÊTÉ : {summary.stopped}"
    return line


def payload(summary: RunSummary, discrepancies: int | None = None) -> dict[str, Any]:
    """What the webhook receives: a readable line and the failures, in the portals' words."""
    return {
        "text": summary_line(summary, discrepancies),
        "run": summary.run_id,
        "failures": [{"vo_vendu": o.key, "reason": o.reason, "kind": o.failure_kind}
                     for o in summary.outcomes if o.failed],
    }


def notify(settings: NotifySettings, summary: RunSummary, report: Path | None = None,
           discrepancies: int | None = None) -> None:
    if settings.webhook_url:
        try:
            response = httpx.post(settings.webhook_url, json=payload(summary, discrepancies), timeout=15)
            response.raise_for_status()
            logger.info("notification envoyée au webhook ({})", response.status_code)
        except httpx.HTTPError as err:
            logger.error("notification webhook impossible : {}", err)
    if settings.smtp_host and settings.email_to:
        try:
            send_email(settings, summary, report, discrepancies)
            logger.info("rapport envoyé par e-mail à {}", ", ".join(settings.email_to))
        except (OSError, smtplib.SMTPException) as err:
            logger.error("e-mail de rapport impossible : {}", err)


def send_email(settings: NotifySettings, summary: RunSummary, report: Path | None,
               discrepancies: int | None) -> None:
    message = EmailMessage()
    message["Subject"] = summary_line(summary, discrepancies)
    message["From"] = settings.email_from
    message["To"] = ", ".join(settings.email_to)
    failures = [f"- {o.key} : {o.reason}" for o in summary.outcomes if o.failed]
    message.set_content("\n".join([summary_line(summary, discrepancies), "", *failures,
                                   "", "Le rapport complet est joint (rapport.html)."]))
    if report is not None and report.exists():
        message.add_attachment(report.read_bytes(), maintype="text", subtype="html", filename="rapport.html")

    host = settings.smtp_host
    assert host is not None

    def send() -> None:
        with smtplib.SMTP(host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message)

    retrying(settings.retry, "envoi du rapport", send)
