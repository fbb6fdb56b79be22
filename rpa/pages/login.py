"""Signing in, the same way on every portal: the base URL shows either the home screen (the
session is still alive) or a login form, which a wrong password answers with a message."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, nullcontext
from typing import Generic, Protocol, TypeVar

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator

from rpa.config import PortalSettings
from rpa.core.errors import PageMismatch, PortalRefusal, SignInRefused, UnconfirmedMessage
from rpa.pages import answers
from rpa.pages.base import BasePage, button, name_re

H = TypeVar("H", bound=BasePage)
# What a portal shows instead of its home when the password must be renewed.
RENEW_RE = re.compile(r"nouveau mot de passe|mot de passe\s+expir|(changer|renouveler)\s+(votre\s+)?mot de passe", re.I)


class SignInGate(Protocol):
    """Who lets a sign-in be tried now: a run lets one through at a time per portal, and none
    after a refusal (a few refused sign-ins lock the account for every user of the site)."""

    def signing_in(self, portal: str) -> AbstractContextManager[None]: ...


class Ungated:
    """Signing in whenever asked: a page object used on its own (tests, `rpa record`)."""

    def signing_in(self, portal: str) -> AbstractContextManager[None]:
        return nullcontext()


class PortalLogin(BasePage, Generic[H]):
    """A login form. Subclasses name its labels, its button and the home screen behind it."""

    PORTAL = ""
    ENV = ""  # the settings prefix to check when the portal refuses the credentials
    USER_LABEL = ""
    PASSWORD_LABEL = "Mot de passe"
    BUTTON = ""

    def home(self) -> H:
        raise NotImplementedError(f"{type(self).__name__} ne dit pas quel écran suit la connexion")

    def landmark(self) -> Locator:
        return button(self.page, name_re(self.BUTTON))

    def sign_in(self, username: str, password: str) -> H:
        """Sign in once. Whatever answers other than the home screen or the portal's trouble
        (a message, the form back, a page asking for a new password) is a refusal of the
        credentials: `SignInRefused`, never tried again in this run."""
        what = f"connexion {self.PORTAL}"
        with self.diagnosed(what):
            self.page.get_by_label(name_re(self.USER_LABEL)).first.fill(username)
            self.page.get_by_label(name_re(self.PASSWORD_LABEL)).first.fill(password)
        self.act(what, lambda: self.landmark().click())
        home = self.home()
        # A screen asking for a new password is an answer too: the credentials are refused.
        renew = self.page.get_by_label(RENEW_RE).or_(self.page.get_by_role("heading", name=RENEW_RE))
        try:
            if home.await_one(what, home.landmark(), renew, watch_login=False) == 1:
                raise self.refused(self._other_page() or "mot de passe à renouveler")
        except PortalRefusal as err:
            raise self.refused(err.message) from err
        except UnconfirmedMessage as err:
            raise self.refused(err.text) from err
        except PageMismatch:
            words = self._other_page()
            if not words:
                raise  # a page that never came: the portal's trouble, not a refusal
            raise self.refused(words) from None
        return home

    def refused(self, words: str) -> SignInRefused:
        return SignInRefused(
            f"{self.PORTAL} refuse la connexion : {words} "
            f"(vérifiez {self.ENV}USERNAME et {self.ENV}PASSWORD)", portal=self.PORTAL,
        )

    def _other_page(self) -> str:
        """What a sign-in led to instead of the home screen, in the page's own words: the
        form again, or another page's headings (a password to renew, an account locked)."""
        try:
            if self.page.get_by_label(name_re(self.PASSWORD_LABEL)).first.is_visible():
                return "le formulaire de connexion est revenu"
            headings = [t.strip() for t in self.page.get_by_role("heading").all_inner_texts() if t.strip()]
        except PlaywrightError:
            return ""
        return " ; ".join(headings[:2])

    def open(self, portal: PortalSettings, gate: SignInGate | None = None) -> H:
        """Go to the configured base URL; sign in only if the login form shows (after `Se
        reconnecter`, where the portal offers that first), when `gate` lets it."""
        assert portal.url
        self.page.bring_to_front()  # the user switches to this portal's tab
        with self.diagnosed(f"ouverture de {self.PORTAL}"):
            self.page.goto(portal.url)
        home = self.home()
        again = answers.session_prompt(self.page)
        shown = home.await_one(f"ouverture de {self.PORTAL}", home.landmark(), self.landmark(), again)
        if shown == 2:
            self.act("Se reconnecter", lambda: button(self.page, re.compile(r"^\s*se reconnecter\s*$", re.I)).click())
            self.await_one(f"ouverture de {self.PORTAL}", self.landmark(), watch_login=False)
            shown = 1
        if shown == 1:
            with (gate or Ungated()).signing_in(self.PORTAL):
                return self.sign_in(portal.username, portal.password.get_secret_value())
        return home
