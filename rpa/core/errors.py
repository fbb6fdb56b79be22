"""One exception tree for the whole bot.

    RpaError
    ├── UsageError               bad configuration or command line        (exit code 2)
    │   ├── InputError           a bad work-queue spreadsheet: file, row, column
    │   ├── SignInRefused        a portal refused the configured credentials: the run stops
    │   └── ActionRefused        `rpa serve` will not start an action (a night under way,
    │                            a business failure rerun without saying it was fixed)
    ├── BusinessError            a rule of the process is not met; recorded in the
    │   │                        portal's own words and never retried
    │   └── PortalRefusal        a portal message recognised as a refusal (rpa/failures.py)
    └── SystemFailure            the machinery failed; retried with backoff, then recorded
        ├── PortalUnavailable    5xx, "service momentanément indisponible", a dead server,
        │                        an in-page "Erreur technique. Veuillez réessayer."
        ├── SessionExpired       the portal showed its login page (or `Se reconnecter`) again
        ├── UnconfirmedMessage   a message nobody wrote down: redone from a fresh start, and a
        │                        refusal (PortalRefusal) if it comes back the same
        ├── DocumentNotReady     the policy PDF is not listed yet (it comes a little later)
        ├── PageMismatch         an expected screen or element never showed up
        └── LedgerUnavailable    the shared PostgreSQL ledger went away mid-run

Playwright errors are wrapped at the page-object boundary with ``raise … from err`` so the
flows only ever see this tree.
"""

from __future__ import annotations

from dataclasses import dataclass


class RpaError(Exception):
    """Base of every error the bot raises on purpose. `portal`: the portal it happened on,
    when a page object raised it (a run stops when one portal keeps failing)."""

    code = "error"
    portal = ""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class UsageError(RpaError):
    code = "usage"


@dataclass(frozen=True)
class InputProblem:
    """One bad cell (or a whole bad file when row and column are None)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", ligne {self.row}"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"


class InputError(UsageError):
    """A work queue that cannot be trusted: nothing in it is attempted."""

    code = "bad_input"

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … et {len(problems) - 50} autres" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problème(s) dans le fichier :\n{lines}{more}")


class SignInRefused(UsageError):
    """A portal refused the configured credentials (wrong password, locked account, a password
    to renew…). Never tried again in the same run: a few refused sign-ins lock the account
    for every user of the site."""

    code = "sign_in_refused"

    def __init__(self, message: str, *, portal: str) -> None:
        super().__init__(message)
        self.portal = portal


class ActionRefused(UsageError):
    """An action asked of the console that would be refused or pointless, said as the
    command would say it."""

    code = "refused"


class BusinessError(RpaError):
    """A process rule is not met. `message` is in the portal's (or the rule's) own words."""

    code = "business"


class PortalRefusal(BusinessError):
    """The portal refused, in words the failure rule recognises (or that lasted)."""

    code = "portal_refusal"


class SystemFailure(RpaError):
    """Something that may work on a second try."""

    code = "system"


class LedgerUnavailable(SystemFailure):
    """Without its ledger the bot cannot checkpoint: it stops rather than act unrecorded."""

    code = "ledger_unavailable"


class PortalUnavailable(SystemFailure):
    code = "portal_unavailable"


class SessionExpired(SystemFailure):
    code = "session_expired"


class PageMismatch(SystemFailure):
    code = "page_mismatch"


class UnconfirmedMessage(SystemFailure):
    """A message shown in answer to the bot's action that the rule does not know. `text` is
    compared with what the same step says after a fresh start (`rpa/core/retry.py`)."""

    code = "unconfirmed_message"

    def __init__(self, message: str, *, text: str) -> None:
        super().__init__(message)
        self.text = text


class DocumentNotReady(SystemFailure):
    code = "document_not_ready"
