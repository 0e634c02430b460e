"""Printing results on a terminal: one table as text, JSON or CSV (`--format`)."""

from __future__ import annotations

import io
import json

import pandas as pd
import typer

from downline.output import present


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows as JSON-ready dicts, amounts as exact money strings."""
    return json.loads(present(frame).to_json(orient="records", date_format="iso"))


def csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    present(frame).to_csv(buffer, index=False)
    return buffer.getvalue()


def table_text(frame: pd.DataFrame) -> str:
    return present(frame).to_string(index=False) if len(frame) else "(nothing)"


def emit(fmt: str, frame: pd.DataFrame, document: dict | None = None, title: str = "") -> None:
    """Print one table; with json, `document` (default: the rows) is what is printed, and the
    title is printed only above a text table."""
    if fmt == "json":
        typer.echo(json.dumps(document if document is not None else records(frame), indent=2))
    elif fmt == "csv":
        typer.echo(csv_text(frame), nl=False)
    else:
        if title:
            typer.echo(title)
        typer.echo(table_text(frame))
