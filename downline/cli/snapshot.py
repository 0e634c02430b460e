"""`downline snapshot`: the analytics read model's state, and rebuilding it from Neo4j."""

from __future__ import annotations

import typer

from downline import snapshot
from downline.connection import connected
from downline.errors import DownlineError

snapshot_app = typer.Typer(
    no_args_is_help=True,
    help="The analytics read model (docs/read-model.md): `status`, `rebuild`.",
)


@snapshot_app.command("status")
def status(ctx: typer.Context) -> None:
    """Which ingest run the snapshot reflects, and whether the analytics use it."""
    from queries.cypher_source import CypherSource
    from queries.engine import staleness

    settings = ctx.obj
    try:
        version = snapshot.current(settings.snapshot_dir)
    except snapshot.SnapshotError as error:
        raise DownlineError(f"the snapshot cannot be read: {error}") from None
    if version is not None:
        rows = ", ".join(f"{t.num_rows:,} {name}" for name, t in version.tables.items())
        typer.echo(f"{version.folder}: run {version.run_id}, made by {version.meta['made_by']}")
        typer.echo(f"built {version.meta['built_at']}: {rows}")
    with connected(settings) as driver:
        problem = staleness(CypherSource(driver, settings.neo4j_database), version)
    typer.echo(problem or "up to date: the analytics answer from it")
    if problem:
        raise typer.Exit(1)


@snapshot_app.command("rebuild")
def rebuild(ctx: typer.Context) -> None:
    """Read every fact back from Neo4j into a new snapshot (after a failure, or for a server
    loaded by other means); holds the ingest lock while it reads."""
    from ingest.progress import ProgressReporter
    from ingest.snapshot_store import rebuild as rebuild_snapshot
    from ingest.snapshot_store import reconcile

    settings = ctx.obj
    with connected(settings) as driver:
        version = rebuild_snapshot(driver, settings, ProgressReporter())
        problems = reconcile(driver, settings.neo4j_database, version)
    rows = ", ".join(f"{t.num_rows:,} {name}" for name, t in version.tables.items())
    typer.echo(f"snapshot rebuilt for run {version.run_id}: {rows}")
    if problems:
        raise DownlineError("the rebuilt snapshot disagrees with Neo4j: " + "; ".join(problems))
