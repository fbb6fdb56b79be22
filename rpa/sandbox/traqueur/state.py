"""The Traqueur Extranet PRO's world (PORTALS.md §4): accounts, distributors, tracked
vehicles and the removal requests ("demandes de dépose") between them.

A requester (demandeur, a rental company) uploads a spreadsheet naming, per vehicle, the
remover (déposeur, a storage centre, by its distributor code) who must take the tracker
box out; the requester's lines then live in one `Demande`. Each line moves on its own:

    Prévenu ──Accepter──> Acceptée
       │  └──Refuser / Signaler / Annuler──┐  │ Refuser / Signaler / Annuler
       └───────────────────────────────────┴──┴──> Refusée | Effectuée | Annulée (final)

This module only imports pydantic, so `rpa.sandbox.state` can embed it without a cycle;
the seed world is in `rpa.sandbox.traqueur.seed`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

PREVENU = "Prévenu"
ACCEPTEE = "Acceptée"
EFFECTUEE = "Effectuée"
REFUSEE = "Refusée"
ANNULEE = "Annulée"

ACTIVE = (PREVENU, ACCEPTEE)
FINAL = (EFFECTUEE, REFUSEE, ANNULEE)

# Which status each action may start from, and where it leads (PORTALS.md §4; Signaler is
# allowed straight from Prévenu, as the guide says: "vous pouvez passer de Prévenu à
# Signaler directement").
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accepter": ((PREVENU,), ACCEPTEE),
    "refuser": (ACTIVE, REFUSEE),
    "signaler": (ACTIVE, EFFECTUEE),
    "annuler": (ACTIVE, ANNULEE),
}


class IllegalTransition(Exception):
    """An action the line's current status does not allow; the status is left as it is."""

    def __init__(self, statut: str) -> None:
        super().__init__(f"Action impossible : la demande est {statut}")
        self.statut = statut


class TraqueurAccount(BaseModel):
    email: str  # the sign-in
    password: str
    name: str  # shown as `MON COMPTE : <name>`, e.g. SIXT SAS
    kind: Literal["demandeur", "deposeur"]
    distributor_code: str  # requester: `Code distributeur demandeur`; remover: its own code
    contact_email: str  # where the portal's e-mails to this account go


class Distributor(BaseModel):
    """A remover as a request file names it (`Code Distributeur`)."""

    code: str
    name: str
    email: str


class TrackedVehicle(BaseModel):
    vin: str
    abonnement: str  # the Traqueur subscription number, e.g. 140200C28
    marque: str
    modele: str
    owner_email: str  # the requester account the vehicle belongs to
    emplacement: str = ""  # `Emplacement déclaré`, e.g. Y4B


class StatusChange(BaseModel):
    when: dt.datetime
    old: str
    new: str
    by: str  # the account e-mail that made the change


class DemandeLine(BaseModel):
    vin: str
    abonnement: str
    marque: str = ""
    modele: str = ""
    code_distributeur: str
    lieu: str = ""
    date_souhaitee: str = ""  # JJ/MM/AAAA, as typed in the file
    commentaires: str = ""
    statut: str = PREVENU
    motif_refus: str = ""
    date_depose: str = ""  # JJ/MM/AAAA hh:mm:ss
    boitier: str = ""  # the box number's last 7 digits
    technicien: str = ""
    history: list[StatusChange] = Field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.statut in FINAL

    def apply(self, action: str, by: str, when: dt.datetime | None = None) -> str:
        """Move the line on by `action`, or raise `IllegalTransition` and change nothing."""
        allowed, new = TRANSITIONS[action]
        if self.statut not in allowed:
            raise IllegalTransition(self.statut)
        self.history.append(StatusChange(when=when or dt.datetime.now(), old=self.statut,
                                         new=new, by=by))
        self.statut = new
        return new


class Demande(BaseModel):
    numero: int
    created: dt.date
    requester: str  # the requester account's e-mail
    email_suivi: str
    description: str = ""
    lines: list[DemandeLine]
    # The upload this demande came from, so a second CONFIRMER of it creates nothing.
    upload_token: str = ""

    def summary(self) -> str:
        """`Résumé (nb)`: `Total : 2 dont acceptées : 0 dont effectuées : 0`."""
        accepted = sum(1 for line in self.lines if line.statut == ACCEPTEE)
        done = sum(1 for line in self.lines if line.statut == EFFECTUEE)
        return f"Total : {len(self.lines)} dont acceptées : {accepted} dont effectuées : {done}"


class TraqueurState(BaseModel):
    accounts: list[TraqueurAccount] = Field(default_factory=list)
    distributors: list[Distributor] = Field(default_factory=list)
    vehicles: list[TrackedVehicle] = Field(default_factory=list)
    demandes: list[Demande] = Field(default_factory=list)
    next_demande: int = 63

    # -- look-ups -------------------------------------------------------------------
    def account(self, email: str) -> TraqueurAccount | None:
        wanted = email.strip().lower()
        return next((a for a in self.accounts if a.email.lower() == wanted), None)

    def account_by_code(self, code: str) -> TraqueurAccount | None:
        return next((a for a in self.accounts if a.distributor_code == code), None)

    def distributor(self, code: str) -> Distributor | None:
        wanted = code.strip().upper()
        return next((d for d in self.distributors if d.code == wanted), None)

    def vehicle(self, vin: str) -> TrackedVehicle | None:
        wanted = vin.strip().upper()
        return next((v for v in self.vehicles if v.vin == wanted), None)

    def vehicles_of(self, email: str) -> list[TrackedVehicle]:
        wanted = email.strip().lower()
        return [v for v in self.vehicles if v.owner_email.lower() == wanted]

    def demande(self, numero: int) -> Demande | None:
        return next((d for d in self.demandes if d.numero == numero), None)

    def demande_for_upload(self, token: str) -> Demande | None:
        return next((d for d in self.demandes if token and d.upload_token == token), None)

    def demandes_of(self, email: str) -> list[Demande]:
        """A requester's demandes, newest first."""
        wanted = email.strip().lower()
        mine = [d for d in self.demandes if d.requester.lower() == wanted]
        return sorted(mine, key=lambda d: (d.created, d.numero), reverse=True)

    def active_line(self, vin: str) -> DemandeLine | None:
        """The line, if any, still waiting on a remover for this VIN (Prévenu or Acceptée)."""
        wanted = vin.strip().upper()
        for demande in self.demandes:
            for line in demande.lines:
                if line.vin == wanted and line.statut in ACTIVE:
                    return line
        return None

    def lines_for_remover(self, code: str) -> list[tuple[Demande, int, DemandeLine]]:
        """Every line addressed to this distributor code, newest demande first."""
        found = []
        for demande in sorted(self.demandes, key=lambda d: (d.created, d.numero), reverse=True):
            for index, line in enumerate(demande.lines):
                if line.code_distributeur == code:
                    found.append((demande, index, line))
        return found

    def new_demande_number(self) -> int:
        self.next_demande += 1
        return self.next_demande - 1
