"""Overview: the network's size and money in a few numbers, its growth and attrition by month,
and the indicators it crosses. The risk summary has its own callback: it reads every
commission, so the numbers above it do not wait for it."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import Input, Output, callback, html

from dashboard.data import view, warm
from dashboard.ui import graph, guarded, kpi, loading, percent, status
from downline.output import money
from queries.indicators import indicators_with_subtrees
from queries.overview import overview

dash.register_page(__name__, path="/", name="Overview", title="downline: overview", order=0)


warm("overview", lambda: view(overview))


def layout(**_query) -> html.Div:
    return html.Div(
        [
            html.H1("Overview"),
            status("overview"),
            loading(html.Div(id="overview-kpis", className="kpis")),
            html.H2("Growth and attrition"),
            loading(graph("overview-growth")),
            html.H2("Risk summary"),
            html.P(
                "Thresholds regulators and researchers drew, crossed by this data "
                "(details on the Indicators page). Findings to quote, not a verdict.",
                className="hint",
            ),
            loading(html.Ul(id="overview-risks")),
            html.Div(id="overview-load"),
        ]
    )


@callback(
    Output("overview-kpis", "children"),
    Output("overview-growth", "figure"),
    Output("overview-status", "children"),
    Input("overview-load", "id"),
)
@guarded
def fill_numbers(_):
    found = view(overview)
    totals, months = found.totals, found.growth
    tiles = [
        ("distributors", "distributors", f"{totals.distributors:,}"),
        ("active", "active", f"{totals.active:,}"),
        ("depth", "levels deep", f"{totals.depth:,}"),
        ("revenue", "revenue", money(totals.revenue_cents)),
        ("commissions", "commissions paid", money(totals.commission_cents)),
        ("retail-share", "of revenue from retail customers", percent(totals.retail_share)),
        ("zero-share", "earned nothing", percent(totals.zero_earner_share)),
    ]
    figure = go.Figure(
        [
            go.Bar(x=months.month, y=months.joined, name="joined"),
            go.Bar(x=months.month, y=-months.left, name="left"),
            go.Scatter(x=months.month, y=months.members, name="members", yaxis="y2"),
        ],
        layout=go.Layout(
            barmode="relative",
            yaxis={"title": "distributors joining / leaving"},
            yaxis2={"title": "members", "overlaying": "y", "side": "right"},
            margin={"t": 20},
            legend={"orientation": "h"},
        ),
    )
    return [kpi(f"overview-{key}", label, value) for key, label, value in tiles], figure, ""


@callback(
    Output("overview-risks", "children"),
    Output("overview-status", "children", allow_duplicate=True),
    Input("overview-load", "id"),
    prevent_initial_call="initial_duplicate",
)
@guarded
def fill_risks(_):
    found, _ = view(indicators_with_subtrees)  # as the indicators page (one cache entry)
    return [html.Li(sentence) for sentence in found.summary()], dash.no_update
