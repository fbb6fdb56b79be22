"""Files that hold customer data are private: 0600 files in 0700 folders, written atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def private_dir(path: Path) -> Path:
    """`path`, and any parent this creates, as 0700 folders."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    return path


def private_opener(path: str, flags: int) -> int:
    """For `open(…, opener=…)` (loguru's file sinks too): create the file as 0600."""
    return os.open(path, flags, 0o600)


@contextmanager
def private_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it becomes `path` (0600) in one rename."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        tmp_path.chmod(0o600)
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)
