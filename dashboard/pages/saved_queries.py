"""Saved queries: pick one from the library, read its description and Cypher, fill its typed
parameters and run it. A run goes through the same runner as `downline query run`, with the same
read-only checks, row cap, timeout and audit record (under the dashboard login), and is never
cached: every run is audited. (Not `queries.py`: that name would shadow the `queries` package.)
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html

from dashboard.auth import current_user
from dashboard.context import current
from dashboard.ui import grid, guarded, loading, register_export, rows, status
from downline.errors import DownlineError
from queries.library import Param, get, load_library
from queries.readonly import QueryRefused
from queries.runner import run_query

dash.register_page(
    __name__, path="/queries", name="Saved queries", title="downline: saved queries", order=6
)

PARAM = "queries-param"


def layout(**_query) -> html.Div:
    return html.Div(
        [
            html.H1("Saved queries"),
            dcc.Dropdown(
                id="queries-pick", placeholder="pick a saved query", className="query-picker"
            ),
            html.P(id="queries-description"),
            html.Div(id="queries-form", className="query-form"),
            html.Button("Run", id="queries-run", className="run"),
            status("queries"),
            loading(grid("queries-grid", "query.csv")),
            html.H2("Cypher"),
            html.Pre(id="queries-text", className="cypher"),
            html.Div(id="queries-load"),
        ]
    )


register_export("queries-grid")


def _library():
    return load_library(current().settings.saved_queries_dir)


@callback(
    Output("queries-pick", "options"),
    Output("queries-status", "children"),
    Input("queries-load", "id"),
)
@guarded
def fill_library(_):
    found = _library().values()
    return [{"label": f"{q.title} ({q.name})", "value": q.name} for q in found], ""


@callback(
    Output("queries-description", "children"),
    Output("queries-text", "children"),
    Output("queries-form", "children"),
    Output("queries-grid", "rowData", allow_duplicate=True),
    Output("queries-grid", "columnDefs", allow_duplicate=True),
    Output("queries-grid", "csvExportParams"),
    Output("queries-status", "children", allow_duplicate=True),
    Input("queries-pick", "value"),
    prevent_initial_call=True,
)
@guarded
def show_query(name):
    if not name:
        return "", "", [], [], [], dash.no_update, ""
    query = get(_library(), name)
    form = [_field(param) for param in query.params]
    return query.description, query.text, form, [], [], {"fileName": f"{name}.csv"}, ""


def _field(param: Param) -> html.Label:
    hint = "required" if param.default is None else f"default {param.default}"
    return html.Label(
        [
            html.Span(f"{param.name} ({param.type})", className="param-name"),
            dcc.Input(
                id={"type": PARAM, "name": param.name},
                name=param.name,
                type="text",
                placeholder=hint,
            ),
            html.Span(param.description, className="hint"),
        ],
        className="param",
    )


@callback(
    Output("queries-grid", "rowData"),
    Output("queries-grid", "columnDefs"),
    Output("queries-status", "children", allow_duplicate=True),
    Input("queries-run", "n_clicks"),
    State("queries-pick", "value"),
    State({"type": PARAM, "name": ALL}, "id"),
    State({"type": PARAM, "name": ALL}, "value"),
    prevent_initial_call=True,
)
@guarded
def run(_clicks, name, ids, texts):
    if not name:
        raise DownlineError("Pick a saved query first.")
    query = get(_library(), name)
    given = {i["name"]: text for i, text in zip(ids, texts, strict=True) if (text or "").strip()}
    values = query.bind(given)  # the CLI's --param conversion; empty fields take the default
    context = current()
    settings = context.settings
    try:
        result = run_query(
            context.driver,
            context.database,
            query,
            values,
            limit=settings.query_row_limit,
            timeout=settings.query_timeout,
            audit_log=settings.audit_log,
            user=current_user(),
        )
    except QueryRefused as refused:
        raise DownlineError(f"{name} was refused and nothing ran: {refused}") from None
    note = f"{len(result.rows):,} rows in {result.seconds:.2f} s"
    if result.truncated:
        note += f", truncated at {settings.query_row_limit:,} rows"
    data, columns = rows(result.rows)
    for spec in columns:
        spec.update(flex=1, minWidth=120)  # a few columns fill the width; many scroll
    return data, columns, note
