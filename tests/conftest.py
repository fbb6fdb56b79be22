"""Fixtures: a fresh sandbox on loopback, settings pointing at it, real Chromium."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from rpa.browser.launch import CHROMIUM_ARGS, new_context
from rpa.config import BrowserSettings, RetrySettings, Settings, TracePolicy
from rpa.flows.demo import sandbox_settings
from rpa.sandbox.server import Sandbox, create_sandbox


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first, so the workers finish together instead of one waiting on them."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright launches the same Chromium, with the same flags, as the bot."""
    executable = BrowserSettings().resolved_executable()
    return {"executable_path": executable, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="module")
def browser(browser_type_launch_args: dict[str, Any]) -> Iterator[Browser]:
    """One Chromium per test module, with Playwright stopped after it.

    Replaces pytest-playwright's session-wide browser: the flow and CLI tests start their own
    Playwright (`rpa.browser.launch.browser_session`), and a second sync Playwright cannot start in
    a thread where one is still running.
    """
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**browser_type_launch_args)
        yield chromium
        chromium.close()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """A fresh seed world per test, its state saved under the test's tmp dir."""
    with create_sandbox(tmp_path / "sandbox-state.json") as box:
        box.state.document_delay_seconds = 0.5
        yield box


@pytest.fixture
def settings_for(tmp_path: Path) -> Callable[[Sandbox], Settings]:
    """Settings pointing at a given sandbox, with the tests' short timeouts and retries."""
    def settings_of(box: Sandbox) -> Settings:
        base = Settings(
            _env_file=None,  # type: ignore[call-arg]
            # Recording a trace costs a fifth of a flow test's time (measured): off unless a test
            # looks at traces, which asks for them (`trace_kept` below); the CLI tests and the
            # drifted night keep the operator's default.
            trace=TracePolicy.OFF,
            browser=BrowserSettings(timeout_ms=8_000),
            retry=RetrySettings(attempts=2, wait_initial_s=0.2, wait_max_s=1.0, document_wait_s=20),
        )
        return sandbox_settings(base, box, tmp_path / "data")
    return settings_of


@pytest.fixture
def settings(sandbox: Sandbox, settings_for: Callable[[Sandbox], Settings]) -> Settings:
    return settings_for(sandbox)


@pytest.fixture
def trace_kept(settings: Settings) -> Settings:
    """The settings with the operator's default: a failed item keeps its trace."""
    return settings.model_copy(update={"trace": TracePolicy.ON_FAILURE})


@pytest.fixture
def context(browser: Browser, settings: Settings) -> Iterator[BrowserContext]:
    ctx = new_context(browser, settings.browser)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
