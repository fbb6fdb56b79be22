"""The two retry policies, for every flow: bounded retries of system failures, and the
longer wait for a policy PDF the portal makes a little after the purchase.

Business failures are never retried: a broken rule stays broken on a second try. A message
the failure rule does not know (`UnconfirmedMessage`) is retried like trouble, from a fresh
start; if the same words come back, the portal meant it: it is a refusal from then on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from loguru import logger
from playwright.sync_api import Error as PlaywrightError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from rpa.core.errors import (
    BusinessError,
    DocumentNotReady,
    PortalRefusal,
    SystemFailure,
    UnconfirmedMessage,
    UsageError,
)
from rpa.core.waiting import pause

T = TypeVar("T")


class RetryPolicy(Protocol):
    """What a retry needs to know (the settings' `retry` section: RPA_RETRY__…)."""

    attempts: int
    wait_initial_s: float
    wait_max_s: float
    document_wait_s: float


def is_system_failure(exc: BaseException) -> bool:
    """Retry what may work on a second try; never a broken rule or a bad configuration."""
    if isinstance(exc, (BusinessError, UsageError)):
        return False
    return isinstance(exc, (SystemFailure, PlaywrightError))


def log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0
    if isinstance(exc, DocumentNotReady):  # expected: the portal makes the PDF after the sale
        logger.info("{}, nouveau regard dans {:.1f} s", exc, wait)
    else:
        logger.warning("échec système ({}), nouvel essai {} dans {:.1f} s", exc, state.attempt_number + 1, wait)


def confirming(fn: Callable[[], T]) -> Callable[[], T]:
    """`fn`, with the person's rule for a message nobody wrote down: the second time the same
    words answer the same step, they are the portal's refusal (in its words), not trouble."""
    heard: set[str] = set()

    def attempt() -> T:
        try:
            return fn()
        except UnconfirmedMessage as err:
            words = " ".join(err.text.split()).casefold()
            if words in heard:
                raise PortalRefusal(err.text, code="confirmed_refusal") from err
            heard.add(words)
            raise

    return attempt


def retrying(retry: RetryPolicy, what: str, fn: Callable[[], T]) -> T:
    """Run `fn`, again on system failures only, a bounded number of times: the queue must go on."""
    policy = Retrying(
        sleep=pause,  # in a worker, only that worker waits
        retry=retry_if_exception(is_system_failure),  # business failures are final
        stop=stop_after_attempt(retry.attempts),  # bounded: the queue must go on
        wait=wait_exponential_jitter(initial=retry.wait_initial_s, max=retry.wait_max_s),
        before_sleep=log_retry,  # every retry is visible in the log
        reraise=True,  # the last real error, not a RetryError, reaches the boundary
    )
    logger.debug("étape : {}", what)
    return policy(confirming(fn))


def waiting_for_document(retry: RetryPolicy, fn: Callable[[], T]) -> T:
    """Like `retrying`, but bounded in time: the PDF "may appear a little after the purchase"."""
    policy = Retrying(
        sleep=pause,  # in a worker, only that worker waits
        retry=retry_if_exception(is_system_failure),
        stop=stop_after_delay(retry.document_wait_s),  # minutes, not attempts
        wait=wait_exponential_jitter(initial=retry.wait_initial_s, max=retry.wait_max_s),
        before_sleep=log_retry,
        reraise=True,
    )
    return policy(fn)
