"""`downline ingest`: one run (`downline ingest PATH...`), its history, and the watch worker."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import typer
from typer.core import TyperGroup

from downline.cli.options import Format, FormatOption
from downline.cli.output import emit
from downline.connection import connected
from downline.errors import DownlineError
from downline.settings import Settings
from queries.filters import parse_day


class _DefaultToLoad(TyperGroup):
    """`downline ingest PATH...` means `downline ingest load PATH...`."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["load", *args]
        return super().parse_args(ctx, args)


ingest_app = typer.Typer(
    cls=_DefaultToLoad,
    no_args_is_help=True,
    help="Load CSV exports into Neo4j: `downline ingest PATH...`, `history`, `watch DROPDIR`.",
)

_DURATION = re.compile(r"(\d+)([smh]?)")


def parse_duration(text: str) -> float:
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise DownlineError(f"{text!r} is not a duration such as 30s, 15m or 1h")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def _print_report(report) -> None:
    typer.echo(
        f"{'file':40} {'kind':12} {'read':>9} {'loaded':>9} {'rejected':>9} "
        f"{'created':>9} {'existing':>9} {'transfers':>9}"
    )
    for f in report.files:
        typer.echo(
            f"{Path(f.path).name[:40]:40} {f.kind:12} {f.read:>9,} {f.loaded:>9,} "
            f"{f.rejected:>9,} {f.created:>9,} {f.existing:>9,} {f.transfers:>9,}"
        )
        if f.rejects_file:
            typer.echo(f"  rejected rows, with reasons: {f.rejects_file}")
    line = f"run {report.run_id}: {report.status}"
    if report.error:
        line += f": {report.error}"
    typer.echo(line)


@ingest_app.command("load", help="Load files (or every recognised file of a folder).")
def load(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="CSV or .csv.gz files, or folders of them."),
    kind: str = typer.Option(
        None,
        help="distributors, customers, orders or commissions, for files whose name does not say.",
    ),
    rejects: Path = typer.Option(
        None, help="Folder for the rejects files (default: beside each input)."
    ),
    report: Path = typer.Option(None, help="Write the run report as JSON to this file."),
    as_of: str = typer.Option(
        None, "--as-of", help="Date recorded for sponsor changes (YYYY-MM-DD; default today)."
    ),
    bulk: bool = typer.Option(
        False,
        "--bulk",
        help="First load into the empty local database through Neo4j's offline importer "
        "(stops and restarts the local server; one file per kind).",
    ),
) -> None:
    from ingest.pipeline import resolve_inputs, run_ingest

    settings: Settings = ctx.obj
    inputs = resolve_inputs(paths, kind)
    when = parse_day(as_of, "--as-of")
    if bulk:
        from ingest.bulk_run import run_bulk_ingest

        result = run_bulk_ingest(settings, inputs, rejects_dir=rejects, as_of=when)
    else:
        with connected(settings) as driver:
            result = run_ingest(driver, settings, inputs, rejects_dir=rejects, as_of=when)
    if report:
        result.write(report)
    _print_report(result)
    raise typer.Exit(result.exit_code)


@ingest_app.command("history")
def history(
    ctx: typer.Context,
    limit: int = typer.Option(20, help="How many runs, newest first."),
    fmt: FormatOption = Format.table,
) -> None:
    """The recorded ingest runs, newest first."""
    from ingest.runs import history as run_history

    settings: Settings = ctx.obj
    with connected(settings) as driver:
        rows = run_history(driver, settings.neo4j_database, limit)
    if fmt is not Format.table:
        plain = [{key: _plain(value) for key, value in row.items()} for row in rows]
        flat = [{**row, "files": "; ".join(row["files"] or [])} for row in plain]
        emit(fmt, pd.DataFrame(flat, columns=HISTORY_COLUMNS), plain)
        return
    for row in rows:
        started = str(row["started_at"])[:19]
        files = ", ".join(Path(f).name for f in row["files"] or [])
        typer.echo(
            f"{started}  {row['status']:22} read {row['read'] or 0:>9,}  loaded "
            f"{row['loaded'] or 0:>9,}  rejected {row['rejected'] or 0:>7,}  "
            f"{row['id']}  {files}"
        )


HISTORY_COLUMNS = [
    "id",
    "started_at",
    "finished_at",
    "status",
    "files",
    "read",
    "loaded",
    "rejected",
    "error",
]


def _plain(value):
    """A history value as JSON has it: times as ISO text, lists as they are."""
    return value if value is None or isinstance(value, (str, int, float, list)) else str(value)


@ingest_app.command("watch")
def watch(
    ctx: typer.Context,
    dropdir: Path = typer.Argument(..., help="Folder where exports are dropped."),
    every: str = typer.Option("15m", help="How often to look: 30s, 15m, 1h."),
    once: bool = typer.Option(False, help="Look once and exit (for tests and cron)."),
) -> None:
    """Long-running worker: load new files as they arrive; move each to processed/ or failed/."""
    from ingest.watch import Watcher

    settings: Settings = ctx.obj
    Watcher(settings, dropdir, parse_duration(every), log=lambda m: typer.echo(m, err=True)).run(
        once=once
    )


demo_app = typer.Typer(no_args_is_help=True, help="Generated demo networks.")


@demo_app.command("generate")
def generate(
    distributors: int = typer.Option(20_000, min=1, help="How many distributors."),
    months: int = typer.Option(36, min=1, max=240, help="How many months of history."),
    seed: int = typer.Option(1, help="Random seed: the same seed writes the same files."),
    profile: str = typer.Option("pyramid", help="retail or pyramid."),
    end: str = typer.Option("2026-10-31", help="Last day of the history (YYYY-MM-DD)."),
    out: Path = typer.Option(Path("demo-data"), help="Folder for the four CSV files."),
) -> None:
    """Write a realistic network in the input format (docs/data-format.md)."""
    from ingest.generate import PROFILES
    from ingest.generate import generate as write_network

    if profile not in PROFILES:
        raise DownlineError(f"--profile {profile!r} is not one of {', '.join(PROFILES)}")
    last = parse_day(end, "--end")
    counts = write_network(out, distributors, months, seed, profile, end=last)
    typer.echo(
        ", ".join(f"{count:,} {kind}" for kind, count in counts.items()) + f" written to {out}"
    )
