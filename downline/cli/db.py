"""`downline db`: the local Neo4j server, the schema and the data of the configured database."""

from __future__ import annotations

import typer

from downline import snapshot
from downline.connection import connected
from downline.errors import DownlineError
from downline.localdb import LocalNeo4j
from downline.schema import database_status, delete_all, init_schema
from queries.overview import graph_counts

db_app = typer.Typer(
    help="The Neo4j database: a local server, its schema, its data.", no_args_is_help=True
)


def _say(message: str) -> None:
    typer.echo(message, err=True)


@db_app.command("start")
def db_start(ctx: typer.Context) -> None:
    """Start the local Neo4j (fetched from Maven Central on first use); wait until Bolt answers."""
    server = LocalNeo4j(ctx.obj, log=_say)
    seconds = server.start()
    if seconds:
        typer.echo(f"started in {seconds:.1f} s: {server.status().describe()}")


@db_app.command("stop")
def db_stop(ctx: typer.Context) -> None:
    """Stop the local Neo4j cleanly; its data stays."""
    server = LocalNeo4j(ctx.obj, log=_say)
    typer.echo("stopped" if server.stop() else f"not running; data in {server.home}")


@db_app.command("status")
def db_status(ctx: typer.Context) -> None:
    """Say `running` or `stopped` and where; exit 3 when stopped or unreachable."""
    settings = ctx.obj
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
    settings = ctx.obj
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
    """Delete all data of the configured database (constraints and indexes stay); a local
    database that cannot come online is recreated empty."""
    settings = ctx.obj
    if not yes:
        raise DownlineError(
            f"this deletes every node of database {settings.neo4j_database!r} at "
            f"{settings.neo4j_uri}; run again with --yes to confirm"
        )
    database = settings.neo4j_database
    with connected(settings) as driver:
        status, why = database_status(driver, database)
        deleted = delete_all(driver, database) if status == "online" else None
    if deleted is None:
        _recreate(settings, status, why)
    snapshot.remove(settings.snapshot_dir)  # it described the data just deleted
    if deleted is not None:
        typer.echo(f"deleted {deleted:,} nodes from database {database!r}")


def _recreate(settings, status: str, why: str) -> None:
    """A database that cannot come online (say, a store an import left broken): the local
    server's store is recreated empty; one managed elsewhere is its operator's to mend."""
    database = settings.neo4j_database
    found = f"database {database!r} is {status}" + (f" ({why})" if why else "")
    if not settings.is_local:
        raise DownlineError(f"{found} at {settings.neo4j_uri}, a server downline does not manage")
    _say(f"{found}: stopping the server and recreating its store")
    LocalNeo4j(settings, log=_say).recreate_store()
    with connected(settings) as driver:
        init_schema(driver, database)
    typer.echo(
        f"recreated database {database!r} empty, with the schema; its run history was kept in "
        "the store that could not come online and is gone with it"
    )


@db_app.command("counts")
def db_counts(ctx: typer.Context) -> None:
    """How many distributors, customers, orders and commissions the graph holds."""
    settings = ctx.obj
    with connected(settings) as driver:
        counts = graph_counts(driver, settings.neo4j_database)
    for name, value in vars(counts).items():
        typer.echo(f"{name}: {value}")
