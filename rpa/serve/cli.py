"""`rpa serve` and `rpa serve add-user`: the console's command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from rpa.config import Role, Settings, read_settings
from rpa.core.errors import UsageError
from rpa.serve.hosts import loopback

serve_app = typer.Typer(help="The web console: runs, vehicles, traces, reruns.", invoke_without_command=True)


def access(settings: Settings, host: str) -> bool:
    """Open access (no sign-in) only on loopback without any account; beyond loopback an
    account is required, and refused before anything listens."""
    from rpa.serve.users import accounts

    known = accounts(settings)
    if not loopback(host) and not known:
        raise UsageError(f"rpa serve sur {host} : la console est joignable au-delà de cette machine, "
                         "il faut des comptes. Créez-en un : rpa serve add-user NOM --role operateur")
    return not known


@serve_app.callback()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on (RPA_SERVE__HOST, default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (RPA_SERVE__PORT, default 8700).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Overrides RPA_DATA_DIR.")] = None,
) -> None:
    """Serve the web console over the data folder and the ledger until Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from rpa.core.logs import setup_logging
    from rpa.serve.app import create_app

    settings = _settings(data_dir)
    host = host or settings.serve.host
    port = settings.serve.port if port is None else port
    open_access = access(settings, host)
    secure = settings.serve.certfile is not None
    setup_logging(settings.secret_values(), settings.data_dir)
    app = create_app(settings, open_access=open_access, secure=secure)
    scheme = "https" if secure else "http"
    print(f"Console rpa : {scheme}://{host}:{port}/  (données : {settings.data_dir}; Ctrl-C pour arrêter)")
    if open_access:
        print("Sans compte : accès libre depuis cette machine seulement (rpa serve add-user pour en créer).")
    elif not secure and not loopback(host):
        print("Attention : sans HTTPS (RPA_SERVE__CERTFILE / KEYFILE), les mots de passe passent en clair "
              "et le visualiseur de traces ne s'ouvre pas hors de cette machine.")
    sys.stdout.flush()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                ssl_certfile=str(settings.serve.certfile) if secure else None,
                ssl_keyfile=str(settings.serve.keyfile) if settings.serve.keyfile else None)


@serve_app.command("add-user")
def add_user_command(
    name: Annotated[str, typer.Argument(help="The account's name.")],
    role: Annotated[Role, typer.Option(help="lecture (sees) or operateur (also reruns and starts nights).")] = Role.READER,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="Overrides RPA_DATA_DIR.")] = None,
) -> None:
    """Create an account of the console (or change its password and role)."""
    from rpa.serve.users import add_user

    settings = _settings(data_dir)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt="Encore une fois")
    path = add_user(settings, name, password, role)
    print(f"Compte {name} ({role.value}) enregistré dans {path}")


def _settings(data_dir: Path | None) -> Settings:
    settings = read_settings()
    return settings.model_copy(update={"data_dir": data_dir}) if data_dir else settings
