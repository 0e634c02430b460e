"""`downline query`: list, show and run saved queries, or an ad-hoc one from a file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from downline.cli.options import RowsFormat
from downline.cli.output import csv_text, emit, records, table_text
from downline.connection import connected
from downline.errors import DownlineError
from downline.settings import Settings

query_app = typer.Typer(
    no_args_is_help=True,
    help="Saved, parameterised, read-only Cypher queries: `list`, `show NAME`, `run NAME`.",
)


def _library(settings: Settings):
    from queries.library import load_library

    return load_library(settings.saved_queries_dir)


@query_app.command("list", help="One line per saved query: name and title.")
def list_command(ctx: typer.Context) -> None:
    for query in _library(ctx.obj).values():
        typer.echo(f"{query.name:32} {query.title}")


@query_app.command("show", help="A saved query: description, parameters and text.")
def show_command(ctx: typer.Context, name: str) -> None:
    from queries.library import get

    query = get(_library(ctx.obj), name)
    typer.echo(f"{query.name}: {query.title}\n{query.description}\n")
    for param in query.params:
        default = "required" if param.default is None else f"default {param.default}"
        typer.echo(f"  --param {param.name}=<{param.type}>  ({default}) {param.description}")
    typer.echo(f"\nfrom {query.path}\n\n{query.text}")


def _params(pairs: list[str]) -> dict[str, str]:
    given = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise DownlineError(f"--param {pair!r}: write it as name=value")
        given[key.strip()] = value
    return given


@query_app.command("run", help="Run a saved query (NAME) or an ad-hoc one (--file).")
def run_command(
    ctx: typer.Context,
    name: str = typer.Argument(None, help="A saved query's name."),
    file: Path = typer.Option(None, "--file", help="A .cypher file to run ad hoc."),
    param: list[str] = typer.Option([], "--param", help="name=value, once per parameter."),
    fmt: RowsFormat = typer.Option(RowsFormat.table, "--format", help="How to print the rows."),
    out: Path = typer.Option(None, "--out", help="Write the rows to this file."),
    limit: int = typer.Option(None, "--limit", help="The most rows (default: the setting)."),
    timeout: float = typer.Option(None, "--timeout", help="Seconds (default: the setting)."),
) -> None:
    from queries.library import get, parse
    from queries.runner import run_query

    settings: Settings = ctx.obj
    if (name is None) == (file is None):
        raise DownlineError("give a saved query's NAME or --file, not both")
    if fmt is RowsFormat.parquet and out is None:
        raise DownlineError("--format parquet needs --out FILE")
    if file is not None:
        try:
            query = parse(file.read_text(encoding="utf-8"), file)
        except (OSError, UnicodeDecodeError) as error:
            raise DownlineError(f"{file}: cannot be read: {error}") from None
    else:
        query = get(_library(settings), name)
    values = query.bind(_params(param))
    with connected(settings) as driver:
        result = run_query(
            driver,
            settings.neo4j_database,
            query,
            values,
            limit=limit or settings.query_row_limit,
            timeout=timeout or settings.query_timeout,
            audit_log=settings.audit_log,
        )
    if result.truncated:
        typer.echo(f"warning: only the first {len(result.rows)} rows (--limit)", err=True)
    if out is not None:
        _write(result.rows, fmt, out)
        typer.echo(f"{len(result.rows)} rows written to {out}", err=True)
        return
    emit(fmt, result.rows, records(result.rows))


def _write(rows, fmt: RowsFormat, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt is RowsFormat.parquet:
        rows.to_parquet(out, index=False)  # amounts stay integer cents, exactly
    elif fmt is RowsFormat.json:
        out.write_text(json.dumps(records(rows), indent=2) + "\n", encoding="utf-8")
    elif fmt is RowsFormat.csv:
        out.write_text(csv_text(rows), encoding="utf-8")
    else:
        out.write_text(table_text(rows) + "\n", encoding="utf-8")
