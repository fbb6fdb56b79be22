"""What every page object shares: loose label matching, tables, fields, alerts, diagnosis.

The portals are third-party sites: labels change case and accents between screens
(`Cloturé` / `Clôturé`), required fields grow a `*`, some labels hold others (`Nom` is in
`Prenom`). So labels are matched as whole names, ignoring case, accents, a trailing `*`
or `:`. Tables are found by the column headers a user reads, not by their markup.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

from loguru import logger
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from rpa.browser import current_document
from rpa.errors import BusinessError, PageMismatch, PortalUnavailable, SessionExpired
from rpa.pages.soon import soon
from rpa.together import pause

T = TypeVar("T")

_ACCENTS = {
    "a": "aàâäá", "e": "eéèêë", "i": "iîïí", "o": "oôöó", "u": "uùûüú", "c": "cç",
}
# Pages a portal shows when it is down rather than when a rule is broken.
# How many times an error page is reloaded before the stage itself is retried.
ERROR_PAGE_RELOADS = 3

# Shown instead of a screen (strict: these words never appear on a working screen).
UNAVAILABLE_SHOWN_RE = re.compile(
    r"momentan[ée]ment indisponible|service (temporarily )?unavailable|bad gateway"
    r"|internal server error|gateway time-?out|HTTP ERROR 5\d\d|ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE",
    re.I,
)
UNAVAILABLE_RE = re.compile(
    r"momentan[ée]ment indisponible|service unavailable|bad gateway|internal server error"
    r"|gateway time-?out|erreur (interne|serveur)|\b50[0-9]\b",
    re.I,
)


def _base_char(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


def loose(text: str) -> str:
    """A regex source matching `text` whatever its case, accents and spacing."""
    out = []
    for ch in text.strip():
        base = _base_char(ch).lower()
        if ch.isspace():
            out.append(r"\s+")
        elif base in _ACCENTS:
            out.append(f"[{_ACCENTS[base]}]")
        elif ch in "'’":
            out.append("['’]")  # replicas type the apostrophe either way
        elif ch == "/":
            out.append(r"\/")  # Playwright sends the pattern as a JS regex literal
        else:
            out.append(re.escape(ch))
    return "".join(out)


def name_re(text: str) -> re.Pattern[str]:
    """A whole accessible name: `Nom` matches `Nom*` and `Nom :` but never `Prenom`."""
    return re.compile(rf"^\s*{loose(text)}\s*\*?\s*:?\s*$", re.IGNORECASE)


def starts_re(text: str) -> re.Pattern[str]:
    """An accessible name that begins with `text` (cards carry a count: `DEVIS OUVERTS 2`)."""
    return re.compile(rf"^\s*{loose(text)}\b", re.IGNORECASE)


def same(a: str, b: str) -> bool:
    """Equal ignoring case, accents and spaces (PORTALS.md's rule for comparing values)."""

    def norm(s: str) -> str:
        return re.sub(r"\s+", "", _base_char(s)).casefold()

    return norm(a) == norm(b)


def read_control(control: Locator) -> str:
    """What a user reads in a form control: the text of a chosen option, a box's value."""
    return str(
        control.evaluate(
            """el => {
                if (el.tagName === 'SELECT') {
                    const o = el.selectedOptions[0];
                    return o && o.value !== '' ? o.textContent.trim() : '';
                }
                if (el.type === 'checkbox' || el.type === 'radio') return el.checked ? 'Oui' : '';
                if ('value' in el) return el.value.trim();
                return el.textContent.trim();
            }"""
        )
    )


def write_control(control: Locator, value: str) -> None:
    """Type or pick `value` the way the control takes it."""
    kind = str(control.evaluate("el => el.tagName === 'SELECT' ? 'select' : (el.type || '')"))
    if kind == "select":
        options = [str(o) for o in control.evaluate("el => Array.from(el.options).map(o => o.textContent.trim())")]
        match = next((o for o in options if same(o, value)), None)
        if match is None:
            raise BusinessError(
                f"Valeur « {value} » absente de la liste (choix : {', '.join(o for o in options if o)})",
                code="unknown_option",
            )
        control.select_option(label=match)
    elif kind in ("checkbox", "radio"):
        control.set_checked(value.strip().casefold() in ("oui", "1", "true", "x", "vrai"))
    else:
        control.fill(value)


def clickable(scope: Page | Locator, name: re.Pattern[str]) -> Locator:
    """A card, tab or menu entry: portals draw them as links, buttons or tabs."""
    return (
        scope.get_by_role("link", name=name)
        .or_(scope.get_by_role("button", name=name))
        .or_(scope.get_by_role("tab", name=name))
    ).first


def choice(scope: Page | Locator, role: str, name: str) -> Locator:
    """A checkbox or radio named `name`, or else the one in the table row that says it."""
    labelled = scope.get_by_role(role, name=name_re(name))  # type: ignore[arg-type]
    in_row = scope.get_by_role("row").filter(has_text=re.compile(loose(name), re.I)).get_by_role(role)  # type: ignore[arg-type]
    return labelled.or_(in_row).first


class Table:
    """A data table found by the column headers a user sees."""

    def __init__(self, scope: Page | Locator, *columns: str) -> None:
        self.columns = columns
        locator = scope.get_by_role("table")
        for column in columns:
            locator = locator.filter(has=scope.get_by_role("columnheader", name=name_re(column)))
        self.locator = locator.first

    def headers(self) -> list[str]:
        return [h.strip() for h in self.locator.get_by_role("columnheader").all_inner_texts()]

    def body_rows(self) -> list[Locator]:
        """Data rows: rows that have cells (the header row has only column headers)."""
        return [r for r in self.locator.get_by_role("row").all() if r.get_by_role("cell").count()]

    def records(self) -> list[dict[str, str]]:
        headers = self.headers()
        # One round trip for an HTML table; row by row through roles for anything else.
        fast = self.locator.get_by_role("row").evaluate_all(
            """rows => rows.every(r => r.cells) ? rows
                 .filter(r => Array.from(r.cells).some(c => c.tagName === 'TD'))
                 .map(r => Array.from(r.cells).map(c => c.innerText.trim())) : null"""
        )
        if fast is not None:
            return [dict(zip(headers, cells)) for cells in fast]
        records = []
        for row in self.body_rows():
            cells = [c.strip() for c in row.get_by_role("cell").all_inner_texts()]
            if len(cells) < len(headers):  # a row header (`th scope=row`) leads the row
                cells = [c.strip() for c in row.get_by_role("rowheader").all_inner_texts()] + cells
            records.append(dict(zip(headers, cells)))
        return records

    def row_with(self, text: str) -> Locator:
        """The row holding a cell whose whole text is `text` (a BDC number, a police)."""
        cell = self.locator.page.get_by_role("cell", name=name_re(text))
        return self.locator.get_by_role("row").filter(has=cell).first

    def wait(self, timeout: float | None = None) -> Table:
        soon(expect(self.locator).to_be_visible, timeout)
        return self


class BasePage:
    """A screen of a portal. Subclasses say what shows it has loaded (`landmark`)."""

    def __init__(self, page: Page, *, wait: bool = True) -> None:
        self.page = page
        if wait:
            self.wait_until_loaded()

    def landmark(self) -> Locator:
        raise NotImplementedError

    def login_landmark(self) -> Locator | None:
        """What this portal's login page shows; seeing it means the session was lost."""
        return None

    def wait_until_loaded(self) -> None:
        self.await_one(f"écran {type(self).__name__}", self.landmark())

    def await_one(self, what: str, *candidates: Locator, watch_login: bool = True) -> int:
        """Wait until one of `candidates` shows and return its index.

        The portal's login page is watched too (unless we are on it, signing in): a session
        lost mid-way is reported at once as SessionExpired instead of after a timeout.
        """
        login = self.login_landmark() if watch_login else None
        notice = self.unavailable_notice()
        watched = [c.first for c in candidates] + ([login.first] if login is not None else [])
        anything = notice
        for other in watched:
            anything = anything.or_(other)
        reloads = Retrying(
            sleep=pause,  # in a worker, only that worker waits
            retry=retry_if_exception(self._reloadable), stop=stop_after_attempt(1 + ERROR_PAGE_RELOADS),
            wait=wait_exponential_jitter(initial=0.3, max=3), before_sleep=self._log_reload, reraise=True,
        )
        for attempt in reloads:
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    with self.diagnosed(f"{what} (rechargement)"):
                        self.page.reload()  # what a user does on an error page: F5
                with self.diagnosed(what):
                    soon(expect(anything.first).to_be_visible)
                for index, candidate in enumerate(watched[: len(candidates)]):
                    if candidate.is_visible():
                        return index
                if login is not None and login.first.is_visible():
                    raise SessionExpired(f"{what} : la session a expiré (page de connexion affichée)")
                said = next((t.strip() for t in notice.all_inner_texts() if t.strip()), "")
                raise PortalUnavailable(f"{what} : portail indisponible ({said[:120]})")
        raise AssertionError("unreachable: the last attempt returns or raises")

    def await_event(self, what: str, event: Literal["download", "popup"], action: Callable[[], object],
                    refusal: Callable[[], None] | None = None, timeout_ms: float = 15_000) -> Any:
        """Do `action` and wait for the browser event it causes (a download, a popup window),
        watching meanwhile for a portal error instead (and `refusal`, which raises a business
        refusal shown on the page): a download that turned into an error page is seen at once."""
        got: list[Any] = []

        def collect(value: Any) -> None:
            got.append(value)

        self.page.on(event, collect)
        try:
            self.act(what, action)
            waited = 0.0
            while not got:
                if refusal is not None:
                    refusal()
                if self.unavailable_notice().is_visible() or waited >= timeout_ms:
                    raise self.diagnose(what)
                try:
                    self.page.wait_for_event(event, timeout=250)
                except PlaywrightTimeoutError:
                    waited += 250
        finally:
            self.page.remove_listener(event, collect)
        return got[0]

    def repeatable(self, what: str, action: Callable[[], object], *landings: Locator) -> int:
        """A step that is safe to send twice (a search, a wizard `Suivant`, never a purchase):
        when the portal answers it with an error, go back to this screen if it is gone and
        do it again, as a user would. Returns the index of the landing that showed."""
        policy = Retrying(
            sleep=pause,  # in a worker, only that worker waits
            retry=retry_if_exception_type(PortalUnavailable), stop=stop_after_attempt(1 + ERROR_PAGE_RELOADS),
            wait=wait_exponential_jitter(initial=0.3, max=3), before_sleep=self._log_repeat, reraise=True,
        )
        for attempt in policy:
            with attempt:
                if attempt.retry_state.attempt_number > 1 and not self.landmark().first.is_visible():
                    self.act(f"{what} (retour)", self.page.go_back)
                    self.wait_until_loaded()
                self.act(what, action)
                return self.await_one(what, *landings)
        raise AssertionError("unreachable: the last attempt returns or raises")

    @staticmethod
    def _log_repeat(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        logger.warning("{} : étape refaite ({}/{})", exc, state.attempt_number, ERROR_PAGE_RELOADS)

    def _reloadable(self, exc: BaseException) -> bool:
        """Reload only a whole error page that a GET brought: never resend a form, and a
        banner on a working screen is the screen's business (the stage is retried)."""
        if not isinstance(exc, PortalUnavailable) or self.page.is_closed():
            return False
        document = current_document(self.page)
        if document is None or document[0] != "GET":
            return False
        try:
            return document[1] >= 500 or bool(UNAVAILABLE_SHOWN_RE.search(self.page.title()))
        except PlaywrightError:
            return False

    @staticmethod
    def _log_reload(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        logger.warning("{} : rechargement de la page ({}/{})", exc, state.attempt_number, ERROR_PAGE_RELOADS)

    def unavailable_notice(self) -> Locator:
        """What a portal, its proxy or the browser shows instead of the screen when the
        service is down: seen at once rather than after a timeout."""
        return self.page.get_by_text(UNAVAILABLE_SHOWN_RE).first

    # -- reading messages ------------------------------------------------------------
    def alerts(self, scope: Locator | None = None) -> list[str]:
        """The visible messages a portal raises (validation, business refusals)."""
        where = scope or self.page
        texts = []
        for alert in where.get_by_role("alert").all():
            if alert.is_visible():
                text = alert.inner_text().strip()
                if text:
                    texts.append(text)
        return texts

    # -- failure diagnosis ------------------------------------------------------------
    @contextmanager
    def diagnosed(self, what: str) -> Iterator[None]:
        """Turn a Playwright failure into the bot's error tree, saying what the user saw."""
        try:
            yield
        except (PlaywrightTimeoutError, AssertionError, PlaywrightError) as err:
            raise self.diagnose(what) from err

    def diagnose(self, what: str) -> Exception:
        try:
            login = self.login_landmark()
            if login is not None and login.first.is_visible():
                return SessionExpired(f"{what} : la session a expiré (page de connexion affichée)")
            body = "" if self.page.is_closed() else str(
                self.page.evaluate("() => document.body ? document.body.innerText : ''")
            )
        except PlaywrightError:
            body = ""
        if UNAVAILABLE_RE.search(body[:2000]):
            first_line = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
            return PortalUnavailable(f"{what} : portail indisponible ({first_line[:120]})")
        url = "" if self.page.is_closed() else self.page.url
        return PageMismatch(f"{what} : l'élément attendu n'est pas apparu (page {url})")

    def act(self, what: str, action: Callable[[], T]) -> T:
        with self.diagnosed(what):
            return action()
