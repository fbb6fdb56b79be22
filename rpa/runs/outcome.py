"""What happened to one item of a run (a vehicle, a queue row), in the portal's words."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from rpa.core.failures import Kind


class Result(StrEnum):
    """Every way a warranty item can end, as the workbook, the report and `rpa runs` say it."""

    TERMINE = "terminé"  # bought and filed by this run
    DEJA_FAIT = "déjà fait"  # done by an earlier run: nothing to do
    ECHEC = "échec"  # a business or system failure (`Outcome.failure_kind`)
    DOUBLON = "doublon"  # the same vehicle twice in one queue: done once
    REPORTE = "reporté"  # not started: the run stopped (deadline, refused sign-in, portal down)
    PRIS_AILLEURS = "pris ailleurs"  # held by another worker, run or machine meanwhile

    @property
    def unfinished(self) -> bool:
        """Not done by this run, and not because of the vehicle: the exit code says so."""
        return self in (Result.ECHEC, Result.REPORTE, Result.PRIS_AILLEURS)


class LineResult(StrEnum):
    """Every way a line of a removal file can end (`rpa removals request|status|process`)."""

    CREEE = "créée"  # in a demande the extranet created
    REJETEE = "rejetée"  # the extranet's review refused it (`Rejetée : <motif>`)
    DEJA_DEMANDEE = "déjà demandée"  # a live demande holds the VIN: not sent again
    REFUSEE_LOCALEMENT = "refusée localement"  # the file's row is wrong: nothing sent
    APPLIQUEE = "appliquée"  # the remover's action went through
    DEJA_FAIT = "déjà fait"  # the line was already in the status asked for
    LUE = "lue"  # read by `rpa removals status`
    ECHEC = "échec"  # a business or system failure (`LineOutcome.failure_kind`)
    REPORTE = "reporté"  # not started: the command stopped (refused sign-in, extranet down)
    PRIS_AILLEURS = "pris ailleurs"  # another worker or machine was on it

    @property
    def failed(self) -> bool:
        return self in (LineResult.REJETEE, LineResult.REFUSEE_LOCALEMENT, LineResult.ECHEC)

    @property
    def unfinished(self) -> bool:
        return self.failed or self in (LineResult.REPORTE, LineResult.PRIS_AILLEURS)


class Outcome(BaseModel):
    """What happened to one input row."""

    row: int
    key: str
    bdc: str = ""
    immat: str = ""
    vin: str = ""
    result: Result | Literal[""] = ""  # "" until the item has ended
    failure_kind: Kind | Literal[""] = ""  # when it failed: business or system
    reason: str = ""
    stage: str = ""
    devis: str = ""
    police: str = ""
    pdf: str = ""
    screenshot: str = ""  # the screen at the point of failure, in the run folder
    trace: str = ""  # the vehicle's Playwright trace (`rpa trace RUN ITEM`)
    started: dt.datetime | None = None
    finished: dt.datetime | None = None

    @property
    def failed(self) -> bool:
        return self.result is Result.ECHEC

    def cells(self) -> list[object]:
        return [
            self.row, self.key, self.bdc, self.immat, self.vin, self.result,
            self.failure_kind, self.reason, self.stage, self.devis, self.police, self.pdf,
            self.started.replace(tzinfo=None) if self.started else None,
            self.finished.replace(tzinfo=None) if self.finished else None,
        ]
