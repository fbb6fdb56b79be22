"""The failure rule: a portal's refusal or a portal's trouble, judged by what a message says.

A *business* failure is only
  (a) a rule of the process the bot checks itself (statut, Code RRD1, garantie, offer
      mapping, a field that disagrees with the queue…), raised as `BusinessError`;
  (b) a portal message recognised as a refusal: the ones PORTALS.md lists (`Le champ … est
      obligatoire`, `Ce devis a expiré`, `Ce véhicule a déjà été déclaré`, `Rejetée : …`,
      credentials refused), or a message tied to a field the portal highlighted;
  (c) a message nobody wrote down that comes back *the same* after the step was redone from
      a fresh start: what a person does ("try again; if it still says so, it is real").
Everything else is *system*: technical errors, unavailability, HTTP codes, time-outs, a
session that ended, a screen that never came. It is retried with backoff from a fresh start.

Where a portal puts a message (an alert in a wizard step, a banner, a whole page) says
nothing: the real portals, and replicas built by other hands, show trouble their own way.
And only a message that appeared *in answer to the bot's action* is an answer: a notice
that was on the page before (a maintenance window announced on every page) is neither.
This module reads words; `rpa/pages/base.py` decides what was new; the per-item boundary
(`classify`) and the retry policy (`rpa/core/retry.py`) apply the verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rpa.core.errors import BusinessError, RpaError


class Reading(StrEnum):
    """What a message is, by its words. Ordered from the most to the least telling."""

    SESSION = "session terminée"  # the portal signed the user out: sign in, start again
    TROUBLE = "incident"  # the portal failed: retried
    REFUSAL = "refus"  # the portal refused what was asked: recorded, never retried
    UNKNOWN = "inconnu"  # nobody wrote it down: retried once; real if it comes back the same
    INFO = "information"  # a notice, a success: not an answer that stops anything


class Kind(StrEnum):
    """The two kinds of failure a run records (results workbook, ledger, reports)."""

    BUSINESS = "métier"
    SYSTEM = "système"


# A notice about a window to come, or the cookie banner: information, never trouble.
NOTICE_RE = re.compile(
    r"\b(sera|seront)\b[^.;!]*\b(indisponibles?|interrompus?|perturb|inaccessibles?|ferm)"
    r"|maintenance\s+(programm|planifi|pr[ée]vue)|\bcookies?\b",
    re.I,
)
SUCCESS_RE = re.compile(
    r"avec succ[èe]s|a bien [ée]t[ée] (enregistr|prise|cr[ée]|envoy)|brouillon a [ée]t[ée] sauvegard",
    re.I,
)
SESSION_RE = re.compile(
    r"session\b[^.;!]*\b(expir|termin|interrompu|perdue|invalide|ferm[ée])|session expir"
    r"|veuillez vous reconnecter|se reconnecter|[ée]t[ée] d[ée]connect[ée]|sign(ed)?[ -]?(in|out) again"
    r"|log ?in again",
    re.I,
)
TROUBLE_RE = re.compile(
    r"erreur (technique|interne|serveur|syst[èe]me|inattendue|r[ée]seau|de communication)"
    r"|une erreur (inattendue )?(est survenue|s.est produite)|technical error|unexpected error"
    r"|internal server error|something went wrong|r[ée]-?essay|try again"
    r"|impossible de (joindre|contacter|se connecter|charger|communiquer)"
    r"|indisponible|unavailable|injoignable|unreachable|inaccessible|en maintenance|maintenance en cours"
    r"|bad gateway|gateway time-?out|time-?d? ?out|d[ée]lai (d.attente )?(d[ée]pass|expir)"
    r"|trop de requ[êe]tes|too many requests|\bHTTP\b\s*(ERROR\s*)?[45]\d\d"
    r"|\b(erreur|error|code|statut|status)\s*:?\s*\(?\s*[45]\d\d\b|\(\s*5\d\d\s*\)"
    r"|\b5\d\d\s+(bad|internal|service|gateway)|\bERR_[A-Z_]{4,}|net::",
    re.I,
)
REFUSAL_RE = re.compile(
    r"\ble champ\b.+\best obligatoire|\bchamp obligatoire|\best obligatoire"
    r"|\bce devis a expir|d[ée]j[àa] [ée]t[ée] d[ée]clar|^\s*rejet[ée]e?\s*:"
    r"|identifiant ou mot de passe incorrect"
    r"|(nom d.utilisateur|identifiant|adresse e-?mail|e-?mail|mot de passe)\b[^.;!]*\b(incorrect|invalide|erron)"
    r"|\bcompte\b[^.;!]*\b(verrouill|bloqu|d[ée]sactiv|suspendu|expir)"
    r"|mot de passe\b[^.;!]*\bexpir|\bformat attendu|\bcolonnes? attendue|\bnon cl[ôo]tur"
    r"|\bdoit (avoir|comporter|contenir|[êe]tre)\b|\bcode rrd1\b|\bmanquante?s?\b"
    r"|\bimpossible\b|n.est (plus |pas )?(possible|autoris|permis)|\bnon (autoris|permis)|\binterdit"
    r"|\b(aucune?|pas|non)\b[^.;!]{0,24}\bvalides?\b|\binvalides?\b",
    re.I,
)
# The texts a screen can show *instead of* what the bot waits for, found on the page whatever
# element holds them: strict sentences, so that a word in a table cell is never taken for one.
SHOWN_RE = re.compile(
    r"momentan[ée]ment indisponible|service (temporairement )?indisponible|erreur technique"
    r"|erreur (interne|inattendue)|une erreur (inattendue )?(est survenue|s.est produite)"
    r"|veuillez r[ée]essayer|bad gateway|internal server error|service (temporarily )?unavailable"
    r"|gateway time-?out|HTTP ERROR [45]\d\d|ERR_[A-Z_]{4,}|injoignable"
    r"|session a expir|session expir[ée]e|veuillez vous reconnecter"
    r"|le champ .+ est obligatoire|ce devis a expir|d[ée]j[àa] [ée]t[ée] d[ée]clar"
    r"|identifiant ou mot de passe incorrect|mot de passe incorrect",
    re.I,
)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")


def read_message(text: str) -> Reading:
    """Read one message by its words. Sentences announcing a window to come are left out
    first, so a notice glued to a real error does not hide it."""
    kept = [s for s in _SENTENCE_RE.split(text) if s.strip() and not NOTICE_RE.search(s)]
    said = " ".join(kept).strip()
    if not said:
        return Reading.INFO
    if SESSION_RE.search(said):
        return Reading.SESSION
    if TROUBLE_RE.search(said):
        return Reading.TROUBLE
    if REFUSAL_RE.search(said):
        return Reading.REFUSAL
    if SUCCESS_RE.search(said):
        return Reading.INFO
    return Reading.UNKNOWN


def read_messages(texts: Iterable[str]) -> Reading:
    """The most telling reading of several messages shown together (trouble beats refusal:
    a refusal read while the portal fails may be the failure's doing, and is retried)."""
    readings = [read_message(t) for t in texts]
    return min(readings, key=list(Reading).index, default=Reading.INFO)


def said(texts: Iterable[str]) -> str:
    """Several messages as one line, in the portal's words, each line once."""
    lines: list[str] = []
    for text in texts:
        for line in text.splitlines():
            line = line.strip()
            if line and line not in lines:
                lines.append(line)
    return " ; ".join(lines)


@dataclass(frozen=True)
class Failure:
    """What the per-item boundary records."""

    kind: Kind
    message: str


def classify(exc: BaseException) -> Failure:
    """The boundary's verdict on whatever ended an item: business only for the bot's own rules
    and recognised refusals (`BusinessError`); anything else, the bot's own bugs included, is
    a system failure, and the queue goes on."""
    if isinstance(exc, BusinessError):
        return Failure(Kind.BUSINESS, exc.message)
    if isinstance(exc, RpaError):
        return Failure(Kind.SYSTEM, exc.message)
    first_line = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    return Failure(Kind.SYSTEM, f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__)
