"""Money flow: where money enters the network (order kind and level), whose volume pays the
commissions and at which levels they are earned, and how many levels up they travel.

A level's volume and its earners are separate Sankey nodes: commissions paid back into the levels
that pay them would make the diagram circular, and plotly's circular Sankey hangs the browser."""

from __future__ import annotations

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Output, callback, html

from dashboard.data import view, warm
from dashboard.filters import filter_bar, filter_inputs, read_filters, register_root_search
from dashboard.ui import graph, grid, guarded, loading, register_export, rows, status
from downline.output import money
from queries.flows import Flows, flows

dash.register_page(
    __name__, path="/money-flow", name="Money flow", title="downline: money flow", order=2
)

NO_SOURCE = "no source named"


def layout(root: str | None = None, **_query) -> html.Div:
    return html.Div(
        [
            html.H1("Money flow"),
            filter_bar("flow", root),
            status("flow"),
            html.P(
                "Left: money entering, by order kind and the level of whoever placed the "
                "order. Middle: each level's volume. Right: the levels where the commissions "
                "on that volume were earned. Amounts in currency units.",
                className="hint",
            ),
            loading(graph("flow-sankey", height=640)),
            loading(graph("flow-gap")),
            html.H2("Commissions by source level and earner level"),
            loading(grid("flow-grid", "money-flow.csv")),
        ]
    )


register_root_search("flow")
warm("money-flow", lambda: view(flows))
register_export("flow-grid")


def sankey(found: Flows) -> go.Figure:
    """Entering (kind, level) -> level volume -> earners at a level: acyclic by construction."""
    nodes: dict[str, int] = {}

    def node(label: str) -> int:
        return nodes.setdefault(label, len(nodes))

    links = [
        (
            node(f"{row.kind.replace('_', ' ')}, level {row.level}"),
            node(f"level {row.level} volume"),
            row.cents / 100,
        )
        for row in found.entering.itertuples()
    ] + [
        (
            node(NO_SOURCE if pd.isna(row.source_level) else f"level {row.source_level} volume"),
            node(f"earners at level {row.earner_level}"),
            row.commission_cents / 100,
        )
        for row in found.by_level.itertuples()
    ]
    source, target, value = ([link[i] for link in links] for i in range(3))
    return go.Figure(
        go.Sankey(
            # left-aligned: a level's volume paying nothing on stays in the middle column
            node={"label": list(nodes), "pad": 8, "thickness": 14, "align": "left"},
            link={"source": source, "target": target, "value": value},
            valueformat=",.2f",
        ),
        layout=go.Layout(title="Money entering, volume per level, commissions earned per level"),
    )


@callback(
    Output("flow-sankey", "figure"),
    Output("flow-gap", "figure"),
    Output("flow-grid", "rowData"),
    Output("flow-grid", "columnDefs"),
    Output("flow-status", "children"),
    *filter_inputs("flow"),
)
@guarded
def fill_flows(root, start, end, active):
    root, filters = read_filters(root, start, end, active)
    found = view(flows, root, filters)
    gap = go.Figure(
        go.Bar(x=found.by_gap.gap, y=found.by_gap.share * 100, name="commissions"),
        layout=go.Layout(
            title="How many levels up commissions travel",
            xaxis={"title": "generation gap (source level - earner level)", "dtick": 1},
            yaxis={"title": "% of commissions with a source"},
            margin={"t": 40},
        ),
    )
    data, columns = rows(found.by_level)
    scope = f"downline of {root}" if root else "whole network"
    note = (
        f"{scope}: {money(found.entering.cents.sum())} entering, "
        f"{money(found.by_level.commission_cents.sum())} paid in commissions"
    )
    return sankey(found), gap, data, columns, note
