"""Tables for people and programs: `--format table|json|csv`, amounts in currency units.

Amounts are integer cents inside downline; here a `*_cents` column becomes the same name
without the suffix, written with two decimals (exact: no float ever holds money).
"""

from __future__ import annotations

import io
import json

import pandas as pd
import typer

FORMATS = ("table", "json", "csv")
RENAMED = {"commission": "commissions"}  # an amount of commissions reads as a plural


def money(cents) -> str:
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def money_name(column: str, columns) -> str:
    """The name a `*_cents` column is shown under."""
    name = column.removesuffix("_cents")
    return RENAMED.get(name, name) if RENAMED.get(name) not in columns else name


def present(frame: pd.DataFrame) -> pd.DataFrame:
    """Cents columns as money strings without the suffix; shares rounded to 4 places."""
    out = frame.copy()
    for column in frame.columns:
        if column.endswith("_cents"):
            out[column] = frame[column].map(lambda v: None if pd.isna(v) else money(round(v)))
            out = out.rename(columns={column: money_name(column, frame.columns)})
        elif column.endswith("share") or column.startswith("avg_"):
            out[column] = frame[column].astype(float).round(4)
    return out


def records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(present(frame).to_json(orient="records", date_format="iso"))


def emit(fmt: str, frame: pd.DataFrame, document: dict | None = None, title: str = "") -> None:
    """Print one table; with json, `document` (default: the rows) is what is printed."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    if fmt == "json":
        typer.echo(json.dumps(document if document is not None else records(frame), indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        present(frame).to_csv(buffer, index=False)
        typer.echo(buffer.getvalue(), nl=False)
    else:
        if title:
            typer.echo(title)
        typer.echo(present(frame).to_string(index=False) if len(frame) else "(nothing)")
