"""Downline: the shape of one distributor's downline and its neighbourhood.

Both are summarised on the server so that a network of 1,000,000 stays responsive: the
sunburst keeps the largest legs of each parent to a chosen depth and sums the rest into
"others" (Chromium needs about a minute for 20,000 sectors), and the neighbourhood graph holds at
most a few hundred distributors, placed by a tidy tree layout computed here.
"""

from __future__ import annotations

import dash
import dash_cytoscape as cyto
import numpy as np
import plotly.graph_objects as go
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboard.data import cached, fact, warm
from dashboard.filters import register_root_search, root_picker
from dashboard.tree_layout import radial, tidy_positions
from dashboard.ui import graph, grid, guarded, loading, register_export, rows, status
from downline.output import money
from queries.explore import downline_summary, first_root, neighbourhood

dash.register_page(__name__, path="/downline", name="Downline", title="downline: downline", order=3)

MOST_NEIGHBOURS = 300
DEPTH, HOPS = 3, 2  # what the page shows first
STYLESHEET = [
    {
        "selector": "node",
        "style": {
            "label": "data(label)",
            "text-wrap": "wrap",
            "font-size": 9,
            "width": "data(size)",
            "height": "data(size)",
            "background-color": "#7b93db",
        },
    },
    {"selector": "node[status != 'active']", "style": {"background-color": "#c0c7d1"}},
    {"selector": ".centre", "style": {"background-color": "#d64545"}},
    {"selector": "edge", "style": {"width": 1, "line-color": "#9aa5b1"}},
]


def _choice(element_id: str, values, value: int) -> dcc.RadioItems:
    return dcc.RadioItems(id=element_id, options=list(values), value=value, inline=True)


def layout(root: str | None = None, **_query) -> html.Div:
    return html.Div(
        [
            html.H1("Downline"),
            html.Div(
                [
                    root_picker("downline", root, "the first root (type an id or a name)"),
                    html.Label(["levels shown ", _choice("downline-depth", range(1, 6), DEPTH)]),
                    dcc.RadioItems(
                        id="downline-kind",
                        options=["sunburst", "icicle"],
                        value="sunburst",
                        inline=True,
                    ),
                ],
                className="filters",
            ),
            status("downline"),
            html.P(
                "Click a sector or a node to move there. Sector size: distributors in the "
                "subtree; colour: its revenue. Node labels: own revenue / commissions earned.",
                className="hint",
            ),
            loading(graph("downline-chart", height=560)),
            html.H2("Neighbourhood"),
            html.Label(["sponsor links away ", _choice("downline-hops", range(1, 5), HOPS)]),
            loading(
                cyto.Cytoscape(
                    id="downline-network",
                    elements=[],
                    layout={"name": "preset", "fit": True, "padding": 20},
                    stylesheet=STYLESHEET,
                    style={"height": "520px", "width": "100%"},
                    userZoomingEnabled=True,
                    minZoom=0.1,
                    maxZoom=3,
                )
            ),
            grid("downline-grid", "neighbourhood.csv", height=320),
        ]
    )


register_root_search("downline")
register_export("downline-grid")


@callback(
    Output("downline-root", "value"),
    Output("downline-root", "options"),
    Input("downline-chart", "clickData"),
    Input("downline-network", "tapNodeData"),
    State("downline-root", "options"),
    prevent_initial_call=True,
)
def move_to(clicked, tapped, options):
    """A click on a sector or a node makes that distributor the centre."""
    if ctx.triggered_id == "downline-chart":
        target = (clicked or {}).get("points", [{}])[0].get("customdata", [None])[0]
    else:
        target = (tapped or {}).get("id")
    if not target:
        return dash.no_update, dash.no_update
    if not any(option["value"] == target for option in options or []):
        options = [{"label": target, "value": target}, *(options or [])]
    return target, options


def _centre(root: str | None) -> str:
    found = root or fact(first_root)
    if found is None:
        raise dash.exceptions.PreventUpdate
    return found


def _shape(centre: str, depth: int):
    return cached(
        "downline_summary", lambda d, db: downline_summary(d, db, centre, depth), centre, depth
    )


def _near(centre: str, hops: int):
    return cached(
        "neighbourhood",
        lambda d, db: neighbourhood(d, db, centre, hops, MOST_NEIGHBOURS),
        centre,
        hops,
    )


warm("downline-shape", lambda: _shape(_centre(None), DEPTH))
warm("downline-near", lambda: _near(_centre(None), HOPS))


@callback(
    Output("downline-chart", "figure"),
    Output("downline-status", "children"),
    Input("downline-root", "value"),
    Input("downline-depth", "value"),
    Input("downline-kind", "value"),
)
@guarded
def fill_chart(root, depth, kind):
    centre = _centre(root)
    shape = _shape(centre, depth)
    trace = go.Sunburst if kind == "sunburst" else go.Icicle
    revenue = shape.revenue_cents / 100
    figure = go.Figure(
        trace(
            ids=shape.node,
            parents=shape.parent.fillna(""),
            labels=shape.label,
            values=shape.members,
            branchvalues="total",
            customdata=np.stack(
                [
                    shape.id.fillna(""),
                    shape.revenue_cents.map(money),
                    shape.earned_cents.map(lambda c: "" if c is None or c != c else money(c)),
                ],
                axis=1,
            ),
            hovertemplate="%{label}<br>%{value:,} distributors<br>revenue %{customdata[1]}"
            "<br>earned %{customdata[2]}<extra></extra>",
            marker={"colors": revenue, "colorscale": "Blues", "showscale": True},
        ),
        layout=go.Layout(margin={"t": 10, "l": 10, "r": 10, "b": 10}),
    )
    top = shape.iloc[0]
    note = (
        f"{top.label} ({top.id}): {top.members - 1:,} in the downline; "
        f"{len(shape):,} sectors to {depth} levels"
    )
    return figure, note


@callback(
    Output("downline-network", "elements"),
    Output("downline-grid", "rowData"),
    Output("downline-grid", "columnDefs"),
    Output("downline-status", "children", allow_duplicate=True),
    Input("downline-root", "value"),
    Input("downline-hops", "value"),
    prevent_initial_call="initial_duplicate",
)
@guarded
def fill_network(root, hops):
    centre = _centre(root)
    near = _near(centre, hops)
    placed = radial(tidy_positions(dict(zip(near.id, near.sponsor_id, strict=True))))
    members = set(near.id)
    nodes = [
        {
            "data": {
                "id": row.id,
                "label": f"{row.id}\n{money(row.revenue_cents)} / {money(row.earned_cents)}",
                "status": row.status,
                "size": float(12 + 6 * np.log10(row.members)),
            },
            "position": {"x": placed[row.id][0], "y": placed[row.id][1]},
            "classes": "centre" if row.id == centre else "",
        }
        for row in near.itertuples()
    ]
    edges = [
        {"data": {"source": row.sponsor_id, "target": row.id}}
        for row in near.itertuples()
        if row.sponsor_id in members
    ]
    data, columns = rows(near)
    return nodes + edges, data, columns, dash.no_update
