"""Analytics commands: levels, flows, earnings, distributor. Each calls one typed function of
`queries` and prints its result; no Cypher here."""

from __future__ import annotations

import pandas as pd
import typer

from downline.cli_ingest import parse_day
from downline.connection import connected
from downline.errors import DownlineError
from downline.output import emit, money, present, records
from downline.settings import Settings
from queries.filters import Filters

ROOT = typer.Option(None, "--root", help="Distributor id: its subtree, with it as level 0.")
FROM = typer.Option(None, "--from", help="First day of the period (YYYY-MM-DD).")
TO = typer.Option(None, "--to", help="Last day of the period (YYYY-MM-DD).")
ACTIVE = typer.Option(False, "--active-only", help="Only distributors whose status is active.")
AS_OF = typer.Option(None, "--as-of", help="The sponsor tree as it stood on this day.")
FORMAT = typer.Option("table", "--format", help="table, json or csv.")


def _filters(date_from, date_to, active_only, as_of) -> Filters:
    filters = Filters(
        parse_day(date_from, "--from"),
        parse_day(date_to, "--to"),
        active_only,
        parse_day(as_of, "--as-of"),
    )
    if filters.date_from and filters.date_from > filters.last_day:
        raise DownlineError("--from is after the end of the period")
    return filters


def register(app: typer.Typer) -> None:
    @app.command("levels", help="Distributors, revenue and commissions per level.")
    def levels_command(
        ctx: typer.Context,
        root: str = ROOT,
        date_from: str = FROM,
        date_to: str = TO,
        active_only: bool = ACTIVE,
        as_of: str = AS_OF,
        fmt: str = FORMAT,
    ) -> None:
        from queries.levels import levels

        filters = _filters(date_from, date_to, active_only, as_of)
        settings: Settings = ctx.obj
        with connected(settings) as driver:
            result = levels(driver, settings.neo4j_database, root, filters)
        emit(fmt, result.table, {"root": root, "levels": records(result.table)})

    @app.command("flows", help="Commissions by source and earner level; money entering by level.")
    def flows_command(
        ctx: typer.Context,
        root: str = ROOT,
        date_from: str = FROM,
        date_to: str = TO,
        active_only: bool = ACTIVE,
        as_of: str = AS_OF,
        fmt: str = FORMAT,
    ) -> None:
        from queries.flows import flows

        filters = _filters(date_from, date_to, active_only, as_of)
        settings: Settings = ctx.obj
        with connected(settings) as driver:
            result = flows(driver, settings.neo4j_database, root, filters)
        if fmt == "json":
            document = {
                "root": root,
                "by_level": records(result.by_level),
                "entering": records(result.entering),
                "by_generation_gap": records(result.by_gap),
            }
            emit(fmt, result.by_level, document)
            return
        emit(fmt, result.by_level, title="commissions by source level and earner level")
        if fmt == "table":
            emit(fmt, result.entering, title="\nmoney entering, by level and order kind")
            emit(fmt, result.by_gap, title="\ncommissions by generation gap (levels up)")

    @app.command("earnings", help="Income disclosure: earnings bands, by rank, Lorenz, Gini.")
    def earnings_command(
        ctx: typer.Context,
        root: str = ROOT,
        date_from: str = FROM,
        date_to: str = TO,
        active_only: bool = ACTIVE,
        as_of: str = AS_OF,
        fmt: str = FORMAT,
    ) -> None:
        from queries.earnings import earnings

        filters = _filters(date_from, date_to, active_only, as_of)
        settings: Settings = ctx.obj
        with connected(settings) as driver:
            result = earnings(driver, settings.neo4j_database, root, filters)
        summary = {
            "participants": result.participants,
            "total": money(result.total_cents),
            "mean": money(round(result.mean_cents)),
            "median": money(round(result.median_cents)),
            "gini": round(result.gini, 4),
            "top_1_percent_share": round(result.top_1_share, 4),
            "top_10_percent_share": round(result.top_10_share, 4),
        }
        if fmt == "json":
            document = {
                "root": root,
                **summary,
                "bands": records(result.bands),
                "by_rank": records(result.by_rank),
                "lorenz": [{"participants": x, "commissions": y} for x, y in result.lorenz],
            }
            emit(fmt, result.bands, document)
            return
        emit(fmt, result.bands, title="participants by commissions earned in the period")
        if fmt == "table":
            emit(fmt, result.by_rank, title="\nby rank")
            emit(fmt, pd.DataFrame([summary]), title="\nsummary")

    @app.command("cohorts", help="Per join month: recruits, still active after 3/6/12 months.")
    def cohorts_command(
        ctx: typer.Context,
        root: str = ROOT,
        date_from: str = FROM,
        date_to: str = TO,
        active_only: bool = ACTIVE,
        as_of: str = AS_OF,
        fmt: str = FORMAT,
    ) -> None:
        from queries.cohorts import cohorts

        filters = _filters(date_from, date_to, active_only, as_of)
        settings: Settings = ctx.obj
        with connected(settings) as driver:
            table = cohorts(driver, settings.neo4j_database, root, filters)
        emit(fmt, table, {"root": root, "cohorts": records(table)})

    @app.command("indicators", help="Compliance indicators against their thresholds.")
    def indicators_command(
        ctx: typer.Context,
        root: str = ROOT,
        date_from: str = FROM,
        date_to: str = TO,
        active_only: bool = ACTIVE,
        as_of: str = AS_OF,
        by_earner: bool = typer.Option(False, "--by-earner", help="One row per earner instead."),
        fmt: str = FORMAT,
    ) -> None:
        from queries.indicators import indicators

        filters = _filters(date_from, date_to, active_only, as_of)
        settings: Settings = ctx.obj
        with connected(settings) as driver:
            result = indicators(driver, settings.neo4j_database, root, filters)
        if by_earner:
            emit(fmt, result.by_earner, {"root": root, "earners": records(result.by_earner)})
            return
        table = result.table()
        if fmt == "json":
            document = {"root": root, "indicators": records(table), "summary": result.summary()}
            emit(fmt, table, document)
            return
        emit(fmt, table.drop(columns=["detail", "source"]) if fmt == "table" else table)
        if fmt == "table":
            typer.echo("\nrisk summary (findings to quote, not a verdict):")
            for line in result.summary():
                typer.echo(f"- {line}")

    @app.command("distributor", help="One distributor: upline, downline summary, own figures.")
    def distributor_command(
        ctx: typer.Context,
        did: str = typer.Argument(..., metavar="ID"),
        fmt: str = FORMAT,
    ) -> None:
        from queries.distributor import distributor_profile

        settings: Settings = ctx.obj
        with connected(settings) as driver:
            profile = distributor_profile(driver, settings.neo4j_database, did)
        details = pd.DataFrame([profile.details]).drop(columns=["pre", "post"])
        downline = pd.DataFrame([profile.downline])
        if fmt == "json":
            document = {
                **records(details)[0],
                "upline": records(profile.upline),
                "downline": records(downline)[0],
            }
            emit(fmt, details, document)
            return
        fields = present(details).T.reset_index().set_axis(["field", "value"], axis=1)
        emit(fmt, fields, title=did)
        if fmt == "table":
            emit(fmt, profile.upline, title="\nupline (sponsor first)")
            emit(fmt, downline, title="\ndownline")
