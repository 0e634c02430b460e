"""Levels: depth, breadth and revenue and commission share per level, for the whole network or
one distributor's downline, over a period, all or active distributors."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import Output, callback, html

from dashboard.data import view, warm
from dashboard.filters import filter_bar, filter_inputs, read_filters, register_root_search
from dashboard.ui import graph, grid, guarded, loading, register_export, rows, status
from queries.levels import levels

dash.register_page(__name__, path="/levels", name="Levels", title="downline: levels", order=1)


def layout(root: str | None = None, **_query) -> html.Div:
    return html.Div(
        [
            html.H1("Levels"),
            filter_bar("levels", root),
            status("levels"),
            html.Div(
                [loading(graph("levels-breadth")), loading(graph("levels-share"))],
                className="pair",
            ),
            loading(grid("levels-grid", "levels.csv")),
        ]
    )


register_root_search("levels")
warm("levels", lambda: view(levels))
register_export("levels-grid")


@callback(
    Output("levels-grid", "rowData"),
    Output("levels-grid", "columnDefs"),
    Output("levels-breadth", "figure"),
    Output("levels-share", "figure"),
    Output("levels-status", "children"),
    *filter_inputs("levels"),
)
@guarded
def fill_levels(root, start, end, active):
    root, filters = read_filters(root, start, end, active)
    found = view(levels, root, filters)
    table = found.table
    breadth = go.Figure(
        go.Bar(x=table.level, y=table.distributors, name="distributors"),
        layout=go.Layout(
            title="Breadth: distributors per level",
            xaxis={"title": "level", "dtick": 1},
            yaxis={"title": "distributors"},
            margin={"t": 40},
        ),
    )
    share = go.Figure(
        [
            go.Bar(x=table.level, y=table.revenue_share * 100, name="revenue"),
            go.Bar(x=table.level, y=table.commission_share * 100, name="commissions received"),
        ],
        layout=go.Layout(
            title="Share of revenue and of commissions per level",
            xaxis={"title": "level", "dtick": 1},
            yaxis={"title": "% of total"},
            margin={"t": 40},
            legend={"orientation": "h"},
        ),
    )
    data, columns = rows(table)
    scope = f"downline of {root}" if root else "whole network"
    note = f"{scope}: {int(table.distributors.sum()):,} distributors, depth {found.depth}"
    return data, columns, breadth, share, note
