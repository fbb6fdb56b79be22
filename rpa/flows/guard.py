"""What stops a whole run rather than one item, shared by the run's workers.

- A portal that refuses the credentials (wrong password, locked account, a password to
  renew): a second try could lock the account for every user of the site, so a run signs in
  to a portal one worker at a time and never again after a refusal. The run stops at once
  (exit code 2: the configuration is wrong), the items not started are deferred.
- A portal that stays down: after `down_after` items in a row end in a system failure on the
  same portal, the rest are deferred rather than each burning its retry budget on a portal
  that is not there (exit code 1). The next run resumes them from the ledger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from loguru import logger

from rpa.core.errors import SignInRefused
from rpa.core.waiting import pause

# How often a worker waiting for another's sign-in looks again (seconds).
_SIGN_IN_POLL_S = 0.1


@dataclass(frozen=True)
class Stop:
    """Why a run stopped early, in one line, and the exit code it owes."""

    reason: str
    exit_code: int


@dataclass
class RunGuard:
    down_after: int = 3
    stopped: Stop | None = None
    _down: Counter[str] = field(default_factory=Counter)
    _signing: set[str] = field(default_factory=set)
    _refused: dict[str, SignInRefused] = field(default_factory=dict)

    def stop(self, reason: str, exit_code: int) -> None:
        """Stop the run (the first reason wins: it is the cause, the rest its consequences)."""
        if self.stopped is None:
            self.stopped = Stop(reason, exit_code)
            logger.error("run arrêté : {}", reason)

    @contextmanager
    def signing_in(self, portal: str) -> Iterator[None]:
        """One sign-in at a time per portal, and none after a refusal."""
        while portal in self._signing and portal not in self._refused:
            pause(_SIGN_IN_POLL_S)  # another worker's attempt: its answer decides for us too
        if portal in self._refused:
            raise self._refused[portal]
        self._signing.add(portal)
        try:
            yield
        except SignInRefused as refused:
            self._refused[portal] = refused
            self.stop(refused.message, 2)
            raise
        finally:
            self._signing.discard(portal)

    def item_ended(self, *, system_failure_on: str = "") -> None:
        """Count items in a row that ended in a system failure on one portal; anything else
        (done, a business failure, another portal) shows the portal answers."""
        if not system_failure_on:
            self._down.clear()
            return
        for other in [p for p in self._down if p != system_failure_on]:
            del self._down[other]
        self._down[system_failure_on] += 1
        if self._down[system_failure_on] >= self.down_after:
            self.stop(f"{system_failure_on} ne répond plus : {self._down[system_failure_on]} éléments de suite "
                      "en échec système ; le reste est reporté au prochain run", 1)

    def unreachable(self, portal: str, message: str) -> None:
        """A portal the run needs could not be reached at all (checked before the first item)."""
        self.stop(f"{portal or 'portail'} indisponible : {message}", 1)
