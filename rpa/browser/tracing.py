"""One Playwright trace per vehicle, kept by policy, scrubbed of every password before it is
written where anyone can open it.

Why scrub rather than trust the recorder: a trace records what was typed (`fill` action
parameters), the value of every input in its DOM snapshots (a login form left on screen
after a refused password included) and every request body (the login POST). Passwords are
therefore replaced in every member of the archive, in each spelling a portal or the
recorder may have used, and the archive is checked again before it is kept.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from loguru import logger
from playwright.sync_api import BrowserContext
from playwright.sync_api import Error as PlaywrightError

from rpa.config import TracePolicy
from rpa.core.files import private_dir, private_file
from rpa.core.secrets import MASK, secret_spellings

SCRATCH = ".scratch"  # a run's private working folder for unscrubbed traces


def scrub(data: bytes, spellings: Iterable[bytes]) -> bytes:
    for spelling in sorted(spellings, key=len, reverse=True):
        data = data.replace(spelling, MASK.encode())
    return data


def scrub_trace(source: Path, target: Path, secrets: Iterable[str]) -> Path:
    """Copy the trace archive `source` to `target` (a private file) with every secret masked."""
    spellings = {s for secret in secrets if secret for s in secret_spellings(secret)}
    with zipfile.ZipFile(source) as zin, private_file(target) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = scrub(zin.read(info), spellings)
                if any(s in data for s in spellings):  # cannot happen; never keep it if it did
                    raise RuntimeError("un mot de passe subsiste dans la trace")
                zout.writestr(info.filename, data)
    return target


@dataclass
class ItemTracer:
    """Records each vehicle as one trace chunk of the run's browser context."""

    context: BrowserContext
    policy: TracePolicy
    directory: Path  # the run's `traces/` folder
    scratch: Path  # private, deleted after the run: the unscrubbed chunk never lives elsewhere
    secrets: list[str] = field(default_factory=list)
    _open: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if self.policy is not TracePolicy.OFF:
            # DOM snapshots show each action's screen in the viewer. The screenshot filmstrip
            # is left out: its screencast cost a quarter of the bot's CPU (measured), and the
            # failure screenshot is taken anyway.
            self.context.tracing.start(screenshots=False, snapshots=True, sources=False)

    def begin(self, key: str) -> None:
        if self.policy is TracePolicy.OFF:
            return
        self.context.tracing.start_chunk(title=key)
        self._open = True

    def finish(self, key: str, failed: bool) -> Path | None:
        """End the vehicle's chunk; keep it (scrubbed) if the policy says so."""
        if not self._open:
            return None
        self._open = False
        keep = self.policy is TracePolicy.ALWAYS or (failed and self.policy is TracePolicy.ON_FAILURE)
        try:
            if not keep:
                self.context.tracing.stop_chunk()
                return None
            raw = private_dir(self.scratch) / f"{_file_stem(key)}.zip"
            self.context.tracing.stop_chunk(path=raw)
            try:
                return scrub_trace(raw, self.directory / f"{_file_stem(key)}.zip", self.secrets)
            finally:
                raw.unlink(missing_ok=True)
        except PlaywrightError as err:  # a dead browser must not hide the vehicle's own failure
            logger.warning("trace de {} perdue : {}", key, err.message)
            return None

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """A named group in the trace viewer's action list (one per stage of the chain)."""
        if not self._open:
            yield
            return
        self.context.tracing.group(name)
        try:
            yield
        finally:
            try:
                self.context.tracing.group_end()
            except PlaywrightError:
                pass


def _file_stem(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in key) or "item"


def trace_path(run_dir: Path, key: str) -> Path:
    return run_dir / "traces" / f"{_file_stem(key)}.zip"
