"""What every page object shares: loose label matching, tables, fields, waiting, diagnosis.

The portals are third-party sites: labels change case and accents between screens
(`Cloturé` / `Clôturé`), required fields grow a `*`, some labels hold others (`Nom` is in
`Prenom`). So labels are matched as whole names, ignoring case, accents, a trailing `*`
or `:`. Tables are found by the column headers a user reads, not by their markup.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, Literal, TypeVar

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from tenacity import (
    Retrying,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from rpa.browser.launch import current_document, screen_timeout_ms
from rpa.core.errors import BusinessError, PortalUnavailable, RpaError, SessionExpired
from rpa.core.failures import Reading, read_messages
from rpa.core.text import same
from rpa.core.waiting import pause
from rpa.pages import answers
from rpa.pages.diagnosis import (
    ERROR_PAGE_RELOADS,
    diagnosis,
    error_page_to_reload,
    log_reload,
    log_repeat,
)
from rpa.pages.soon import SLICE_MS, soon

T = TypeVar("T")
P = TypeVar("P", bound="BasePage")

_ACCENTS = {
    "a": "aàâäá", "e": "eéèêë", "i": "iîïí", "o": "oôöó", "u": "uùûüú", "c": "cç",
}


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


def button(scope: Page | Locator, name: re.Pattern[str]) -> Locator:
    """A button as a person sees one: a portal's next release may draw it as a link."""
    return scope.get_by_role("button", name=name).or_(scope.get_by_role("link", name=name)).first


def cell(scope: Page | Locator, name: re.Pattern[str] | None = None) -> Locator:
    """A table cell, or a grid's (`gridcell`), optionally by its whole text."""
    if name is None:
        return scope.get_by_role("cell").or_(scope.get_by_role("gridcell"))
    return scope.get_by_role("cell", name=name).or_(scope.get_by_role("gridcell", name=name))


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
    """A data table found by the column headers a user sees (a `table`, or an ARIA `grid`)."""

    def __init__(self, scope: Page | Locator, *columns: str) -> None:
        self.columns = columns
        locator = scope.get_by_role("table").or_(scope.get_by_role("grid"))
        for column in columns:
            locator = locator.filter(has=scope.get_by_role("columnheader", name=name_re(column)))
        self.locator = locator.first

    def headers(self) -> list[str]:
        return [h.strip() for h in self.locator.get_by_role("columnheader").all_inner_texts()]

    def rows(self) -> Locator:
        """Data rows: rows that have cells (the header row has only column headers)."""
        return self.locator.get_by_role("row").filter(has=cell(self.locator.page))

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
        for row in self.rows().all():
            cells = [c.strip() for c in cell(row).all_inner_texts()]
            if len(cells) < len(headers):  # a row header (`th scope=row`) leads the row
                cells = [c.strip() for c in row.get_by_role("rowheader").all_inner_texts()] + cells
            records.append(dict(zip(headers, cells)))
        return records

    def row_with(self, text: str) -> Locator:
        """The row holding a cell whose whole text is `text` (a BDC number, a police)."""
        return self.locator.get_by_role("row").filter(has=cell(self.locator.page, name_re(text))).first

    def wait(self, timeout: float | None = None) -> Table:
        soon(expect(self.locator).to_be_visible, timeout)
        return self


class BasePage:
    """A screen of a portal. Subclasses say what shows it has loaded (`landmark`).

    Every wait for a screen also listens for the portal's answer that is not that screen:
    its login page or a `Se reconnecter` dialog (the session ended), and any message that
    appeared in answer to the bot's last action, read by the failure rule (`rpa/failures.py`).
    """

    PORTAL = ""  # whose screen this is: every error raised here says so

    def __init__(self, page: Page, *, wait: bool = True) -> None:
        self.page = page
        if wait:
            self.wait_until_loaded()

    @contextmanager
    def _on_this_portal(self) -> Iterator[None]:
        try:
            yield
        except RpaError as err:
            if not err.portal:
                err.portal = self.PORTAL
            raise

    def landmark(self) -> Locator:
        raise NotImplementedError(f"{type(self).__name__} ne dit pas quel élément montre son écran")

    def login_landmark(self) -> Locator | None:
        """What this portal's login page shows; seeing it means the session was lost."""
        return None

    def wait_until_loaded(self) -> None:
        self.await_one(f"écran {type(self).__name__}", self.landmark())

    def screen_timeout_ms(self) -> float:
        return screen_timeout_ms(self.page)

    def await_one(self, what: str, *candidates: Locator, watch_login: bool = True) -> int:
        """Wait until one of `candidates` shows and return its index.

        Meanwhile the portal's login page (unless we are on it, signing in) and a `Se
        reconnecter` dialog mean the session ended (`SessionExpired`), and a message that
        came in answer to the last action is judged by the failure rule: trouble
        (`PortalUnavailable`), a refusal (`PortalRefusal`), or words nobody wrote down
        (`UnconfirmedMessage`). All are seen at once, not after a timeout. A whole error
        page a GET brought is reloaded, as a user presses F5.
        """
        reloads = Retrying(
            sleep=pause,  # in a worker, only that worker waits
            retry=retry_if_exception(partial(error_page_to_reload, self.page)), stop=stop_after_attempt(1 + ERROR_PAGE_RELOADS),
            wait=wait_exponential_jitter(initial=0.3, max=3), before_sleep=log_reload, reraise=True,
        )
        for attempt in reloads:
            with attempt, self._on_this_portal():
                if attempt.retry_state.attempt_number > 1:
                    with self.diagnosed(f"{what} (rechargement)"):
                        self.page.reload()  # what a user does on an error page: F5
                return self._first_answer(what, [c.first for c in candidates], watch_login)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _first_answer(self, what: str, watched: list[Locator], watch_login: bool) -> int:
        login = self.login_landmark() if watch_login else None
        ended = [login.first, answers.session_prompt(self.page)] if login is not None else []
        deadline = time.monotonic() + self.screen_timeout_ms() / 1000
        while True:
            # Built anew each slice: a new document makes everything on it an answer.
            said = answers.messages(self.page)
            anything = said.first
            for other in watched + ended:
                anything = anything.or_(other)
            left = (deadline - time.monotonic()) * 1000
            try:
                expect(anything.first).to_be_visible(timeout=max(1.0, min(SLICE_MS, left)))
            except AssertionError as err:
                if left > SLICE_MS:
                    continue
                raise self.diagnose(what) from err
            except PlaywrightError as err:
                raise self.diagnose(what) from err
            for index, candidate in enumerate(watched):
                if candidate.is_visible():
                    return index
            if any(sign.is_visible() for sign in ended):
                raise SessionExpired(f"{what} : la session a expiré (page de connexion affichée)")
            failure = answers.answer_error(self.page, what, answers.texts_of(said))
            if failure is not None:
                raise failure
            # Only information (a success, a notice): it is part of the screen now; wait on.

    def await_event(self, what: str, event: Literal["download", "popup"], action: Callable[[], object],
                    timeout_ms: float | None = None) -> Any:
        """Do `action` and wait for the browser event it causes (a download, a popup window),
        listening meanwhile for the portal's answer instead (a message, its login page): a
        download that turned into an error, or a refusal shown in a dialog, is seen at once."""
        got: list[Any] = []
        limit = self.screen_timeout_ms() if timeout_ms is None else timeout_ms

        def collect(value: Any) -> None:
            got.append(value)

        self.page.on(event, collect)
        try:
            with self._on_this_portal():
                self.act(what, action)
                waited = 0.0
                while not got:
                    said = answers.messages(self.page)
                    if said.count():
                        failure = answers.answer_error(self.page, what, answers.texts_of(said))
                        if failure is not None:
                            raise failure
                    login = self.login_landmark()
                    if waited >= limit or (login is not None and login.first.is_visible()):
                        raise self.diagnose(what)
                    try:
                        self.page.wait_for_event(event, timeout=250)
                    except PlaywrightTimeoutError:
                        waited += 250
        finally:
            self.page.remove_listener(event, collect)
        return got[0]

    def go(self, what: str, target: Locator, following: P) -> P:
        """Click what only shows another screen (a menu entry, a tab, a card, a row, a link):
        safe to do twice, so done again when the portal answers it with trouble. `following`
        is the next screen's page object, made without waiting; returned once it shows."""
        self.repeatable(what, target.click, following.landmark())
        return following

    def repeatable(self, what: str, action: Callable[[], object], *landings: Locator) -> int:
        """A step that is safe to send twice (a search, a wizard `Suivant`, never a purchase):
        when the portal answers it with trouble, show this screen afresh and do it again, as
        a user would: back to it if the step brought another page, else F5 (a screen left
        broken by a failed call, an error drawn over it, is redrawn). Returns the index of
        the landing that showed."""
        policy = Retrying(
            sleep=pause,  # in a worker, only that worker waits
            retry=retry_if_exception_type(PortalUnavailable), stop=stop_after_attempt(1 + ERROR_PAGE_RELOADS),
            wait=wait_exponential_jitter(initial=0.3, max=3), before_sleep=log_repeat, reraise=True,
        )
        for attempt in policy:
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    self._afresh(what)
                self.act(what, action)
                return self.await_one(what, *landings)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _afresh(self, what: str) -> None:
        """This screen, shown again before a step is redone."""
        document = current_document(self.page)
        if answers.new_document_since_action(self.page) or document is None or document.method != "GET":
            self.act(f"{what} (retour)", self.page.go_back)  # a form's answer is never sent again
        else:
            self.act(f"{what} (rechargement)", self.page.reload)
        self.wait_until_loaded()

    # -- reading messages ------------------------------------------------------------
    def fresh_messages(self, scope: Locator | None = None, *, fresh: bool = True) -> list[str]:
        """The messages shown since the bot's last action (all shown ones, if not `fresh`)."""
        return answers.texts_of(answers.messages(self.page, scope, fresh=fresh))

    def raise_for_messages(self, what: str, scope: Locator | None = None, *, fresh: bool = True) -> None:
        """Judge what the portal says on a screen that did load (the wizard's last step before
        paying): a refusal, trouble or unknown words stop here; information does not. With
        `fresh` off, what was already there counts too (nothing is bought under a refusal)."""
        texts = self.fresh_messages(scope, fresh=fresh)
        if texts:
            failure = answers.answer_error(self.page, what, texts)
            if failure is not None:
                failure.portal = self.PORTAL
                raise failure

    # -- failure diagnosis ------------------------------------------------------------
    @contextmanager
    def diagnosed(self, what: str) -> Iterator[None]:
        """Turn a Playwright failure into the bot's error tree, saying what the user saw."""
        try:
            yield
        except (PlaywrightTimeoutError, AssertionError, PlaywrightError) as err:
            raise self.diagnose(what) from err

    def diagnose(self, what: str) -> RpaError:
        """What a screen that never came is, as a person would tell: the session ended, the
        portal said something (even before the action, if it is trouble), fields were left
        highlighted, an unknown dialog is in the way, or just a screen that never came."""
        failure = diagnosis(self.page, what, self.login_landmark())
        failure.portal = failure.portal or self.PORTAL
        return failure

    def act(self, what: str, action: Callable[[], T]) -> T:
        """Do what a user does (a click, a choice), noting first what the screen already says:
        only what comes after is the portal's answer. A `Session expirée` dialog already up
        means the session ended: nothing is clicked behind it."""
        with self._on_this_portal():
            before = answers.note_standing(self.page)
            if before and read_messages(before) is Reading.SESSION and self.login_landmark() is not None:
                raise SessionExpired(f"{what} : session terminée ({before[0][:120]})")
            with self.diagnosed(what):
                return action()
