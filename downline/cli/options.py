"""Options several commands share, declared once (`Annotated` aliases), and the output formats.

A format is a choice that typer checks while it parses the command line, so a wrong one is
refused before anything connects to Neo4j or runs a query.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Format(StrEnum):
    """What a table is printed as."""

    table = "table"
    json = "json"
    csv = "csv"


class RowsFormat(StrEnum):
    """What a saved query's rows are printed or written as (parquet needs --out)."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


FormatOption = Annotated[Format, typer.Option("--format", help="How to print the result.")]
Root = Annotated[
    str | None, typer.Option("--root", help="Distributor id: its subtree, with it as level 0.")
]
DateFrom = Annotated[
    str | None, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")
]
DateTo = Annotated[str | None, typer.Option("--to", help="Last day of the period (YYYY-MM-DD).")]
ActiveOnly = Annotated[
    bool, typer.Option("--active-only", help="Only distributors whose status is active.")
]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="The sponsor tree as it stood on this day.")
]
