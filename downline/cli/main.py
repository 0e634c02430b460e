"""The `downline` command. Expected failures print one line and exit non-zero, never a traceback.

Exit codes: 0 success; 1 finished with findings (ingest rejects); 2 failed; 3 `db status` found
the server stopped or unreachable; 70 an internal error (set DOWNLINE_DEBUG=1 for the traceback).
Every failure becomes its exit code here, in `main`, and nowhere else.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback

import typer
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired
from pydantic import ValidationError

from downline.cli import analytics
from downline.cli.db import db_app
from downline.cli.ingest import demo_app, ingest_app
from downline.cli.query import query_app
from downline.cli.snapshot import snapshot_app
from downline.connection import explain_failure
from downline.errors import DownlineError
from downline.settings import Settings, env_names

app = typer.Typer(
    help="Genealogy analytics for network-marketing organisations, backed by Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(ingest_app, name="ingest")
app.add_typer(demo_app, name="demo")
app.add_typer(query_app, name="query")
app.add_typer(snapshot_app, name="snapshot")
for _name, _command in analytics.COMMANDS.items():
    app.command(_name)(_command)


def _say(message: str) -> None:
    typer.echo(message, err=True)


@app.callback()
def _load_settings(ctx: typer.Context) -> None:
    ctx.obj = Settings()


@app.command("settings")
def show_settings(ctx: typer.Context) -> None:
    """Show the effective settings (the password only as set / generated / unset)."""
    settings: Settings = ctx.obj
    values = settings.model_dump()
    for field_name, field in Settings.model_fields.items():
        env = field.json_schema_extra["env"]
        value = values[field_name]
        if field_name == "neo4j_password":
            if value is not None:
                value = "(set)"
            elif settings.password() is not None:
                value = f"(generated, in {settings.password_file})"
            else:
                value = "(unset)"
        elif field_name == "dashboard_password":
            value = "(set)" if value is not None else "(unset)"
        typer.echo(f"{env}={value}")


@app.command("dashboard")
def dashboard(
    ctx: typer.Context,
    host: str = typer.Option(None, help="Address to bind (default: DASHBOARD_HOST)."),
    port: int = typer.Option(None, help="Port (default: DASHBOARD_PORT)."),
) -> None:
    """Serve the analysts' dashboard for a workstation (use gunicorn for production)."""
    settings: Settings = ctx.obj
    host = host or settings.dashboard_host
    port = port or settings.dashboard_port
    settings = settings.model_copy(update={"dashboard_host": host})
    from dashboard.app import create_app

    app_ = create_app(settings)
    typer.echo(f"dashboard on http://{host}:{port}/ (Ctrl-C stops it)")
    app_.run(host=host, port=port, debug=False)


def _env_of(location: tuple) -> str:
    names = set(env_names())
    return next((str(part) for part in location if str(part) in names), str(location))


def main() -> None:
    """Entry point: run the CLI and turn every failure into one plain line."""
    # The driver retries transient errors (deadlocks, leader switches) by itself; its warning
    # for each retry is noise to a user. DOWNLINE_DEBUG=1 shows them.
    if not os.environ.get("DOWNLINE_DEBUG"):
        logging.getLogger("neo4j").setLevel(logging.ERROR)
    try:
        app()
    except DownlineError as error:
        _say(f"error: {error}")
        sys.exit(error.exit_code)
    except ValidationError as error:
        for problem in error.errors():
            _say(f"error: setting {_env_of(problem['loc'])}: {problem['msg']}")
        sys.exit(2)
    except (ServiceUnavailable, SessionExpired, AuthError) as error:
        _say(f"error: {explain_failure(Settings(), error)}")
        sys.exit(2)
    except Neo4jError as error:
        _say(f"error: Neo4j refused the request: {error.code}: {error.message}")
        sys.exit(2)
    except KeyboardInterrupt:
        _say("interrupted")
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("DOWNLINE_DEBUG"):
            traceback.print_exc()
        _say(
            f"internal error: {type(error).__name__}: {error} "
            "(set DOWNLINE_DEBUG=1 to see the traceback)"
        )
        sys.exit(70)
