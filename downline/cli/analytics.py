"""Analytics commands: levels, flows, earnings, cohorts, indicators, distributor. Each runs one
typed function of `queries` through `_metric` and prints its result; no Cypher here."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Annotated, TypeVar

import pandas as pd
import typer

from downline.cli.options import ActiveOnly, AsOf, DateFrom, DateTo, Format, FormatOption, Root
from downline.cli.output import emit, records
from downline.connection import connected
from downline.output import money, present
from queries.filters import Filters, parse_filters

T = TypeVar("T")


def _metric(
    ctx: typer.Context,
    metric: Callable[..., T],
    root: str | None,
    date_from: str | None,
    date_to: str | None,
    active_only: bool,
    as_of: str | None,
) -> T:
    """`metric(source, root, filters)` with the filters checked before connecting, from the
    read model when it is up to date (else from Neo4j, saying why on stderr)."""
    from queries.engine import choose

    filters: Filters = parse_filters(date_from, date_to, active_only, as_of)
    settings = ctx.obj
    with connected(settings) as driver:
        choice = choose(driver, settings)
        if choice.warning:
            typer.echo(f"warning: {choice.warning}", err=True)
        return metric(choice.source, root, filters)


def _view_options(
    ctx: typer.Context,
    root: Root = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    active_only: ActiveOnly = False,
    as_of: AsOf = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The options of every view of the network, declared once: `view` gives each command
    this signature followed by its printer's own options."""


def view(metric: str):
    """A command that runs `metric` ("module:function" in queries/, imported when the command
    runs) with the shared options, then prints its result with the decorated function,
    `show(result, root, fmt, **own_options)`."""

    def decorate(show: Callable[..., None]) -> Callable[..., None]:
        shared = list(inspect.signature(_view_options, eval_str=True).parameters.values())
        own = list(inspect.signature(show, eval_str=True).parameters.values())[3:]

        def command(ctx, root, date_from, date_to, active_only, as_of, fmt, **options):
            module, name = metric.split(":")
            compute = getattr(importlib.import_module(module), name)
            result = _metric(ctx, compute, root, date_from, date_to, active_only, as_of)
            show(result, root, fmt, **options)

        command.__signature__ = inspect.Signature(shared + own)
        command.__annotations__ = {p.name: p.annotation for p in shared + own}
        command.__name__, command.__doc__ = show.__name__, show.__doc__
        return command

    return decorate


@view("queries.levels:levels")
def levels_command(result, root, fmt) -> None:
    """Distributors, revenue and commissions per level."""
    emit(fmt, result.table, {"root": root, "levels": records(result.table)})


@view("queries.flows:flows")
def flows_command(result, root, fmt) -> None:
    """Commissions by source and earner level; money entering by level."""
    document = {
        "root": root,
        "by_level": records(result.by_level),
        "entering": records(result.entering),
        "by_generation_gap": records(result.by_gap),
    }
    emit(fmt, result.by_level, document, title="commissions by source level and earner level")
    if fmt is Format.table:
        emit(fmt, result.entering, title="\nmoney entering, by level and order kind")
        emit(fmt, result.by_gap, title="\ncommissions by generation gap (levels up)")


@view("queries.earnings:earnings")
def earnings_command(result, root, fmt) -> None:
    """Income disclosure: earnings bands, by rank, Lorenz, Gini."""
    summary = {
        "participants": result.participants,
        "total": money(result.total_cents),
        "mean": money(round(result.mean_cents)),
        "median": money(round(result.median_cents)),
        "gini": round(result.gini, 4),
        "top_1_percent_share": round(result.top_1_share, 4),
        "top_10_percent_share": round(result.top_10_share, 4),
    }
    document = {
        "root": root,
        **summary,
        "bands": records(result.bands),
        "by_rank": records(result.by_rank),
        "lorenz": [{"participants": x, "commissions": y} for x, y in result.lorenz],
    }
    emit(fmt, result.bands, document, title="participants by commissions earned in the period")
    if fmt is Format.table:
        emit(fmt, result.by_rank, title="\nby rank")
        emit(fmt, pd.DataFrame([summary]), title="\nsummary")


@view("queries.cohorts:cohorts")
def cohorts_command(result, root, fmt) -> None:
    """Per join month: recruits, still active after 3/6/12 months."""
    emit(fmt, result, {"root": root, "cohorts": records(result)})


@view("queries.indicators:read_inputs")
def indicators_command(
    inputs,
    root,
    fmt,
    by_earner: Annotated[
        bool, typer.Option("--by-earner", help="One row per earner instead.")
    ] = False,
) -> None:
    """Compliance indicators against their thresholds."""
    if by_earner:
        earners = inputs.by_earner()
        emit(fmt, earners, {"root": root, "earners": records(earners)})
        return
    result = inputs.indicators()
    table = result.table()
    document = {"root": root, "indicators": records(table), "summary": result.summary()}
    emit(fmt, table.drop(columns=["detail", "source"]) if fmt is Format.table else table, document)
    if fmt is Format.table:
        typer.echo("\nrisk summary (findings to quote, not a verdict):")
        for line in result.summary():
            typer.echo(f"- {line}")


def distributor_command(
    ctx: typer.Context,
    did: Annotated[str, typer.Argument(metavar="ID")],
    fmt: FormatOption = Format.table,
) -> None:
    """One distributor: upline, downline summary, own figures."""
    from queries.distributor import distributor_profile

    settings = ctx.obj
    with connected(settings) as driver:
        profile = distributor_profile(driver, settings.neo4j_database, did)
    details = pd.DataFrame([profile.details]).drop(columns=["pre", "post"])
    downline = pd.DataFrame([profile.downline])
    if fmt is Format.json:
        document = {
            **records(details)[0],
            "upline": records(profile.upline),
            "downline": records(downline)[0],
        }
        emit(fmt, details, document)
        return
    fields = present(details).T.reset_index().set_axis(["field", "value"], axis=1)
    emit(fmt, fields, title=did)
    if fmt is Format.table:
        emit(fmt, profile.upline, title="\nupline (sponsor first)")
        emit(fmt, downline, title="\ndownline")


COMMANDS = {
    "levels": levels_command,
    "flows": flows_command,
    "earnings": earnings_command,
    "cohorts": cohorts_command,
    "indicators": indicators_command,
    "distributor": distributor_command,
}
