"""What an operator starts from the console: one failed vehicle again, or a night now.

Each is the command an operator would type (`rpa warranty --bdc …`, `rpa nightly`), started
as a process of its own in its own session: it takes the same locks and claims, writes the
same run folder (named here, so the page can follow it), and goes on if the console stops.
Every start, refusal and end is written to the audit log.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from rpa.config import Settings
from rpa.core.errors import ActionRefused
from rpa.core.failures import Kind
from rpa.core.files import private_dir, private_opener
from rpa.flows.nightly import night_refusal
from rpa.runs.archive import new_run_id
from rpa.runs.outcome import Outcome
from rpa.serve.audit import AuditLog


@dataclass
class Launched:
    run_id: str
    command: list[str]
    log: Path
    process: subprocess.Popen[bytes]

    def said(self) -> str:
        """The command's last `Erreur :` line, once it has ended (what it could not do)."""
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return next((ln.strip() for ln in reversed(lines) if ln.strip().startswith("Erreur")), "")


def vehicle_option(outcome: Outcome) -> list[str]:
    """How `rpa warranty` names this vehicle: its BDC, else its VIN, else its plate."""
    for option, value in (("--bdc", outcome.bdc), ("--vin", outcome.vin), ("--immat", outcome.immat)):
        if value:
            return [option, value]
    raise ActionRefused(f"{outcome.key} : ni BDC, ni VIN, ni immatriculation connus, rien à relancer.")


class Launcher:
    def __init__(self, settings: Settings, audit: AuditLog) -> None:
        self.settings = settings
        self.audit = audit
        self.started: dict[str, Launched] = {}  # run id -> the process started for it

    def rerun(self, who: str, run_id: str, outcome: Outcome, confirmed: bool) -> Launched:
        """`rpa warranty` for one failed vehicle. A business failure is the portal's or the
        process's refusal: it comes back unless someone fixed the data, so that must be said."""
        target = {"run": run_id, "vehicle": outcome.key}
        if outcome.failure_kind == Kind.BUSINESS and not confirmed:
            self.audit.write(who, "relance refusée", **target, reason="correction non confirmée")
            raise ActionRefused(f"{outcome.key} a échoué pour une raison métier ({outcome.reason}) : "
                          "confirmez que les données ont été corrigées avant de relancer.")
        if not outcome.failed:
            raise ActionRefused(f"{outcome.key} n'a pas échoué dans ce run ({outcome.result}).")
        return self._start(who, "relance", ["warranty", *vehicle_option(outcome)],
                           confirmed=confirmed, **target)

    def night(self, who: str) -> Launched:
        """`rpa nightly`, refused here with its own words when one is under way (the command
        would refuse it the same way; it is asked first so the page can say so at once)."""
        refusal = night_refusal(self.settings)
        if refusal:
            self.audit.write(who, "nuit refusée", reason=refusal)
            raise ActionRefused(refusal)
        return self._start(who, "nuit", ["nightly"])

    def _start(self, who: str, action: str, args: list[str], **details: object) -> Launched:
        run_id = new_run_id()
        folder = private_dir(self.settings.data_dir / "serve" / "actions")
        log = folder / f"{run_id}.log"
        command = [sys.executable, "-m", "rpa", *args, "--run-id", run_id]
        env = {**os.environ, "RPA_DATA_DIR": str(self.settings.data_dir), "COLUMNS": "160"}
        with open(log, "wb", opener=private_opener) as out:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                       env=env, start_new_session=True)
        launched = Launched(run_id=run_id, command=["rpa", *args], log=log, process=process)
        self.started[run_id] = launched
        self.audit.write(who, action, **details, command=" ".join(launched.command), run_id=run_id, pid=process.pid)
        threading.Thread(target=self._watch, args=(who, action, launched), daemon=True).start()
        return launched

    def _watch(self, who: str, action: str, launched: Launched) -> None:
        code = launched.process.wait()
        self.audit.write(who, f"{action} finie", run_id=launched.run_id, exit_code=code,
                         said=launched.said())
