"""What a screen that never came is, and which error pages a user would reload: the two
judgements every wait of a page object ends with, kept apart from the waiting itself."""

from __future__ import annotations

from loguru import logger
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from tenacity import RetryCallState

from rpa.browser.launch import current_document
from rpa.core.errors import PageMismatch, PortalUnavailable, RpaError, SessionExpired
from rpa.core.failures import SHOWN_RE, Reading, read_messages
from rpa.pages import answers

# How many times an error page is reloaded, or a repeatable step redone, before the stage
# itself is retried.
ERROR_PAGE_RELOADS = 3


def diagnosis(page: Page, what: str, login: Locator | None) -> RpaError:
    """As a person would tell: the session ended, the portal said something (even before the
    action, if it is trouble), fields were left highlighted, an unknown dialog is in the way,
    or just a screen that never came."""
    if page.is_closed():
        return PageMismatch(f"{what} : l'onglet s'est fermé")
    try:
        if login is not None and (login.first.is_visible() or answers.session_prompt(page).is_visible()):
            return SessionExpired(f"{what} : la session a expiré (page de connexion affichée)")
        fresh = answers.texts_of(answers.messages(page))
        if fresh:
            failure = answers.answer_error(page, what, fresh)
            if failure is not None:
                return failure
        standing = answers.texts_of(answers.messages(page, fresh=False))
        if read_messages(standing) in (Reading.SESSION, Reading.TROUBLE, Reading.REFUSAL):
            # Said before the action and still said: a refusal or trouble that stands.
            failure = answers.answer_error(page, what, standing)
            if failure is not None:
                return failure
        refused = answers.highlighted_refusal(page)
        if refused is not None:
            return refused
        dialogs = [t.strip().splitlines()[0] for t in page.get_by_role("dialog").all_inner_texts() if t.strip()]
        url = page.url
    except PlaywrightError:
        return PageMismatch(f"{what} : l'élément attendu n'est pas apparu")
    if dialogs:
        return PageMismatch(f"{what} : l'écran attendu n'est pas venu, une fenêtre est restée ouverte (« {dialogs[0][:80]} »)")
    return PageMismatch(f"{what} : l'élément attendu n'est pas apparu (page {url})")


def error_page_to_reload(page: Page, exc: BaseException) -> bool:
    """Reload only an error page that a GET brought (a whole error page, or a portal's layout
    saying it failed): never resend a form, and an alert on a screen drawn by script is that
    screen's business (the step or the stage is done again, asking the portal first where
    money is involved)."""
    if not isinstance(exc, PortalUnavailable) or page.is_closed():
        return False
    document = current_document(page)
    if document is None or document.method != "GET":
        return False
    try:
        return (document.status >= 500 or answers.new_document_since_action(page)
                or bool(SHOWN_RE.search(page.title())))
    except PlaywrightError:
        return False


def log_repeat(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    logger.warning("{} : étape refaite ({}/{})", exc, state.attempt_number, ERROR_PAGE_RELOADS)


def log_reload(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    logger.warning("{} : rechargement de la page ({}/{})", exc, state.attempt_number, ERROR_PAGE_RELOADS)
