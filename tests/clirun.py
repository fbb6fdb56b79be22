"""Running `rpa` as an operator would: a real process, RPA_* variables, its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rpa.config import Settings


def env_for(settings: Settings) -> dict[str, str]:
    """The RPA_* variables an operator would put in .env for this sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RPA_")}
    env.update({
        "RPA_PLANETVO__URL": settings.planetvo.url or "",
        "RPA_PLANETVO__USERNAME": settings.planetvo.username,
        "RPA_PLANETVO__PASSWORD": settings.planetvo.password.get_secret_value(),
        "RPA_GUIDEWIRE__URL": settings.guidewire.url or "",
        "RPA_GUIDEWIRE__USERNAME": settings.guidewire.username,
        "RPA_GUIDEWIRE__PASSWORD": settings.guidewire.password.get_secret_value(),
        "RPA_GUIDEWIRE__OFFERS": json.dumps(settings.guidewire.offers),
        "RPA_RESEAUXCONNECT__GARANTISSEURS": json.dumps(settings.reseauxconnect.garantisseurs),
        "RPA_DATA_DIR": str(settings.data_dir),
        "RPA_RETRY__DOCUMENT_WAIT_S": "20",
        "COLUMNS": "200",
    })
    return env


def rpa(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rpa", *args], env=env, cwd=cwd, text=True,
                          capture_output=True, timeout=300, check=False)
