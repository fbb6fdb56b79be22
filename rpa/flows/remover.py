"""The remover's side of the extranet: its list of removal requests, and one action at a
time (Accepter, Refuser, Signaler), each only if the portal says it is still needed."""

from __future__ import annotations

from dataclasses import dataclass

from loguru import logger

from rpa.core.errors import BusinessError
from rpa.core.text import same
from rpa.flows.extranet import Extranet
from rpa.pages.traqueur import RemovalsPage
from rpa.pages.traqueur.frame import FINAL
from rpa.runs.outcome import LineResult
from rpa.sheets.removals import ActionLine

TARGET = {"Accepter": "Acceptée", "Refuser": "Refusée", "Signaler": "Effectuée"}
ACTIVE = ("Prévenu", "Acceptée")


@dataclass(frozen=True)
class Applied:
    """What one action did: its result, in words, and the line's status now."""

    result: LineResult
    reason: str
    status: str


def status_word(text: str) -> str:
    """`Rejetée : motif` -> `Rejetée`."""
    return text.split(":", 1)[0].strip()


class RemoverBoard:
    """The remover's list, read once and kept current as actions land; after any failure it
    is read again from the portal, which is the only truth."""

    def __init__(self, extranet: Extranet) -> None:
        self.extranet = extranet
        self.records = extranet.records
        self.page: RemovalsPage | None = None
        self.lines: list[dict[str, str]] = []
        # Moves this run sent without seeing the answer (trouble came back instead): found done
        # on the portal afterwards, they are this run's work, not "already done".
        self.sent: set[tuple[str, str]] = set()

    def _fresh(self) -> RemovalsPage:
        if self.page is None:
            self.page = self.extranet.home().open_removals()
            self.lines = self.page.lines()
        return self.page

    def apply(self, action: ActionLine) -> Applied:
        """Read the line's status first; act only if the move is needed and legal."""
        try:
            return self._apply(action)
        except BaseException:
            self.page = None  # whatever happened, look again before the next move
            raise

    def _apply(self, action: ActionLine) -> Applied:
        target = TARGET[action.action]
        page = self._fresh()
        mine = [r for r in self.lines if r.get("VIN", "").strip() == action.vin]
        if not mine:
            raise BusinessError(f"VIN {action.vin} absent de la liste des demandes de dépose", code="vin_unknown")
        line = next((r for r in mine if status_word(r.get("Statut", "")) in ACTIVE), mine[-1])
        current = status_word(line.get("Statut", ""))
        if same(current, target):
            if (action.vin, action.action) in self.sent:
                self.records.action(action.vin, action.action, "done")
                logger.info("{} : {} constaté sur le portail après reprise", action.vin, target)
                return Applied(LineResult.APPLIQUEE, f"{target} (constaté après reprise)", target)
            return Applied(LineResult.DEJA_FAIT, f"déjà {current}", current)
        if any(same(current, f) for f in FINAL) or (action.action == "Accepter" and not same(current, "Prévenu")):
            raise BusinessError(f"{action.action} impossible : la demande est {current}", code="illegal_transition")
        self.records.action(action.vin, action.action, "intent")
        self.sent.add((action.vin, action.action))
        dialog = page.open_status(action.vin, current)
        if action.action == "Accepter":
            self.page = dialog.accept(action.vin)
        elif action.action == "Refuser":
            self.page = dialog.refuse(action.vin, action.motif)
        else:
            self.page = dialog.report().submit(action.vin, action.date_depose, action.boitier, action.technicien)
        self.records.action(action.vin, action.action, "done")
        line["Statut"] = target
        logger.info("{} : {} → {}", action.vin, current, target)
        return Applied(LineResult.APPLIQUEE, f"{current} → {target}", target)
