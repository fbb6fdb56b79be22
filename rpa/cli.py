"""`rpa`: the command line. Exit codes: 0 all done, 1 some items failed, 2 bad usage/config/input."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from loguru import logger
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rpa.config import Settings, read_settings
from rpa.core.errors import RpaError, UsageError
from rpa.core.logs import details_only, setup_logging
from rpa.flows.planetvo_queue import lookup
from rpa.flows.removals import RemovalsResult
from rpa.flows.run import ItemSource, RunResult, run_warranty
from rpa.runs.archive import RUN_ID, new_run_id
from rpa.runs.outcome import Outcome, Result
from rpa.serve.cli import serve_app
from rpa.sheets.queue import read_queue

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Back-office automation for car dealers: Spoticar / DS Certified warranties.",
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,  # locals may hold passwords
)
console = Console(stderr=True)
out = Console()


def load_settings(data_dir: Path | None = None, workers: int | None = None) -> Settings:
    settings = read_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    if workers is not None:
        if not 1 <= workers <= 16:
            raise UsageError("--workers : entre 1 et 16.")
        settings = settings.model_copy(update={"workers": workers})
    return settings


@contextmanager
def progress_bar(settings: Settings) -> Iterator[tuple[Callable[[int], None], Callable[[Outcome], None]]]:
    """A progress bar for a queue; the log prints above it."""
    with Progress(
        TextColumn("[bold]Garanties"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, transient=False,
    ) as progress:
        setup_logging(settings.secret_values(), settings.data_dir, console=progress.console)
        task = progress.add_task("", total=None)

        def start(total: int) -> None:
            progress.update(task, total=total)

        def done(outcome: Outcome) -> None:
            progress.update(task, advance=1, description=f"{outcome.key}: {outcome.result}")

        yield start, done


def run_items(settings: Settings, source: ItemSource, run_id: str | None = None) -> RunResult:
    with progress_bar(settings) as (start, done):
        return run_warranty(settings, source, on_start=start, on_done=done, run_id=run_id)


RunIdOption = Annotated[str | None, typer.Option(
    "--run-id", hidden=True, help="The run's folder name (`rpa serve` names the runs it starts).")]


def checked_run_id(run_id: str | None) -> str | None:
    if run_id is not None and not RUN_ID.fullmatch(run_id):
        raise UsageError("--run-id : lettres, chiffres, - et _ seulement.")
    return run_id


def say_error(message: str) -> None:
    """The one line a command ends with when it could not do its job."""
    console.print(f"[red]Erreur :[/red] {escape(message)}", highlight=False, soft_wrap=True)


def print_counts(results: Iterable[str]) -> None:
    """`terminé : 9, échec : 6` under a summary table."""
    counts = Counter(results)
    out.print(", ".join(f"{k} : {v}" for k, v in sorted(counts.items())))


def print_summary(result: RunResult, settings: Settings) -> None:
    table = Table(title=f"Run {result.run_id} — {len(result.outcomes)} véhicule(s) en {result.seconds:.0f} s")
    for column in ("Ligne", "Vo Vendu", "Résultat", "Devis", "Police", "Motif"):
        table.add_column(column, overflow="fold")
    styles = {Result.TERMINE: "green", Result.DEJA_FAIT: "cyan", Result.ECHEC: "red", Result.DOUBLON: "yellow"}
    for o in result.outcomes:
        reason = f"({o.failure_kind}) {o.reason}" if o.failure_kind else o.reason
        style = styles.get(o.result, "default") if o.result else "default"
        table.add_row(str(o.row), escape(o.key), f"[{style}]{o.result}", o.devis, o.police, escape(reason))
    out.print(table)
    print_counts(str(o.result) for o in result.outcomes)
    out.print(f"PDF des polices : {settings.policies_dir}")
    out.print(f"Rapport : {result.results_path}")
    if result.stopped is not None:
        say_error(result.stopped.reason)


@app.command()
def warranty(
    queue: Annotated[Path | None, typer.Option("--queue", help="Spreadsheet in the Planet VO `Exporter` columns.")] = None,
    immat: Annotated[str, typer.Option(help="One vehicle, by plate (XX-XXX-XX).")] = "",
    vin: Annotated[str, typer.Option(help="One vehicle, by VIN.")] = "",
    bdc: Annotated[str, typer.Option(help="One vehicle, by bon de commande number.")] = "",
    data_dir: Annotated[Path | None, typer.Option(help="Overrides RPA_DATA_DIR.")] = None,
    workers: Annotated[int | None, typer.Option(help="Vehicles worked on at once (RPA_WORKERS).")] = None,
    run_id: RunIdOption = None,
) -> None:
    """Push vehicles through Planet VO -> reseauxconnect -> GuideWire and file the policy PDFs."""
    one = [v for v in (immat, vin, bdc) if v]
    if bool(queue) == bool(one) or len(one) > 1:
        raise UsageError("Indiquez soit --queue FICHIER.xlsx, soit un seul de --immat, --vin, --bdc.")
    settings = load_settings(data_dir, workers=workers)
    settings.require_warranty_portals()
    setup_logging(settings.secret_values(), settings.data_dir, console=console)
    source: ItemSource
    if queue:
        source = read_queue(queue)  # a bad file is refused before any browser starts
    else:
        source = lambda stages: [lookup(stages, immat=immat, vin=vin, bdc=bdc)]  # noqa: E731
    result = run_items(settings, source, checked_run_id(run_id))
    print_summary(result, settings)
    raise typer.Exit(result.exit_code)


def sandbox_knobs(drift: str, seed: int, faults: float = 0.0, jitter_ms: float = 0.0, late_ms: int = 0,
                  expire_after: int | None = None) -> dict[str, Any]:
    """The misbehaviour asked for on the command line, checked before anything starts."""
    from rpa.sandbox.drift import Drift
    from rpa.sandbox.faults import Faults

    try:
        drifted = Drift.parse(drift, seed)
    except ValueError as err:
        raise UsageError(f"--drift : {err}") from err
    if not 0 <= faults < 1:
        raise UsageError("--faults : une part des requêtes, entre 0 et 1 (0.1 = 10 %).")
    return {"drift": drifted, "expire_after": expire_after,
            "faults": Faults(seed=seed, error_rate=faults, jitter_ms=jitter_ms, late_ms=late_ms)}


@app.command()
def sandbox(
    latency_ms: Annotated[float, typer.Option(help="Delay added to every answer.")] = 0.0,
    state: Annotated[Path | None, typer.Option(help="JSON file keeping the portals' state across restarts.")] = None,
    port: Annotated[int, typer.Option(help="Planet VO's port; reseauxconnect, GuideWire, Traqueur take the next three. 0: any free ports.")] = 8701,
    extra_bdcs: Annotated[int, typer.Option(help="Add this many ordinary closed BDCs.")] = 0,
    faults: Annotated[float, typer.Option(help="Share of requests that fail (5xx, unavailable page, lost answer).")] = 0.0,
    jitter_ms: Annotated[float, typer.Option(help="Extra random delay on every answer, up to this.")] = 0.0,
    late_ms: Annotated[int, typer.Option(help="Extra delay before dialogs and late content show.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the faults and jitter, to replay a session.")] = 0,
    expire_after: Annotated[int | None, typer.Option(help="GuideWire signs out after this many requests.")] = None,
    drift: Annotated[str, typer.Option(help="What a portal's next release changes: all, or some of spa, inline-errors, markup, notice, cookies (comma-separated).")] = "",
    points_de_vente: Annotated[int, typer.Option(min=1, max=2, help="Points of sale, each with its own GuideWire account (2: a dealer group).")] = 1,
) -> None:
    """Serve the bundled replica of the portals on loopback until Ctrl-C."""
    from rpa.sandbox.seed import DEMO_GARANTISSEURS, DEMO_OFFER_MAPPING
    from rpa.sandbox.server import create_sandbox

    ports = {} if port == 0 else {
        "planetvo": port, "reseauxconnect": port + 1, "guidewire": port + 2, "traqueur": port + 3,
    }
    knobs = sandbox_knobs(drift, seed, faults, jitter_ms, late_ms, expire_after)
    box = create_sandbox(state, latency_ms=latency_ms, extra_bdcs=extra_bdcs, ports=ports,
                         points_of_sale=points_de_vente, **knobs).bind()
    s = box.state
    pvo, rc, gw = box.url("planetvo"), box.url("reseauxconnect"), box.url("guidewire")
    out.print("[bold]Bac à sable rpa[/bold] (Ctrl-C pour arrêter)")
    out.print(f"  Planet VO      {pvo}   {s.planetvo_account.username} / {s.planetvo_account.password}")
    out.print(f"  reseauxconnect {rc}   (par la fenêtre Garantir de Planet VO)", soft_wrap=True)
    out.print(f"  GuideWire      {gw}   {s.guidewire_account.username} / {s.guidewire_account.password}")
    for site, own in s.points_of_sale.items():  # a dealer group's other points of sale
        out.print(f"    point de vente {site:<12} {own.username} / {own.password}",
                  markup=False, highlight=False)
    tq = box.url("traqueur")
    out.print(f"  Traqueur       {tq}")
    for account in s.traqueur.accounts:
        out.print(f"    {account.kind:<10} {account.name:<18} {account.email} / {account.password}",
                  markup=False, highlight=False)
    out.print("Réglages pour le bot (.env) :")
    for name, value in (
        ("RPA_PLANETVO__URL", pvo), ("RPA_PLANETVO__USERNAME", s.planetvo_account.username),
        ("RPA_PLANETVO__PASSWORD", s.planetvo_account.password), ("RPA_GUIDEWIRE__URL", gw),
        ("RPA_GUIDEWIRE__USERNAME", s.guidewire_account.username),
        ("RPA_GUIDEWIRE__PASSWORD", s.guidewire_account.password),
        ("RPA_GUIDEWIRE__OFFERS", json.dumps(DEMO_OFFER_MAPPING, ensure_ascii=False)),
        ("RPA_RESEAUXCONNECT__GARANTISSEURS", json.dumps(DEMO_GARANTISSEURS, ensure_ascii=False)),
        ("RPA_TRAQUEUR__URL", tq),
        *([("RPA_GUIDEWIRE__ACCOUNTS", json.dumps({site: a.model_dump() for site, a in s.guidewire_accounts().items()}))]
          if s.points_of_sale else []),
    ):
        out.print(f"  {name}='{value}'", markup=False, highlight=False, soft_wrap=True)
    sys.stdout.flush()
    box.serve_forever()


@app.command()
def demo(
    data_dir: Annotated[Path | None, typer.Option(help="Where the demo keeps its ledger, PDFs and sandbox state.")] = None,
    latency_ms: Annotated[float, typer.Option(help="Delay the sandbox adds to every answer.")] = 0.0,
    workers: Annotated[int | None, typer.Option(help="Vehicles worked on at once (RPA_WORKERS).")] = None,
    faults: Annotated[float, typer.Option(help="Share of the sandbox's requests that fail (a bad night).")] = 0.0,
    expire_after: Annotated[int | None, typer.Option(help="GuideWire signs out after this many requests.")] = None,
    drift: Annotated[str, typer.Option(help="Portals drifted as by a new release: all, or some of spa, inline-errors, markup, notice, cookies.")] = "",
    seed: Annotated[int, typer.Option(help="Seed of the faults and the drift, to replay a night.")] = 0,
) -> None:
    """Start the sandbox in-process and run every sandbox BDC through the whole chain."""
    from rpa.flows.demo import run_demo

    settings = load_settings(workers=workers)
    root = data_dir or settings.data_dir / "demo"
    knobs = sandbox_knobs(drift, seed, faults, expire_after=expire_after)
    result, settings = run_demo(settings, root, run_items, latency_ms=latency_ms, console=console, **knobs)
    print_summary(result, settings)
    out.print(f"Voir ce run dans un navigateur : {invoked_as()} serve --data-dir {settings.data_dir}",
              markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(result.exit_code)


def invoked_as() -> str:
    """How this `rpa` was started, for a command line to copy (`.venv/bin/rpa` under make)."""
    argv0 = Path(sys.argv[0])
    return str(argv0) if argv0.name == "rpa" else f"{sys.executable} -m rpa"


@app.command()
def reconcile(
    directory: Annotated[Path | None, typer.Argument(help="Policies folder (default: <data dir>/policies).")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Download missing PDFs; move bad and duplicate files to <DIR>-quarantaine (never deletes).")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Skip GuideWire: compare the folder and the ledger only.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Workbook to write.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Overrides RPA_DATA_DIR.")] = None,
) -> None:
    """Reconcile the policy PDFs with the ledger and GuideWire; exit 1 while discrepancies remain."""
    from rpa.flows.reconcile import reconcile as run_reconcile
    from rpa.policies.folder import KINDS

    settings = load_settings(data_dir)
    setup_logging(settings.secret_values(), settings.data_dir, console=console)
    result = run_reconcile(settings, directory, fix=fix, offline=offline, out=out_file)
    table = Table(title=f"Rapprochement de {result.directory} — {result.files} fichier(s) en {result.seconds:.1f} s")
    table.add_column("Type")
    table.add_column("Écart")
    table.add_column("Trouvés", justify="right")
    if fix:
        table.add_column("Restants", justify="right")
    for kind, (found, left) in result.counts().items():
        row = [kind, escape(KINDS[kind]), str(found)] + ([str(left)] if fix else [])
        table.add_row(*row, style="red" if left else None)
    out.print(table)
    out.print("Aucun écart." if not result.remaining else f"{len(result.remaining)} écart(s) restant(s).")
    out.print(f"Classeur : {result.path}")
    raise typer.Exit(result.exit_code)


removals = typer.Typer(help="Traqueur Extranet PRO: tracker-box removals, both sides.", no_args_is_help=True)
app.add_typer(removals, name="removals")


def print_removals(result: RemovalsResult, title: str) -> None:
    table = Table(title=title)
    for column in ("Ligne", "VIN", "Résultat", "N° demande", "Statut", "Motif"):
        table.add_column(column, overflow="fold")
    for o in sorted(result.outcomes, key=lambda o: o.row):
        style = "red" if o.failed else "green"
        table.add_row(str(o.row), o.vin, f"[{style}]{escape(o.result)}", o.demande, o.status, escape(o.reason))
    out.print(table)
    print_counts(o.result for o in result.outcomes)
    out.print(f"Classeur : {result.path}")


def run_removals(flow: Callable[[Settings, Path], RemovalsResult], file: Path, title: str,
                 workers: int | None = None) -> None:
    """Run a removal flow over `file`, show its lines, exit 0 or 1. `workers`: `--workers`, for
    the flows that take it (through `settings.workers`)."""
    settings = load_settings(workers=workers)
    setup_logging(settings.secret_values(), settings.data_dir, console=console)
    result = flow(settings, file)
    print_removals(result, f"{title} — {file.name}")
    if result.stopped is not None:
        say_error(result.stopped.reason)
    raise typer.Exit(result.exit_code)


@removals.command("request")
def removals_request(file: Annotated[Path, typer.Argument(help="Request file (.xlsx or .xls), the extranet's upload format.")]) -> None:
    """Requester: check the file locally, upload it, compare the review page, CONFIRMER."""
    from rpa.flows.removals import request_removals

    run_removals(request_removals, file, "Demande de dépose")


@removals.command("status")
def removals_status(out_file: Annotated[Path | None, typer.Option("--out", help="Workbook to write.")] = None) -> None:
    """Requester: every demande and line with its status; changes since the last export marked."""
    from rpa.flows.removals import removal_status

    settings = load_settings()
    setup_logging(settings.secret_values(), settings.data_dir, console=console)
    result = removal_status(settings, out_file)
    changed = [o for o in result.outcomes if o.reason]
    out.print(f"{len(result.outcomes)} ligne(s), {len(changed)} changement(s) depuis le dernier export")
    out.print(f"Classeur : {result.path}")


@removals.command("process")
def removals_process(
    file: Annotated[Path, typer.Argument(help="One row per VIN: VIN, Action, Motif du refus, …")],
    workers: Annotated[int | None, typer.Option(help="VINs worked on at once (RPA_WORKERS).")] = None,
) -> None:
    """Remover: apply Accepter / Refuser / Signaler to each line of the file."""
    from rpa.flows.removals import process_removals

    run_removals(process_removals, file, "Déposes", workers)


@app.command()
def nightly(
    workers: Annotated[int | None, typer.Option(help="Vehicles worked on at once (RPA_WORKERS).")] = None,
    run_id: RunIdOption = None,
) -> None:
    """The unattended night: every closed BDC, then the policies folder reconciled."""
    from rpa.flows.nightly import run_nightly

    settings = load_settings(workers=workers)
    setup_logging(settings.secret_values(), settings.data_dir, console=console)
    with progress_bar(settings) as (start, done):
        result = run_nightly(settings, on_start=start, on_done=done, run_id=checked_run_id(run_id))
    print_summary(result.run, settings)
    rec = result.reconciliation
    out.print(f"Rapprochement : {len(rec.remaining)} écart(s) sur {rec.files} fichier(s) — {rec.path}")
    raise typer.Exit(result.exit_code)


app.add_typer(serve_app, name="serve")

runs = typer.Typer(help="Past runs: what happened, vehicle by vehicle.", invoke_without_command=True)
app.add_typer(runs, name="runs")


@runs.callback()
def runs_list(ctx: typer.Context) -> None:
    """One line per run: start, duration, vehicles done / failed / skipped."""
    if ctx.invoked_subcommand is not None:
        return
    from rpa.runs.archive import load_summaries

    settings = load_settings()
    table = Table(title=f"Runs — {settings.runs_dir}")
    for column in ("Run", "Commande", "Début", "Durée", "Faits", "Échecs", "Ignorés"):
        table.add_column(column)
    for s in load_summaries(settings.runs_dir):
        table.add_row(s.run_id, s.command, f"{s.started:%d/%m/%Y %H:%M}", f"{s.seconds:.0f} s",
                      str(s.count(Result.TERMINE)), str(s.count(Result.ECHEC)), str(s.skipped))
    out.print(table)


@runs.command("show")
def runs_show(run_id: Annotated[str, typer.Argument(help="A run id from `rpa runs`.")]) -> None:
    """Each vehicle of a run: stage reached, result and reason."""
    from rpa.runs.archive import load_summaries

    settings = load_settings()
    found = [s for s in load_summaries(settings.runs_dir) if s.run_id == run_id]
    if not found:
        raise UsageError(f"Aucun run {run_id} dans {settings.runs_dir} (voir `rpa runs`).")
    summary = found[0]
    table = Table(title=f"Run {summary.run_id} ({summary.command}, {summary.started:%d/%m/%Y %H:%M})")
    for column in ("Ligne", "Vo Vendu", "Étape", "Résultat", "Police", "Motif"):
        table.add_column(column, overflow="fold")
    for o in summary.outcomes:
        reason = f"({o.failure_kind}) {o.reason}" if o.failure_kind else o.reason
        table.add_row(str(o.row), escape(o.key), o.stage, o.result, o.police, escape(reason))
    out.print(table)
    for o in summary.outcomes:
        if o.screenshot:
            out.print(f"Capture de l'échec {o.key} : {o.screenshot}")
        if o.trace:
            out.print(f"Trace {o.key} : rpa trace {summary.run_id} {o.key}")
    out.print(f"Dossier : {settings.runs_dir / summary.run_id}")


@app.command()
def trace(
    run_id: Annotated[str, typer.Argument(help="A run id from `rpa runs`.")],
    item: Annotated[str, typer.Argument(help="The vehicle: Vo Vendu, BDC, plate or VIN.")],
    serve: Annotated[int | None, typer.Option(
        "--serve", help="Serve the viewer on this port (0: any free port) instead of opening a window.")] = None,
    host: Annotated[str, typer.Option(help="Address to serve on with --serve.")] = "127.0.0.1",
) -> None:
    """Open a vehicle's Playwright trace in the trace viewer."""
    import os
    import subprocess

    from rpa.runs.archive import find_trace

    settings = load_settings()
    path = find_trace(settings.runs_dir, run_id, item)
    out.print(f"Trace : {path}")
    command = [sys.executable, "-m", "playwright", "show-trace"]
    if serve is None and sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        serve = 0  # a headless server: serve it, to be opened through an SSH tunnel
    if serve is not None:
        command += ["--host", host, "--port", str(serve)]
        out.print("Ouvrez l'adresse « Listening on » ci-dessous dans un navigateur ; Ctrl-C pour arrêter.")
    try:
        code = subprocess.call([*command, str(path)])
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


@app.command()
def record(
    portal: Annotated[str, typer.Argument(help="planetvo, guidewire or traqueur.")],
    out_file: Annotated[Path | None, typer.Option("--out", help="HAR file to write.")] = None,
) -> None:
    """Open a headed browser on a configured portal and record what you do there as HAR."""
    from playwright.sync_api import sync_playwright

    from rpa.browser.launch import launch
    from rpa.browser.recordings import clean_har

    settings = load_settings()
    portals = {"planetvo": settings.planetvo, "guidewire": settings.guidewire, "traqueur": settings.traqueur}
    if portal not in portals or not portals[portal].url:
        raise UsageError(f"Portail inconnu ou sans adresse : {portal} (planetvo, guidewire, traqueur).")
    target = out_file or Path("recordings") / f"{portal}-{new_run_id()}.har"
    target.parent.mkdir(parents=True, exist_ok=True)
    headed = settings.browser.model_copy(update={"headless": False})
    with sync_playwright() as playwright:
        browser = launch(playwright, headed)
        context = browser.new_context(record_har_path=str(target), record_har_content="embed")
        page = context.new_page()
        page.goto(str(portals[portal].url))
        out.print("Naviguez sur le portail, puis fermez la fenêtre pour enregistrer.")
        page.wait_for_event("close", timeout=0)  # the operator decides when it is done
        context.close()
        browser.close()
    cleaned = clean_har(target, settings.secret_values())
    out.print(f"Enregistrement : {target} ({cleaned} secret(s) ou cookie(s) retiré(s))")


def main() -> None:
    """Every command ends in its exit code and, when it could not do its job, one `Erreur :`
    line; never a traceback (the details go to `<data dir>/rpa.log` and the run's log)."""
    logger.remove()  # loguru's own handler prints tracebacks: only setup_logging's sinks
    try:
        app()  # standalone: click turns its own usage errors into exit code 2
    except UsageError as err:  # configuration, command line, input file: nothing was attempted
        say_error(err.message)
        sys.exit(2)
    except RpaError as err:  # e.g. the shared ledger went away: the next run resumes
        details_only().opt(exception=err).error("arrêt : {}", err.message)
        say_error(err.message)
        sys.exit(1)
    except KeyboardInterrupt:
        say_error("interrompu")
        sys.exit(130)
    except Exception as err:  # noqa: BLE001  # a bug of the bot's own: one line, details in the log
        details_only().opt(exception=err).error("erreur inattendue")
        first = next((ln.strip() for ln in str(err).splitlines() if ln.strip()), "")
        say_error(f"erreur inattendue ({type(err).__name__}{' : ' + first[:200] if first else ''}) ; "
                  "détails dans rpa.log du dossier de données")
        sys.exit(1)
