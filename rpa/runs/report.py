"""A run's report as one self-contained HTML file: it opens from an e-mail attachment, with
the failure screenshots inside it and links to the policy PDFs and Playwright traces."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

from rpa.core.files import private_file

if TYPE_CHECKING:
    from rpa.runs.archive import RunSummary

_templates = Environment(loader=PackageLoader("rpa.runs", "templates"), autoescape=select_autoescape(["html"]))


def write_html_report(run_dir: Path, summary: RunSummary) -> Path:
    shots = {
        o.key: base64.b64encode(Path(o.screenshot).read_bytes()).decode()
        for o in summary.outcomes if o.screenshot and Path(o.screenshot).exists()
    }
    # Relative links, so the report still finds the PDFs and traces when the data folder moves.
    links = {f: os.path.relpath(f, run_dir) for o in summary.outcomes for f in (o.pdf, o.trace) if f}
    html = _templates.get_template("report.html").render(s=summary, shots=shots, links=links)
    target = run_dir / "rapport.html"
    with private_file(target) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return target
