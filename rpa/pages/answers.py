"""What a portal says in answer to the bot's action, read into the bot's errors.

Only what *appeared in answer* counts. Before each action a page object notes the messages
already on screen (`note_standing`); afterwards, only the others are an answer, unless the
tab has loaded a new document since (then everything on it is new). So a notice
shown on every page (a maintenance window), a validation message left from a previous try,
or the `Votre session a expiré` line still on a login form being filled in, never turn a
working screen into a failure. The words are judged by the failure rule (`rpa/failures.py`),
wherever the portal put them: an alert, a banner, a whole page, a dialog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from weakref import WeakKeyDictionary

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from rpa.browser.launch import current_document
from rpa.core.errors import (
    PortalRefusal,
    PortalUnavailable,
    RpaError,
    SessionExpired,
    UnconfirmedMessage,
)
from rpa.core.failures import NOTICE_RE, SHOWN_RE, Reading, read_message, read_messages, said

# What a user reads of each matched element, if it is shown: one round trip for them all.
VISIBLE_TEXTS_JS = """els => els
  .filter(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
                 return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; })
  .map(e => (e.innerText || e.textContent || '').trim()).filter(t => t)"""

# Form controls a portal can mark invalid (`aria-invalid`), with what labels and describes them.
HIGHLIGHTED_JS = """els => els.filter(e => e.getAttribute('aria-invalid') === 'true').map(e => {
  const text = ids => (ids || '').split(/\\s+/).map(id => document.getElementById(id))
                                 .filter(x => x).map(x => x.innerText.trim()).join(' ');
  const label = (e.labels && e.labels.length ? e.labels[0].innerText : '')
                || text(e.getAttribute('aria-labelledby')) || e.getAttribute('aria-label') || '';
  return {label: label.replace(/[*:]/g, '').trim(),
          described: (text(e.getAttribute('aria-describedby')) + ' '
                      + text(e.getAttribute('aria-errormessage'))).trim()};
})"""
FIELD_ROLES: tuple[Literal["textbox", "combobox", "checkbox", "radio", "spinbutton", "searchbox", "listbox"], ...] = (
    "textbox", "combobox", "checkbox", "radio", "spinbutton", "searchbox", "listbox",
)


@dataclass(frozen=True)
class Standing:
    """What a tab's screen says that is no answer (said before the bot's last action, or
    already heard), on which document; and the document the last action was done on."""

    document: int
    texts: frozenset[str]
    acted_on: int


_standing: WeakKeyDictionary[Page, Standing] = WeakKeyDictionary()


def _document_number(page: Page) -> int:
    document = current_document(page)
    return document.number if document is not None else 0


def standing_texts(page: Page) -> frozenset[str]:
    """The texts noted before the last action, while the tab still shows that document."""
    noted = _standing.get(page)
    if noted is None or noted.document != _document_number(page):
        return frozenset()
    return noted.texts


def _words(text: str) -> str:
    return " ".join(text.split())


def _exactly(texts: frozenset[str]) -> re.Pattern[str]:
    """Any of `texts` as the whole text of an element, whatever its spacing."""
    alternatives = "|".join(
        r"\s+".join(re.escape(w).replace("/", r"\/") for w in text.split()) for text in sorted(texts)
    )
    return re.compile(rf"^\s*(?:{alternatives})\s*$")


def new_document_since_action(page: Page) -> bool:
    """Has the tab loaded a document since the bot's last action (the one its action brought,
    or any later)? An error on such a document, reached by GET, is one a user reloads."""
    noted = _standing.get(page)
    return noted is None or noted.acted_on != _document_number(page)


def messages(page: Page, scope: Locator | None = None, *, fresh: bool = True) -> Locator:
    """What the portal says: alerts, and the sentences a page shows instead of a screen
    (wherever it puts them), without notices; with `fresh`, without what was there before."""
    where: Page | Locator = scope or page
    found = (
        where.get_by_role("alert").or_(where.get_by_role("alertdialog")).or_(where.get_by_text(SHOWN_RE))
    ).filter(has_text=re.compile(r"\S")).filter(has_not_text=NOTICE_RE)
    standing = standing_texts(page) if fresh else None
    if standing:
        found = found.filter(has_not_text=_exactly(standing))
    return found


def texts_of(found: Locator) -> list[str]:
    try:
        return [str(t) for t in found.evaluate_all(VISIBLE_TEXTS_JS)]
    except PlaywrightError:  # a tab closing or navigating: nothing to read there now
        return []


def note_standing(page: Page) -> list[str]:
    """Remember what the screen says before an action; returns it."""
    if page.is_closed():
        return []
    texts = texts_of(messages(page, fresh=False))
    number = _document_number(page)
    _standing[page] = Standing(number, frozenset(_words(t) for t in texts), acted_on=number)
    return texts


def stand(page: Page, texts: list[str]) -> None:
    """Texts read as information (a success, a notice): from now on, part of the screen."""
    noted = _standing.get(page)
    _standing[page] = Standing(_document_number(page), standing_texts(page) | {_words(t) for t in texts},
                               acted_on=noted.acted_on if noted is not None else 0)


def session_prompt(page: Page) -> Locator:
    """A dialog offering to sign in again (`Session expirée` / `Se reconnecter`, PORTALS.md)."""
    again = re.compile(r"^\s*se reconnecter\s*$", re.I)
    return (
        page.get_by_role("button", name=again).or_(page.get_by_role("link", name=again))
        .or_(page.get_by_role("dialog", name=re.compile(r"session expir", re.I)))
    ).first


@dataclass(frozen=True)
class HighlightedField:
    label: str
    described: str  # the message the portal tied to it, if any


def highlighted_fields(page: Page) -> list[HighlightedField]:
    """The fields the portal marked invalid (`aria-invalid`), for assistive technology too."""
    controls = page.get_by_role(FIELD_ROLES[0])
    for role in FIELD_ROLES[1:]:
        controls = controls.or_(page.get_by_role(role))
    try:
        found = controls.evaluate_all(HIGHLIGHTED_JS)
    except PlaywrightError:
        return []
    return [HighlightedField(str(f["label"]), str(f["described"])) for f in found]


def _tied(text: str, fields: list[HighlightedField]) -> bool:
    """A message is tied to a highlighted field when it names the field or describes it."""
    said_ = _words(text).casefold()
    for field in fields:
        label = _words(field.label).casefold()
        described = _words(field.described).casefold()
        if (label and label in said_) or (described and (said_ in described or described in said_)):
            return True
    return False


def answer_error(page: Page, what: str, texts: list[str]) -> RpaError | None:
    """The bot's error for messages that came in answer to `what`; None when they are only
    information. Either way they have been heard: from now on they are part of the screen."""
    stand(page, texts)
    reading = read_messages(texts)
    words = said(t for t in texts if read_message(t) is not Reading.INFO)
    if reading is Reading.SESSION:
        return SessionExpired(f"{what} : session terminée ({words})")
    if reading is Reading.TROUBLE:
        return PortalUnavailable(f"{what} : {words}")
    if reading is Reading.REFUSAL:
        return PortalRefusal(words)
    if reading is Reading.UNKNOWN:
        if _tied(words, highlighted_fields(page)):
            return PortalRefusal(words)
        return UnconfirmedMessage(f"{what} : message inattendu « {words} »", text=words)
    return None


def highlighted_refusal(page: Page) -> PortalRefusal | None:
    """Fields left highlighted when a screen never came: the portal refused them, in the
    words it tied to them (or naming them, when it said nothing more)."""
    fields = highlighted_fields(page)
    if not fields:
        return None
    return PortalRefusal(said(f.described or f"Champ « {f.label} » signalé invalide" for f in fields))
