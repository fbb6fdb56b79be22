"""Benchmark: an offline `rpa reconcile` of a generated folder of 100,000 files.

Most files are small valid policy PDFs: one uncompressed template whose 10-digit police number
is replaced byte for byte (same length, so the xref offsets stay right and pypdf really reads
the new number: the text check stays honest). A sprinkling of every bad kind is added. The
reconcile runs twice, cold (empty verdict cache) then warm (cache filled); generating the
folder is not measured.

    .venv/bin/python benchmarks/reconcile_bench.py [--files 100000]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from fpdf import FPDF

from rpa.config import Settings
from rpa.flows.reconcile import reconcile
from rpa.store.ledger import Ledger

TEMPLATE_POLICE = "0009876543"
CODE = "865268J"


def template() -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 12, "PSA Used Vehicle Warranty - GVO France", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 9, f"Police n. {TEMPLATE_POLICE}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 9, "Certificat de garantie - Stellantis Assurance", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def police(n: int) -> str:
    return f"{n:010d}"


def generate(root: Path, ledger: Path, count: int) -> int:
    """`count` files under `root` (100 subfolders, as a year of archives would be) and a
    ledger where each valid one is bought. Returns the number of bad files planted."""
    base = template()
    assert base.count(TEMPLATE_POLICE.encode()) >= 1
    bad = 0
    rows = []
    for i in range(count):
        folder = root / (f"{i % 100:02d}" if i % 3 else "")
        folder.mkdir(parents=True, exist_ok=True)
        p = police(1_000_000 + i)
        name = f"FR-{CODE}_Policy_{p}-20240502.pdf"
        data = base.replace(TEMPLATE_POLICE.encode(), p.encode())
        kind = i % 1000
        if kind == 1:
            data = data[: len(data) // 2]  # truncated
        elif kind == 2:
            data = b"<!DOCTYPE html><html><body>Erreur 502</body></html>"
        elif kind == 3:
            data = b""
        elif kind == 4:
            name = f"police {p}.pdf"  # misnamed
        elif kind == 5:
            data = base.replace(TEMPLATE_POLICE.encode(), police(1).encode())  # wrong number
        bad += kind in (1, 2, 3, 4, 5, 6)
        (folder / name).write_bytes(data)
        if kind != 6:  # kind 6: an orphan nobody bought
            rows.append((f"K{i}", p, "done", str(folder / name)))
    Ledger(ledger).close()  # the ledger's own schema; rows go in in bulk below
    db = sqlite3.connect(ledger)
    db.executemany("INSERT INTO items (key, police, stage, pdf) VALUES (?, ?, ?, ?)", rows)
    db.commit()
    db.close()
    return bad


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results-reconcile.txt"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rpa-bench-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        settings = Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]
        folder = settings.policies_dir
        t = time.perf_counter()
        planted = generate(folder, settings.ledger_path, args.files)
        print(f"généré {args.files} fichiers en {time.perf_counter() - t:.1f} s", file=sys.stderr)
        cold = reconcile(settings, offline=True, out=Path(tmp) / "cold.xlsx")
        warm = reconcile(settings, offline=True, out=Path(tmp) / "warm.xlsx")
    assert len(cold.found) == len(warm.found)
    lines = [
        "Offline `rpa reconcile` (folder + ledger), 2 CPU cores",
        f"{'files':>8} {'cold s':>8} {'warm s':>8} {'discrepancies':>14} {'bad files planted':>18}",
        f"{cold.files:>8} {cold.seconds:>8.1f} {warm.seconds:>8.1f} {len(warm.found):>14} {planted:>18}",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
