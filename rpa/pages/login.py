"""Signing in, the same way on every portal: the base URL shows either the home screen (the
session is still alive) or a login form, which a wrong password answers with a message."""

from __future__ import annotations

import re
from typing import Generic, TypeVar

from playwright.sync_api import Locator

from rpa.config import PortalSettings
from rpa.errors import UsageError
from rpa.pages.base import BasePage, name_re

H = TypeVar("H", bound=BasePage)


class PortalLogin(BasePage, Generic[H]):
    """A login form. Subclasses name its labels, its button and the home screen behind it."""

    PORTAL = ""
    ENV = ""  # the settings prefix to check when the portal refuses the credentials
    USER_LABEL = ""
    PASSWORD_LABEL = "Mot de passe"
    BUTTON = ""
    REFUSAL: re.Pattern[str] | None = None  # the portal's words for wrong credentials

    def home(self) -> H:
        raise NotImplementedError

    def landmark(self) -> Locator:
        return self.page.get_by_role("button", name=name_re(self.BUTTON))

    def sign_in(self, username: str, password: str) -> H:
        self.page.get_by_label(name_re(self.USER_LABEL)).fill(username)
        self.page.get_by_label(name_re(self.PASSWORD_LABEL)).fill(password)
        self.landmark().click()
        home = self.home()
        refusals = [self.page.get_by_role("alert")]
        if self.REFUSAL is not None:
            refusals.append(self.page.get_by_text(self.REFUSAL))
        if home.await_one(f"connexion {self.PORTAL}", home.landmark(), *refusals, watch_login=False) > 0:
            said = self.alerts() or [t.strip() for r in refusals[1:] for t in r.all_inner_texts()]
            raise UsageError(
                f"{self.PORTAL} : {' ; '.join(said)} (vérifiez {self.ENV}USERNAME / {self.ENV}PASSWORD)"
            )
        return home

    def open(self, portal: PortalSettings) -> H:
        """Go to the configured base URL; sign in only if the login form shows."""
        assert portal.url
        self.page.bring_to_front()  # the user switches to this portal's tab
        self.page.goto(portal.url)
        home = self.home()
        if home.await_one(f"ouverture de {self.PORTAL}", home.landmark(), self.landmark()) == 1:
            return self.sign_in(portal.username, portal.password.get_secret_value())
        return home
