"""The `downline` command. Expected failures print one line and exit non-zero, never a traceback.

Exit codes: 0 success; 1 finished with findings (ingest rejects); 2 failed; 3 `db status` found
the server stopped or unreachable; 70 an internal error (set DOWNLINE_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import logging
import os
import sys
import traceback

import typer
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired
from pydantic import ValidationError

from downline import cli_analytics
from downline.cli_ingest import demo_app, ingest_app
from downline.cli_query import query_app
from downline.connection import connected, explain_failure
from downline.errors import DownlineError
from downline.localdb import LocalNeo4j
from downline.schema import delete_all, init_schema
from downline.settings import Settings, env_names
from queries.overview import graph_counts

app = typer.Typer(
    help="Genealogy analytics for network-marketing organisations, backed by Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(
    help="The Neo4j database: a local server, its schema, its data.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(ingest_app, name="ingest")
app.add_typer(demo_app, name="demo")
app.add_typer(query_app, name="query")
cli_analytics.register(app)


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj


def _say(message: str) -> None:
    typer.echo(message, err=True)


@app.callback()
def _load_settings(ctx: typer.Context) -> None:
    ctx.obj = Settings()


@app.command("settings")
def show_settings(ctx: typer.Context) -> None:
    """Show the effective settings (the password only as set / generated / unset)."""
    settings = _settings(ctx)
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


@db_app.command("start")
def db_start(ctx: typer.Context) -> None:
    """Start the local Neo4j (fetched from Maven Central on first use); wait until Bolt answers."""
    server = LocalNeo4j(_settings(ctx), log=_say)
    seconds = server.start()
    if seconds:
        typer.echo(f"started in {seconds:.1f} s: {server.status().describe()}")


@db_app.command("stop")
def db_stop(ctx: typer.Context) -> None:
    """Stop the local Neo4j cleanly; its data stays."""
    server = LocalNeo4j(_settings(ctx), log=_say)
    typer.echo("stopped" if server.stop() else f"not running; data in {server.home}")


@db_app.command("status")
def db_status(ctx: typer.Context) -> None:
    """Say `running` or `stopped` and where; exit 3 when stopped or unreachable."""
    settings = _settings(ctx)
    if not settings.is_local:
        try:
            with connected(settings) as driver:
                agent = driver.get_server_info().agent
        except DownlineError as error:
            typer.echo(f"stopped: {error}")
            raise typer.Exit(3) from None
        typer.echo(f"running: {agent} at {settings.neo4j_uri} (not managed by downline)")
        return
    status = LocalNeo4j(settings, log=_say).status()
    typer.echo(status.describe())
    if not status.running:
        raise typer.Exit(3)


@db_app.command("init")
def db_init(ctx: typer.Context) -> None:
    """Create the uniqueness constraints and indexes that are missing (idempotent)."""
    settings = _settings(ctx)
    with connected(settings) as driver:
        names = init_schema(driver, settings.neo4j_database)
    typer.echo(
        f"schema ready in database {settings.neo4j_database!r}: {len(names)} "
        "constraints and indexes online"
    )


@db_app.command("reset")
def db_reset(
    ctx: typer.Context,
    yes: bool = typer.Option(False, "--yes", help="Confirm: delete every node and relationship."),
) -> None:
    """Delete all data of the configured database (constraints and indexes stay)."""
    settings = _settings(ctx)
    if not yes:
        raise DownlineError(
            f"this deletes every node of database {settings.neo4j_database!r} at "
            f"{settings.neo4j_uri}; run again with --yes to confirm"
        )
    with connected(settings) as driver:
        deleted = delete_all(driver, settings.neo4j_database)
    typer.echo(f"deleted {deleted:,} nodes from database {settings.neo4j_database!r}")


@db_app.command("counts")
def db_counts(ctx: typer.Context) -> None:
    """How many distributors, customers, orders and commissions the graph holds."""
    settings = _settings(ctx)
    with connected(settings) as driver:
        counts = graph_counts(driver, settings.neo4j_database)
    for name, value in vars(counts).items():
        typer.echo(f"{name}: {value}")


@app.command("dashboard")
def dashboard(
    ctx: typer.Context,
    host: str = typer.Option(None, help="Address to bind (default: DASHBOARD_HOST)."),
    port: int = typer.Option(None, help="Port (default: DASHBOARD_PORT)."),
) -> None:
    """Serve the analysts' dashboard for a workstation (use gunicorn for production)."""
    settings = _settings(ctx)
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
