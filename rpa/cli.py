"""`rpa`: the command line. Exit codes: 0 all done, 1 some items failed, 2 bad usage/config/input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rpa.config import Settings
from rpa.errors import UsageError
from rpa.flows.run import RunResult, run_warranty
from rpa.logs import setup_logging
from rpa.report import Outcome
from rpa.workqueue import WarrantyItem, read_queue

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Back-office automation for car dealers: Spoticar / DS Certified warranties.",
    rich_markup_mode=None,
)
console = Console(stderr=True)
out = Console()


def load_settings(data_dir: Path | None = None) -> Settings:
    try:
        settings = Settings()
    except ValidationError as err:
        raise UsageError(f"Configuration invalide :\n{err}") from err
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


def run_items(settings: Settings, items: list[WarrantyItem]) -> RunResult:
    with Progress(
        TextColumn("[bold]Garanties"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, transient=False,
    ) as progress:
        setup_logging(settings, console=progress.console)
        task = progress.add_task("", total=len(items))

        def done(outcome: Outcome) -> None:
            progress.update(task, advance=1, description=f"{outcome.key}: {outcome.result}")

        return run_warranty(settings, items, on_done=done)


def print_summary(result: RunResult, settings: Settings) -> None:
    table = Table(title=f"Run {result.run_id} — {len(result.outcomes)} véhicule(s) en {result.seconds:.0f} s")
    for column in ("Ligne", "Vo Vendu", "Résultat", "Devis", "Police", "Motif"):
        table.add_column(column, overflow="fold")
    styles = {"terminé": "green", "déjà fait": "cyan", "échec": "red", "doublon": "yellow"}
    for o in result.outcomes:
        reason = f"({o.failure_kind}) {o.reason}" if o.failure_kind else o.reason
        table.add_row(str(o.row), escape(o.key), f"[{styles.get(o.result, 'default')}]{o.result}",
                      o.devis, o.police, escape(reason))
    out.print(table)
    counts: dict[str, int] = {}
    for o in result.outcomes:
        counts[o.result] = counts.get(o.result, 0) + 1
    out.print(", ".join(f"{k} : {v}" for k, v in sorted(counts.items())))
    out.print(f"PDF des polices : {settings.policies_dir}")
    out.print(f"Rapport : {result.results_path}")


@app.command()
def warranty(
    queue: Annotated[Optional[Path], typer.Option("--queue", help="Spreadsheet in the Planet VO `Exporter` columns.")] = None,
    immat: Annotated[str, typer.Option(help="One vehicle, by plate (XX-XXX-XX).")] = "",
    vin: Annotated[str, typer.Option(help="One vehicle, by VIN.")] = "",
    bdc: Annotated[str, typer.Option(help="One vehicle, by bon de commande number.")] = "",
    data_dir: Annotated[Optional[Path], typer.Option(help="Overrides RPA_DATA_DIR.")] = None,
) -> None:
    """Push vehicles through Planet VO -> reseauxconnect -> GuideWire and file the policy PDFs."""
    from rpa.flows.planetvo_queue import resolve_vehicle

    one = [v for v in (immat, vin, bdc) if v]
    if bool(queue) == bool(one) or len(one) > 1:
        raise UsageError("Indiquez soit --queue FICHIER.xlsx, soit un seul de --immat, --vin, --bdc.")
    settings = load_settings(data_dir)
    settings.require_warranty_portals()
    setup_logging(settings, console=console)
    items = read_queue(queue) if queue else [resolve_vehicle(settings, immat=immat, vin=vin, bdc=bdc)]
    result = run_items(settings, items)
    print_summary(result, settings)
    raise typer.Exit(result.exit_code)


@app.command()
def sandbox(
    latency_ms: Annotated[float, typer.Option(help="Delay added to every answer.")] = 0.0,
    state: Annotated[Optional[Path], typer.Option(help="JSON file keeping the portals' state across restarts.")] = None,
    port: Annotated[int, typer.Option(help="First port: Planet VO; the next two: reseauxconnect, GuideWire.")] = 8701,
    extra_bdcs: Annotated[int, typer.Option(help="Add this many ordinary closed BDCs.")] = 0,
) -> None:
    """Serve the bundled replica of the portals on loopback until Ctrl-C."""
    from rpa.sandbox.seed import DEMO_GARANTISSEURS, DEMO_OFFER_MAPPING
    from rpa.sandbox.server import create_sandbox

    box = create_sandbox(state, latency_ms=latency_ms, extra_bdcs=extra_bdcs,
                         ports={"planetvo": port, "reseauxconnect": port + 1, "guidewire": port + 2})
    s = box.state
    import json

    out.print("[bold]Bac à sable rpa[/bold] (Ctrl-C pour arrêter)")
    out.print(f"  Planet VO      http://127.0.0.1:{port}/   {s.planetvo_account.username} / {s.planetvo_account.password}")
    out.print(f"  reseauxconnect http://127.0.0.1:{port + 1}/   (par la fenêtre Garantir de Planet VO)")
    out.print(f"  GuideWire      http://127.0.0.1:{port + 2}/   {s.guidewire_account.username} / {s.guidewire_account.password}")
    out.print("Réglages pour le bot :")
    out.print(f"  RPA_PLANETVO__URL=http://127.0.0.1:{port}/")
    out.print(f"  RPA_PLANETVO__USERNAME={s.planetvo_account.username}")
    out.print(f"  RPA_PLANETVO__PASSWORD={s.planetvo_account.password}")
    out.print(f"  RPA_GUIDEWIRE__URL=http://127.0.0.1:{port + 2}/")
    out.print(f"  RPA_GUIDEWIRE__USERNAME={s.guidewire_account.username}")
    out.print(f"  RPA_GUIDEWIRE__PASSWORD={s.guidewire_account.password}")
    out.print(f"  RPA_GUIDEWIRE__OFFERS='{json.dumps(DEMO_OFFER_MAPPING, ensure_ascii=False)}'")
    out.print(f"  RPA_RESEAUXCONNECT__GARANTISSEURS='{json.dumps(DEMO_GARANTISSEURS, ensure_ascii=False)}'")
    box.serve_forever()


@app.command()
def demo(
    data_dir: Annotated[Optional[Path], typer.Option(help="Where the demo keeps its ledger, PDFs and sandbox state.")] = None,
    latency_ms: Annotated[float, typer.Option(help="Delay the sandbox adds to every answer.")] = 0.0,
) -> None:
    """Start the sandbox in-process and run every sandbox BDC through the whole chain."""
    from rpa.flows.demo import run_demo

    settings = load_settings()
    root = data_dir or settings.data_dir / "demo"
    result, settings = run_demo(settings, root, latency_ms=latency_ms, console=console)
    print_summary(result, settings)
    raise typer.Exit(result.exit_code)


def main() -> None:
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except UsageError as err:
        console.print(f"[red]Erreur :[/red] {err.message}", markup=True, highlight=False)
        sys.exit(2)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as err:  # click usage errors
        import click

        if isinstance(err, click.ClickException):
            err.show()
            sys.exit(2)
        raise
