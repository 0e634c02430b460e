"""What every page is built from: grids with CSV export, KPI tiles, charts, and the guard that
turns a failure into one plain sentence on the page instead of a traceback."""

from __future__ import annotations

import functools
import logging

import dash
import dash_ag_grid as dag
import pandas as pd
from dash import dcc, html
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from dashboard.context import current
from downline.connection import explain_failure
from downline.errors import DownlineError
from downline.output import money_name, present

log = logging.getLogger("downline.dashboard")

# Columns that hold distributor ids in any table: their cells link to /distributor/<id>.
DISTRIBUTOR_COLUMNS = frozenset(
    {
        "id",
        "distributor_id",
        "sponsor_id",
        "earner_id",
        "source_id",
        "root_id",
        "from_id",
        "to_id",
        "leg",
        "root",
    }
)
GRAPH_CONFIG = {"displaylogo": False, "responsive": True}
_NUMERIC_SORT = {"function": "Number(valueA) - Number(valueB)"}


def plain(error: Exception) -> str:
    """One secret-free sentence for a user."""
    if isinstance(error, (ServiceUnavailable, SessionExpired, AuthError, OSError)):
        return str(explain_failure(current().settings, error))
    if isinstance(error, DownlineError):
        return str(error)
    if isinstance(error, Neo4jError):
        return f"Neo4j could not answer: {error.message or error.code}"
    return "Neo4j could not answer; try again."


def guarded(function):
    """A callback whose last output is its page's status line: on failure that line says what
    went wrong in plain words and the other outputs keep what they showed."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (DownlineError, Neo4jError, DriverError, OSError) as error:
            log.warning("%s: %s", function.__name__, type(error).__name__)
            outputs = dash.callback_context.outputs_list
            outputs = outputs if isinstance(outputs, list) else [outputs]
            last = outputs[-1]
            if not str(last["id"]).endswith("status"):
                return dash.no_update
            message = html.Div(plain(error), className="status-error", role="alert")
            if len(outputs) == 1:
                return message
            return [dash.no_update] * (len(outputs) - 1) + [message]

    return wrapper


def status(page: str) -> html.Div:
    return html.Div(id=f"{page}-status", className="status", role="status")


def grid(grid_id: str, file_name: str, height: int = 420) -> html.Div:
    """An empty grid and its CSV export button (`<grid_id>-csv`)."""
    return html.Div(
        [
            html.Button("Export CSV", id=f"{grid_id}-csv", className="export"),
            dag.AgGrid(
                id=grid_id,
                rowData=[],
                columnDefs=[],
                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                dashGridOptions={"animateRows": False},
                csvExportParams={"fileName": file_name},
                style={"height": f"{height}px"},
                className="ag-theme-alpine",
            ),
        ],
        className="grid",
    )


def register_export(grid_id: str) -> None:
    """The export button downloads the grid as shown (filters and sort included)."""

    @dash.callback(
        dash.Output(grid_id, "exportDataAsCsv"),
        dash.Input(f"{grid_id}-csv", "n_clicks"),
        prevent_initial_call=True,
    )
    def _export(_clicks):
        return True


def rows(frame: pd.DataFrame, links: frozenset[str] = DISTRIBUTOR_COLUMNS) -> tuple[list, list]:
    """(rowData, columnDefs) of a frame shown as the CLI shows it: amounts in currency units
    (exact strings, sorted as numbers), shares to four places."""
    shown = present(frame)
    money = {money_name(c, frame.columns) for c in frame.columns if c.endswith("_cents")}
    defs = []
    for column in shown.columns:
        spec = {"field": column, "headerName": column.replace("_", " ")}
        if column in links:
            spec["cellRenderer"] = "DistributorLink"
        if column in money:
            spec.update(comparator=_NUMERIC_SORT, type="rightAligned")
        elif pd.api.types.is_numeric_dtype(shown[column]):
            spec["type"] = "rightAligned"
        defs.append(spec)
    data = shown.astype(object).where(shown.notna(), None)
    for column in data.columns:
        data[column] = data[column].map(_jsonable)
    return data.to_dict("records"), defs


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def kpi(element_id: str, label: str, value: str) -> html.Div:
    return html.Div(
        [
            html.Div(value, id=element_id, className="kpi-value"),
            html.Div(label, className="kpi-label"),
        ],
        className="kpi",
    )


def graph(graph_id: str, height: int = 360) -> dcc.Graph:
    return dcc.Graph(id=graph_id, config=GRAPH_CONFIG, style={"height": f"{height}px"})


def percent(value: float | None) -> str:
    return "no data" if value is None else f"{value * 100:.1f} %"


def loading(*children) -> dcc.Loading:
    """A spinner over `children` while a callback fills them."""
    return dcc.Loading(html.Div(list(children)), type="circle", delay_show=300)
