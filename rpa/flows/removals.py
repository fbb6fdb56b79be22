"""Traqueur removals: a requester's bulk requests and status export, a remover's bulk actions.

Every command asks the extranet what is already true before changing anything, so running
it twice changes nothing: a VIN with a live demande is not requested again, a line already
in its target status is skipped, a final status is never touched. Each remover action, and
each request file, goes through the per-item boundary (`rpa.flows.boundary`): a failure is
judged by the failure rule, kept with its screenshot and trace, and the file goes on. The
remover's file is worked on by several workers at once when asked (`--workers`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from loguru import logger

from rpa.config import Settings
from rpa.core.errors import BusinessError, InputProblem
from rpa.core.failures import Failure, Kind
from rpa.core.text import same
from rpa.flows.boundary import Ended
from rpa.flows.extranet import Extranet, extranet, extranet_crew
from rpa.flows.guard import Stop
from rpa.flows.removal_workers import process_together
from rpa.flows.remover import ACTIVE, Applied, status_word
from rpa.runs.outcome import LineResult
from rpa.sheets.removals import (
    ActionLine,
    RequestLine,
    read_action_file,
    read_request_file,
    write_request_file,
)
from rpa.sheets.workbook import write_workbook


@dataclass
class LineOutcome:
    row: int
    vin: str
    result: LineResult
    reason: str = ""
    demande: str = ""
    status: str = ""
    failure_kind: Kind | None = None
    screenshot: str = ""
    trace: str = ""
    at: str = field(default_factory=lambda: dt.datetime.now().strftime("%d/%m/%Y %H:%M:%S"))

    @property
    def failed(self) -> bool:
        return self.result.failed


@dataclass
class RemovalsResult:
    outcomes: list[LineOutcome]
    path: Path
    stopped: Stop | None = None  # why the command stopped before its last line

    @property
    def exit_code(self) -> int:
        code = 1 if any(o.result.unfinished for o in self.outcomes) else 0
        return max(code, self.stopped.exit_code if self.stopped else 0)


@dataclass(frozen=True)
class _Unended:
    """How an item that did not end in a value reads on each of its lines."""

    result: LineResult
    reason: str
    kind: Kind | None = None
    screenshot: str = ""
    trace: str = ""

    @classmethod
    def of(cls, ended: Ended[Any]) -> _Unended:
        trace = str(ended.trace or "")
        if ended.held_by:
            return cls(LineResult.PRIS_AILLEURS, f"en cours sur {ended.held_by}", trace=trace)
        if ended.deferred:
            return cls(LineResult.REPORTE, ended.deferred, trace=trace)
        failure = ended.failure or Failure(Kind.SYSTEM, "interrompu")
        return cls(LineResult.ECHEC, failure.message, failure.kind, str(ended.screenshot or ""), trace)

    def line(self, row: int, vin: str) -> LineOutcome:
        return LineOutcome(row, vin, self.result, self.reason, failure_kind=self.kind,
                           screenshot=self.screenshot, trace=self.trace)


def _local_refusals(problems: list[InputProblem]) -> list[LineOutcome]:
    by_row: dict[int, list[str]] = {}
    for p in problems:
        by_row.setdefault(p.row or 0, []).append(f"colonne « {p.column} » : {p.message}")
    return [LineOutcome(row=row, vin="", result=LineResult.REFUSEE_LOCALEMENT, reason=" ; ".join(msgs))
            for row, msgs in sorted(by_row.items())]


def _kind(o: LineOutcome) -> str:
    return o.failure_kind.value if o.failure_kind else ""


# -- rpa removals request ------------------------------------------------------------------
REQUEST_COLUMNS = ("Ligne", "Vin", "Résultat", "Type d'échec", "Motif", "N° demande", "Quand", "Trace")


def request_removals(settings: Settings, path: Path) -> RemovalsResult:
    lines, problems = read_request_file(path)  # a wrong header refuses the file: exit 2
    outcomes = _local_refusals(problems)
    with extranet(settings) as side:
        live = {
            line.get("VIN", "").strip(): numero
            for numero, line in side.retrying("demandes existantes", side.requester_lines)
            if status_word(line.get("Statut", "")) in ACTIVE
        }
        todo: list[RequestLine] = []
        for line in lines:
            if line.vin in live:
                outcomes.append(LineOutcome(line.row, line.vin, LineResult.DEJA_DEMANDEE,
                                            f"demande {live[line.vin]} en cours", live[line.vin]))
            else:
                todo.append(line)
        if todo:
            outcomes += _send_request(side, todo, side.run_dir / "demande.xlsx")
        stopped = side.guard.stopped
    rows = [[o.row, o.vin, o.result, _kind(o), o.reason, o.demande, o.at, o.trace]
            for o in sorted(outcomes, key=lambda o: o.row)]
    out = write_workbook(side.run_dir / "resultats-demande.xlsx", "Demande", REQUEST_COLUMNS, rows,
                         (6, 20, 18, 10, 60, 12, 20, 40))
    return RemovalsResult(outcomes, out, stopped)


def _send_request(side: Extranet, lines: list[RequestLine], upload: Path) -> list[LineOutcome]:
    """The file is one item at the boundary: sent once, whole, or not at all."""
    write_request_file(upload, lines)
    by_vin = {line.vin: line for line in lines}

    def review() -> list[dict[str, str]]:
        page = side.home().open_new_request().upload(upload)
        shown = page.lines()
        gaps = _compare(by_vin, shown)
        if gaps:
            raise BusinessError("écart entre le fichier et la page de vérification : " + " ; ".join(gaps),
                                code="review_mismatch")
        fresh = [r for r in shown if same(status_word(r.get("Statut", "")), "Nouvelle")]
        if fresh:
            side.records.request_intent([r["VIN"].strip() for r in fresh], upload.name)
            page.confirm()
        return shown

    def send() -> tuple[list[dict[str, str]], str]:
        shown = side.retrying("dépôt de la demande", review)
        created = {r.get("VIN", "").strip() for r in shown if same(status_word(r.get("Statut", "")), "Nouvelle")}
        if not created:
            return shown, ""
        demande = side.retrying("numéro de la demande", partial(_find_demande, side, created))
        side.records.request_done(sorted(created), demande)
        return shown, demande

    ended = side.boundary.run(f"demande-{upload.stem}", send)
    if ended.value is None:
        unended = _Unended.of(ended)
        return [unended.line(line.row, line.vin) for line in lines]
    shown, demande = ended.value
    outcomes = []
    for row in shown:
        vin, statut = row.get("VIN", "").strip(), row.get("Statut", "").strip()
        if same(status_word(statut), "Nouvelle"):
            outcomes.append(LineOutcome(by_vin[vin].row, vin, LineResult.CREEE, "", demande, "Prévenu"))
        else:
            motif = statut.split(":", 1)[1].strip() if ":" in statut else statut
            outcomes.append(LineOutcome(by_vin[vin].row, vin, LineResult.REJETEE, motif))
    if demande:
        logger.info("demande {} : {} ligne(s) créée(s)", demande, sum(o.result is LineResult.CREEE for o in outcomes))
    return outcomes


def _compare(sent: dict[str, RequestLine], shown: list[dict[str, str]]) -> list[str]:
    """The review page must show the file line for line: same VINs, same values."""
    gaps = []
    seen = {r.get("VIN", "").strip(): r for r in shown}
    for vin, line in sent.items():
        row = seen.get(vin)
        if row is None:
            gaps.append(f"{vin} absent")
            continue
        for column, value in (("N° Abonnement", line.abonnement), ("Code distributeur", line.distributeur),
                              ("Lieu de dépose", line.lieu), ("Date souhaitée", line.date)):
            if column in row and not same(row[column], value):
                gaps.append(f"{vin} {column} « {row[column]} » au lieu de « {value} »")
    gaps += [f"{vin} inattendu" for vin in seen if vin not in sent]
    return gaps


def _find_demande(side: Extranet, vins: set[str]) -> str:
    """The portal does not say the new number: the newest demande holding these VINs has it."""
    records = side.home().open_my_requests().records()
    numbers = sorted((r.get("N° demande", "").strip() for r in records),
                     key=lambda n: int(re.sub(r"\D", "", n) or 0), reverse=True)
    for numero in numbers[:5]:
        detail = side.home().open_my_requests().open(numero)
        if vins <= {line.get("VIN", "").strip() for line in detail.lines()}:
            return numero
    raise BusinessError("demande créée introuvable dans la liste des demandes", code="demande_unknown")


# -- rpa removals status -------------------------------------------------------------------
STATUS_COLUMNS = ("N° demande", "Date de création", "VIN", "Marque", "Modèle", "N° Abonnement",
                  "Code distributeur", "Lieu de dépose", "Date souhaitée", "Statut", "Changement")


def removal_status(settings: Settings, out: Path | None = None) -> RemovalsResult:
    """A read: nothing to judge line by line, so no boundary; a failure ends the command."""
    with extranet(settings) as side:
        created = {r.get("N° demande", "").strip(): r.get("Date de création", "")
                   for r in side.retrying("liste des demandes", lambda: side.home().open_my_requests().records())}
        lines = side.retrying("détail des demandes", side.requester_lines)
        before = side.records.snapshot()
        rows, outcomes, snapshot = [], [], []
        for numero, line in lines:
            vin, statut = line.get("VIN", "").strip(), line.get("Statut", "").strip()
            previous = before.get((numero, vin))
            change = "nouvelle" if previous is None else ("" if previous == statut else f"{previous} → {statut}")
            rows.append([numero, created.get(numero, ""), vin, line.get("Marque", ""), line.get("Modèle", ""),
                         line.get("N° Abonnement", ""), line.get("Code distributeur", ""),
                         line.get("Lieu de dépose", ""), line.get("Date souhaitée", ""), statut, change])
            outcomes.append(LineOutcome(len(rows) + 1, vin, LineResult.LUE, change, numero, statut))
            snapshot.append((numero, vin, statut))
        side.records.save_snapshot(snapshot)
    path = out or side.run_dir / "statuts.xlsx"
    write_workbook(path, "Statuts", STATUS_COLUMNS, rows, (11, 14, 20, 10, 12, 14, 10, 16, 12, 14, 24))
    return RemovalsResult(outcomes, path)


# -- rpa removals process ------------------------------------------------------------------
PROCESS_COLUMNS = ("Ligne", "VIN", "Action", "Résultat", "Type d'échec", "Motif", "Statut", "Quand",
                   "Capture", "Trace")


def process_removals(settings: Settings, path: Path, *, workers: int | None = None) -> RemovalsResult:
    """`workers` (default `RPA_WORKERS`): VINs worked on at once, each by one worker, in one
    browser (`rpa.flows.removal_workers`); the workbook lists the lines in file order."""
    actions, problems = read_action_file(path)
    outcomes = _local_refusals(problems)
    with extranet_crew(settings) as crew:
        done = process_together(crew, actions, workers or settings.workers)
        stopped = crew.guard.stopped
    outcomes = sorted(outcomes + [_action_line(action, ended) for action, ended in done], key=lambda o: o.row)
    by_row = {a.row: a.action for a in actions}
    rows = [[o.row, o.vin, by_row.get(o.row, ""), o.result, _kind(o), o.reason, o.status, o.at, o.screenshot, o.trace]
            for o in outcomes]
    out = write_workbook(crew.run_dir / "resultats-deposes.xlsx", "Déposes", PROCESS_COLUMNS, rows,
                         (6, 20, 10, 14, 10, 60, 12, 20, 40, 40))
    return RemovalsResult(outcomes, out, stopped)


def _action_line(action: ActionLine, ended: Ended[Applied]) -> LineOutcome:
    if ended.value is None:
        return _Unended.of(ended).line(action.row, action.vin)
    done = ended.value
    return LineOutcome(action.row, action.vin, done.result, done.reason, status=done.status,
                       trace=str(ended.trace or ""))
