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


def scrub_trace(source: Path, target: Path, secrets: Iterable[str],
                extra: Iterable[tuple[str, Path]] = ()) -> Path:
    """Copy the trace archive `source` to `target` (a private file) with every secret masked.

    `extra`: other contexts' chunks of the same item (a point of sale's own GuideWire
    session), merged in as `<name>.trace` / `<name>.network`: the trace viewer shows every
    context of one archive side by side."""
    spellings = {s for secret in secrets if secret for s in secret_spellings(secret)}
    written: set[str] = set()
    with private_file(target) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for prefix, archive in [("", source), *extra]:
            with zipfile.ZipFile(archive) as zin:
                for info in zin.infolist():
                    name = info.filename
                    if prefix and "/" not in name:  # trace.trace -> <prefix>-trace.trace
                        name = f"{prefix}-{name}"
                    if name in written:  # resources are named by content: one copy is enough
                        continue
                    data = scrub(zin.read(info), spellings)
                    if any(s in data for s in spellings):  # cannot happen; never keep it if it did
                        raise RuntimeError("un mot de passe subsiste dans la trace")
                    zout.writestr(name, data)
                    written.add(name)
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
    _others: dict[str, BrowserContext] = field(default_factory=dict, init=False)

    def attach(self, name: str, context: BrowserContext) -> None:
        """Another context the item's work goes through (a point of sale's GuideWire account):
        its chunks join the item's trace."""
        self._others[name] = context
        if self.policy is TracePolicy.OFF:
            return
        context.tracing.start(screenshots=False, snapshots=True, sources=False)
        if self._open:
            context.tracing.start_chunk(title=name)

    def _contexts(self) -> list[BrowserContext]:
        return [self.context, *self._others.values()]

    def __post_init__(self) -> None:
        if self.policy is not TracePolicy.OFF:
            # DOM snapshots show each action's screen in the viewer. The screenshot filmstrip
            # is left out: its screencast cost a quarter of the bot's CPU (measured), and the
            # failure screenshot is taken anyway.
            self.context.tracing.start(screenshots=False, snapshots=True, sources=False)

    def begin(self, key: str) -> None:
        if self.policy is TracePolicy.OFF:
            return
        for context in self._contexts():
            context.tracing.start_chunk(title=key)
        self._open = True

    def finish(self, key: str, failed: bool) -> Path | None:
        """End the vehicle's chunk; keep it (scrubbed) if the policy says so."""
        if not self._open:
            return None
        self._open = False
        keep = self.policy is TracePolicy.ALWAYS or (failed and self.policy is TracePolicy.ON_FAILURE)
        raws: list[Path] = []
        try:
            if not keep:
                for context in self._contexts():
                    context.tracing.stop_chunk()
                return None
            raw = private_dir(self.scratch) / f"{_file_stem(key)}.zip"
            self.context.tracing.stop_chunk(path=raw)
            raws.append(raw)
            extra = []
            for name, context in self._others.items():
                other = self.scratch / f"{_file_stem(key)}.{_file_stem(name)}.zip"
                context.tracing.stop_chunk(path=other)
                raws.append(other)
                extra.append((_file_stem(name), other))
            return scrub_trace(raw, self.directory / f"{_file_stem(key)}.zip", self.secrets, extra)
        except PlaywrightError as err:  # a dead browser must not hide the vehicle's own failure
            logger.warning("trace de {} perdue : {}", key, err.message)
            return None
        finally:
            for raw in raws:
                raw.unlink(missing_ok=True)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """A named group in the trace viewer's action list (one per stage of the chain)."""
        if not self._open:
            yield
            return
        for context in self._contexts():
            context.tracing.group(name)
        try:
            yield
        finally:
            for context in self._contexts():
                try:
                    context.tracing.group_end()
                except PlaywrightError:
                    pass


def _file_stem(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in key) or "item"


def trace_path(run_dir: Path, key: str) -> Path:
    return run_dir / "traces" / f"{_file_stem(key)}.zip"
