"""Overview: what the graph holds, or a plain sentence when Neo4j cannot be reached."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html
from neo4j.exceptions import AuthError, ServiceUnavailable, SessionExpired

from dashboard.context import current
from downline.connection import explain_failure
from queries.overview import graph_counts

dash.register_page(__name__, path="/", name="Overview", title="downline: overview")

KPIS = (
    ("distributors", "distributors"),
    ("customers", "customers"),
    ("orders", "orders"),
    ("commissions", "commissions"),
)


def layout(**_query) -> html.Div:
    return html.Div(
        [
            html.H1("Overview"),
            html.Button("Refresh", id="overview-refresh"),
            dcc.Loading(html.Div(id="overview-body"), type="dot"),
        ]
    )


@callback(Output("overview-body", "children"), Input("overview-refresh", "n_clicks"))
def fill_overview(_clicks):
    context = current()
    try:
        counts = vars(graph_counts(context.driver, context.database))
    except (ServiceUnavailable, SessionExpired, AuthError, OSError) as error:
        return html.P(str(explain_failure(context.settings, error)), id="overview-error")
    return html.Div(
        [
            html.Div(
                [
                    html.Div(f"{counts[key]:,}", id=f"overview-{key}", className="kpi-value"),
                    html.Div(label, className="kpi-label"),
                ],
                className="kpi",
            )
            for key, label in KPIS
        ],
        className="kpis",
    )
