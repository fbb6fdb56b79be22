"""Traqueur removals: a requester's bulk requests and status export, a remover's bulk actions.

Every command asks the extranet what is already true before changing anything, so running
it twice changes nothing: a VIN with a live demande is not requested again, a line already
in its target status is skipped, a final status is never touched.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from loguru import logger
from playwright.sync_api import Page

from rpa.browser.launch import browser_session, new_context
from rpa.config import Settings
from rpa.core.errors import BusinessError, InputProblem, RpaError, SignInRefused
from rpa.core.files import private_dir
from rpa.core.retry import retrying
from rpa.core.text import same
from rpa.flows.guard import RunGuard, Stop
from rpa.pages.traqueur import RemovalsPage, TraqueurHome, open_traqueur
from rpa.pages.traqueur.frame import FINAL
from rpa.runs.archive import new_run_id
from rpa.sheets.removals import (
    ActionLine,
    RequestLine,
    read_action_file,
    read_request_file,
    write_request_file,
)
from rpa.sheets.workbook import write_workbook
from rpa.store.removals import RemovalStore

T = TypeVar("T")
TARGET = {"Accepter": "Acceptée", "Refuser": "Refusée", "Signaler": "Effectuée"}
ACTIVE = ("Prévenu", "Acceptée")


@dataclass
class LineOutcome:
    row: int
    vin: str
    result: str  # créée, rejetée, déjà demandée, refusée localement, appliquée, déjà fait, échec
    reason: str = ""
    demande: str = ""
    status: str = ""
    at: str = field(default_factory=lambda: dt.datetime.now().strftime("%d/%m/%Y %H:%M:%S"))

    @property
    def failed(self) -> bool:
        return self.result in ("rejetée", "refusée localement", "échec")


@dataclass
class RemovalsResult:
    outcomes: list[LineOutcome]
    path: Path
    stopped: Stop | None = None  # why the command stopped before its last line

    @property
    def exit_code(self) -> int:
        code = 1 if any(o.failed or o.result == "reporté" for o in self.outcomes) else 0
        return max(code, self.stopped.exit_code if self.stopped else 0)


class ExtranetSession:
    """One signed-in browser tab on the extranet for the whole command."""

    def __init__(self, settings: Settings, page: Page) -> None:
        self.settings = settings
        self.page = page
        self.guard = RunGuard(down_after=settings.retry.portal_down_after)

    def home(self) -> TraqueurHome:
        return open_traqueur(self.page, self.settings.traqueur, self.guard)

    def retrying(self, what: str, fn: Callable[[], T]) -> T:
        return retrying(self.settings.retry, what, fn)

    def requester_lines(self) -> list[tuple[str, dict[str, str]]]:
        """Every (demande, line) of the requester's account, read off the portal."""
        numbers = [r.get("N° demande", "").strip() for r in self.home().open_my_requests().records()]
        lines = []
        for numero in numbers:
            detail = self.home().open_my_requests().open(numero)
            lines += [(numero, line) for line in detail.lines()]
        return lines


@contextmanager
def extranet(settings: Settings) -> Iterator[tuple[ExtranetSession, RemovalStore, Path]]:
    settings.require_traqueur()
    run_dir = private_dir(settings.runs_dir / new_run_id())
    with RemovalStore(settings.ledger_path) as store, browser_session(settings.browser) as browser:
        context = new_context(browser, settings.browser)
        try:
            session = ExtranetSession(settings, context.new_page())
            # Signed in before the first line: a refused password or an extranet that cannot be
            # reached stops the command before anything is sent (one `Erreur` line, exit 2 or 1).
            session.retrying("connexion à l'extranet Traqueur", session.home)
            yield session, store, run_dir
        finally:
            context.close()


def _local_refusals(problems: list[InputProblem]) -> list[LineOutcome]:
    by_row: dict[int, list[str]] = {}
    for p in problems:
        by_row.setdefault(p.row or 0, []).append(f"colonne « {p.column} » : {p.message}")
    return [LineOutcome(row=row, vin="", result="refusée localement", reason=" ; ".join(msgs))
            for row, msgs in sorted(by_row.items())]


def _status_word(text: str) -> str:
    return text.split(":", 1)[0].strip()


# -- rpa removals request ------------------------------------------------------------------
REQUEST_COLUMNS = ("Ligne", "Vin", "Résultat", "Motif", "N° demande", "Quand")


def request_removals(settings: Settings, path: Path) -> RemovalsResult:
    lines, problems = read_request_file(path)  # a wrong header refuses the file: exit 2
    outcomes = _local_refusals(problems)
    with extranet(settings) as (session, store, run_dir):
        live = {
            line.get("VIN", "").strip(): numero
            for numero, line in session.retrying("demandes existantes", session.requester_lines)
            if _status_word(line.get("Statut", "")) in ACTIVE
        }
        todo: list[RequestLine] = []
        for line in lines:
            if line.vin in live:
                outcomes.append(LineOutcome(line.row, line.vin, "déjà demandée",
                                            f"demande {live[line.vin]} en cours", live[line.vin]))
            else:
                todo.append(line)
        if todo:
            outcomes += _send_request(session, store, todo, run_dir / "demande.xlsx")
    rows = [[o.row, o.vin, o.result, o.reason, o.demande, o.at] for o in sorted(outcomes, key=lambda o: o.row)]
    out = write_workbook(run_dir / "resultats-demande.xlsx", "Demande", REQUEST_COLUMNS, rows, (6, 20, 18, 60, 12, 20))
    return RemovalsResult(outcomes, out)


def _send_request(session: ExtranetSession, store: RemovalStore, lines: list[RequestLine],
                  upload: Path) -> list[LineOutcome]:
    write_request_file(upload, lines)
    by_vin = {line.vin: line for line in lines}

    def review() -> list[dict[str, str]]:
        page = session.home().open_new_request().upload(upload)
        shown = page.lines()
        gaps = _compare(by_vin, shown)
        if gaps:
            raise BusinessError("écart entre le fichier et la page de vérification : " + " ; ".join(gaps),
                                code="review_mismatch")
        fresh = [r for r in shown if same(_status_word(r.get("Statut", "")), "Nouvelle")]
        if fresh:
            store.request_intent([r["VIN"].strip() for r in fresh], upload.name)
            page.confirm()
        return shown

    try:
        shown = session.retrying("dépôt de la demande", review)
    except RpaError as err:
        return [LineOutcome(line.row, line.vin, "échec", err.message) for line in lines]
    outcomes, created = [], []
    for row in shown:
        vin, statut = row.get("VIN", "").strip(), row.get("Statut", "").strip()
        line = by_vin[vin]
        if same(_status_word(statut), "Nouvelle"):
            created.append(vin)
        else:
            motif = statut.split(":", 1)[1].strip() if ":" in statut else statut
            outcomes.append(LineOutcome(line.row, vin, "rejetée", motif))
    if created:
        demande = session.retrying("numéro de la demande", lambda: _find_demande(session, set(created)))
        store.request_done(created, demande)
        outcomes += [LineOutcome(by_vin[v].row, v, "créée", "", demande, "Prévenu") for v in created]
        logger.info("demande {} : {} ligne(s) créée(s)", demande, len(created))
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


def _find_demande(session: ExtranetSession, vins: set[str]) -> str:
    """The portal does not say the new number: the newest demande holding these VINs has it."""
    records = session.home().open_my_requests().records()
    numbers = sorted((r.get("N° demande", "").strip() for r in records),
                     key=lambda n: int(re.sub(r"\D", "", n) or 0), reverse=True)
    for numero in numbers[:5]:
        detail = session.home().open_my_requests().open(numero)
        if vins <= {line.get("VIN", "").strip() for line in detail.lines()}:
            return numero
    raise BusinessError("demande créée introuvable dans la liste des demandes", code="demande_unknown")


# -- rpa removals status -------------------------------------------------------------------
STATUS_COLUMNS = ("N° demande", "Date de création", "VIN", "Marque", "Modèle", "N° Abonnement",
                  "Code distributeur", "Lieu de dépose", "Date souhaitée", "Statut", "Changement")


def removal_status(settings: Settings, out: Path | None = None) -> RemovalsResult:
    with extranet(settings) as (session, store, run_dir):
        created = {r.get("N° demande", "").strip(): r.get("Date de création", "")
                   for r in session.retrying("liste des demandes", lambda: session.home().open_my_requests().records())}
        lines = session.retrying("détail des demandes", session.requester_lines)
        before = store.snapshot()
        rows, outcomes, snapshot = [], [], []
        for numero, line in lines:
            vin, statut = line.get("VIN", "").strip(), line.get("Statut", "").strip()
            previous = before.get((numero, vin))
            change = "nouvelle" if previous is None else ("" if previous == statut else f"{previous} → {statut}")
            rows.append([numero, created.get(numero, ""), vin, line.get("Marque", ""), line.get("Modèle", ""),
                         line.get("N° Abonnement", ""), line.get("Code distributeur", ""),
                         line.get("Lieu de dépose", ""), line.get("Date souhaitée", ""), statut, change])
            outcomes.append(LineOutcome(len(rows) + 1, vin, "lue", change, numero, statut))
            snapshot.append((numero, vin, statut))
        store.save_snapshot(snapshot)
    path = out or run_dir / "statuts.xlsx"
    write_workbook(path, "Statuts", STATUS_COLUMNS, rows, (11, 14, 20, 10, 12, 14, 10, 16, 12, 14, 24))
    return RemovalsResult(outcomes, path)


# -- rpa removals process ------------------------------------------------------------------
PROCESS_COLUMNS = ("Ligne", "VIN", "Action", "Résultat", "Motif", "Statut", "Quand")


def process_removals(settings: Settings, path: Path) -> RemovalsResult:
    actions, problems = read_action_file(path)
    outcomes = _local_refusals(problems)
    with extranet(settings) as (session, store, run_dir):
        board = RemoverBoard(session, store)
        guard = session.guard
        for action in actions:
            if guard.stopped is not None:
                outcomes.append(LineOutcome(action.row, action.vin, "reporté", guard.stopped.reason))
                continue
            try:
                outcomes.append(session.retrying(f"{action.action} {action.vin}",
                                                 partial(board.apply, action)))
                guard.item_ended()
            except SignInRefused as refused:  # the guard stopped the command: not this line's fault
                outcomes.append(LineOutcome(action.row, action.vin, "reporté", refused.message))
            except RpaError as err:
                outcomes.append(LineOutcome(action.row, action.vin, "échec", err.message))
                guard.item_ended(system_failure_on=err.portal if not isinstance(err, BusinessError) else "")
    by_row = {a.row: a.action for a in actions}
    rows = [[o.row, o.vin, by_row.get(o.row, ""), o.result, o.reason, o.status, o.at]
            for o in sorted(outcomes, key=lambda o: o.row)]
    out = write_workbook(run_dir / "resultats-deposes.xlsx", "Déposes", PROCESS_COLUMNS, rows,
                         (6, 20, 10, 14, 60, 12, 20))
    return RemovalsResult(outcomes, out, session.guard.stopped)


class RemoverBoard:
    """The remover's list, read once and kept current as actions land; after any failure it
    is read again from the portal, which is the only truth."""

    def __init__(self, session: ExtranetSession, store: RemovalStore) -> None:
        self.session = session
        self.store = store
        self.page: RemovalsPage | None = None
        self.records: list[dict[str, str]] = []
        # Moves this run sent without seeing the answer (trouble came back instead): found done
        # on the portal afterwards, they are this run's work, not "already done".
        self.sent: set[tuple[str, str]] = set()

    def _fresh(self) -> RemovalsPage:
        if self.page is None:
            self.page = self.session.home().open_removals()
            self.records = self.page.lines()
        return self.page

    def apply(self, action: ActionLine) -> LineOutcome:
        """Read the line's status first; act only if the move is needed and legal."""
        try:
            return self._apply(action)
        except BaseException:
            self.page = None  # whatever happened, look again before the next move
            raise

    def _apply(self, action: ActionLine) -> LineOutcome:
        target = TARGET[action.action]
        page = self._fresh()
        mine = [r for r in self.records if r.get("VIN", "").strip() == action.vin]
        if not mine:
            raise BusinessError(f"VIN {action.vin} absent de la liste des demandes de dépose", code="vin_unknown")
        line = next((r for r in mine if _status_word(r.get("Statut", "")) in ACTIVE), mine[-1])
        current = _status_word(line.get("Statut", ""))
        if same(current, target):
            if (action.vin, action.action) in self.sent:
                self.store.action(action.vin, action.action, "done")
                logger.info("{} : {} constaté sur le portail après reprise", action.vin, target)
                return LineOutcome(action.row, action.vin, "appliquée", f"{target} (constaté après reprise)",
                                   status=target)
            return LineOutcome(action.row, action.vin, "déjà fait", f"déjà {current}", status=current)
        if any(same(current, f) for f in FINAL) or (action.action == "Accepter" and not same(current, "Prévenu")):
            raise BusinessError(f"{action.action} impossible : la demande est {current}", code="illegal_transition")
        self.store.action(action.vin, action.action, "intent")
        self.sent.add((action.vin, action.action))
        dialog = page.open_status(action.vin, current)
        if action.action == "Accepter":
            self.page = dialog.accept(action.vin)
        elif action.action == "Refuser":
            self.page = dialog.refuse(action.vin, action.motif)
        else:
            self.page = dialog.report().submit(action.vin, action.date_depose, action.boitier, action.technicien)
        self.store.action(action.vin, action.action, "done")
        line["Statut"] = target
        logger.info("{} : {} → {}", action.vin, current, target)
        return LineOutcome(action.row, action.vin, "appliquée", f"{current} → {target}", status=target)
