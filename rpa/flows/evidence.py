"""The screen at the point of failure, for whoever is on duty the next morning.

A stage may capture it as the failure happens (the reseauxconnect popup is closed right
after); otherwise the per-item boundary captures the tab the item was on. Either way the
screenshot is of the failure the item ended with, not of one a retry got past.
(Password fields show as dots: nothing secret is captured.)
"""

from __future__ import annotations

import re
from pathlib import Path

from loguru import logger
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from rpa.core.files import private_dir


class Evidence:
    def __init__(self, folder: Path | None) -> None:
        """`folder`: the run's `screenshots/`; None: no run folder, no screenshots."""
        self.folder = folder
        self._taken: dict[int, Path] = {}  # a failure (by identity) -> its screenshot

    def capture(self, key: str, page: Page | None, failure: BaseException) -> None:
        """Take it now, for this failure (the page is about to go away)."""
        shot = self._shoot(key, page)
        if shot is not None:
            self._taken[id(failure)] = shot

    def for_failure(self, key: str, page: Page | None, failure: BaseException) -> Path | None:
        """The screenshot of the failure an item ended with: taken as it happened, or now."""
        taken = self._taken.pop(id(failure), None)
        self._taken.clear()  # those of failures a retry got past
        return taken or self._shoot(key, page)

    def _shoot(self, key: str, page: Page | None) -> Path | None:
        if self.folder is None or page is None or page.is_closed():
            return None
        target = private_dir(self.folder) / f"{re.sub(r'[^A-Za-z0-9_-]', '_', key)}.png"
        try:
            page.screenshot(path=str(target), full_page=True, timeout=5_000)
        except PlaywrightError as err:  # a dead page must not hide the real failure
            logger.debug("capture d'écran impossible : {}", err)
            return None
        target.chmod(0o600)
        return target
