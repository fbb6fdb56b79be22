"""`rpa demo`: the whole job against the bundled sandbox, with nothing to configure.

The sandbox's world is saved next to the demo's ledger, so a second `rpa demo` finds the
portals as the first one left them (what was bought stays bought) and buys nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from loguru import logger
from pydantic import SecretStr
from rich.console import Console

from rpa.config import (
    GuideWireAccount,
    GuideWireSettings,
    PlanetVoSettings,
    ReseauxConnectSettings,
    Settings,
)
from rpa.core.files import private_dir
from rpa.core.logs import setup_logging
from rpa.flows.planetvo_queue import exported_queue
from rpa.flows.run import ItemSource, RunResult
from rpa.sandbox.seed import DEMO_GARANTISSEURS, DEMO_OFFER_MAPPING
from rpa.sandbox.server import Sandbox, create_sandbox


def sandbox_settings(base: Settings, box: Sandbox, data_dir: Path) -> Settings:
    """Settings pointing at a running sandbox, as an operator would write them in .env."""
    s = box.state
    return base.model_copy(
        update={
            "data_dir": data_dir,
            "planetvo": PlanetVoSettings(
                url=box.url("planetvo"), username=s.planetvo_account.username,
                password=SecretStr(s.planetvo_account.password),
            ),
            "guidewire": GuideWireSettings(
                url=box.url("guidewire"), username=s.guidewire_account.username,
                password=SecretStr(s.guidewire_account.password), offers=dict(DEMO_OFFER_MAPPING),
                # A group of several points of sale: each site's own account, by its code.
                accounts={site: GuideWireAccount(username=a.username, password=SecretStr(a.password))
                          for site, a in s.guidewire_accounts().items()} if s.points_of_sale else {},
            ),
            "reseauxconnect": ReseauxConnectSettings(garantisseurs=list(DEMO_GARANTISSEURS)),
        }
    )


def run_demo(base: Settings, root: Path, run_items: Callable[[Settings, ItemSource], RunResult],
             *, latency_ms: float = 0.0, console: Console | None = None,
             **knobs: Any) -> tuple[RunResult, Settings]:
    """`run_items` is how the caller shows the run (the CLI: a progress bar). `knobs`: the
    sandbox's misbehaviour (`drift`, `faults`, `expire_after`), for a dry run of a bad night."""
    private_dir(root)
    with create_sandbox(root / "sandbox-state.json", latency_ms=latency_ms, **knobs) as box:
        settings = sandbox_settings(base, box, root)
        setup_logging(settings.secret_values(), settings.data_dir, console=console)

        # The queue as Planet VO gives it: every BDC, so the ones still `En cours` are
        # reported too rather than silently left out. Kept with the run.
        result = run_items(settings, exported_queue)
        if box.faults.total or box.drift.names:  # a dry run of a bad night: what it was made of
            logger.info("bac à sable : {} requête(s), pannes injectées {}, dérives {}", box.faults.requests,
                        dict(box.faults.injected) or "aucune", ", ".join(sorted(box.drift.names)) or "aucune")
    return result, settings
