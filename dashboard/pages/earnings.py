"""Earnings: the income-disclosure statement (who earned how much in commissions over the period,
zero earners included), how unequally it is spread, and what each rank and join cohort earned.
Cohorts have their own callback: they read every distributor again, so the disclosure does not
wait for them."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import Output, callback, html

from dashboard.data import view, warm
from dashboard.filters import filter_bar, filter_inputs, read_filters, register_root_search
from dashboard.ui import graph, grid, guarded, kpi, loading, percent, register_export, rows, status
from downline.output import money
from queries.cohorts import MONTHS, cohorts
from queries.earnings import earnings

dash.register_page(__name__, path="/earnings", name="Earnings", title="downline: earnings", order=4)


def layout(root: str | None = None, **_query) -> html.Div:
    return html.Div(
        [
            html.H1("Earnings"),
            filter_bar("earnings", root),
            status("earnings"),
            loading(html.Div(id="earnings-kpis", className="kpis")),
            html.H2("Income disclosure: commissions earned in the period"),
            loading(grid("earnings-bands", "income-disclosure.csv", height=300)),
            html.Div(
                [loading(graph("earnings-histogram")), loading(graph("earnings-lorenz"))],
                className="pair",
            ),
            html.H2("By rank"),
            loading(grid("earnings-ranks", "earnings-by-rank.csv", height=300)),
            html.H2("By join cohort"),
            html.P(
                "Share of each month's recruits still active 3, 6 and 12 months after joining "
                "(empty while the cohort is too young), and their median commissions.",
                className="hint",
            ),
            loading(grid("earnings-cohorts", "cohorts.csv")),
        ]
    )


register_root_search("earnings")
warm("earnings", lambda: view(earnings))
warm("earnings-cohorts", lambda: view(cohorts))
register_export("earnings-bands")
register_export("earnings-ranks")
register_export("earnings-cohorts")


@callback(
    Output("earnings-kpis", "children"),
    Output("earnings-bands", "rowData"),
    Output("earnings-bands", "columnDefs"),
    Output("earnings-histogram", "figure"),
    Output("earnings-lorenz", "figure"),
    Output("earnings-ranks", "rowData"),
    Output("earnings-ranks", "columnDefs"),
    Output("earnings-status", "children"),
    *filter_inputs("earnings"),
)
@guarded
def fill_earnings(root, start, end, active):
    root, filters = read_filters(root, start, end, active)
    found = view(earnings, root, filters)
    tiles = [
        ("participants", "participants", f"{found.participants:,}"),
        ("mean", "mean commissions", money(round(found.mean_cents))),
        ("median", "median commissions", money(round(found.median_cents))),
        ("gini", "Gini coefficient", f"{found.gini:.4f}"),
        ("top-1", "taken by the top 1 %", percent(found.top_1_share)),
        ("top-10", "taken by the top 10 %", percent(found.top_10_share)),
    ]
    histogram = go.Figure(
        go.Bar(x=found.bands.band, y=found.bands.participants, name="participants"),
        layout=go.Layout(
            title="Participants by commissions earned",
            xaxis={"title": "commissions in the period (currency units)", "type": "category"},
            yaxis={"title": "participants"},
            margin={"t": 40},
        ),
    )
    x, y = zip(*found.lorenz, strict=True)
    lorenz = go.Figure(
        [
            go.Scatter(x=list(x), y=list(y), name="Lorenz curve", mode="lines+markers"),
            go.Scatter(x=[0, 1], y=[0, 1], name="equality", mode="lines", line={"dash": "dot"}),
        ],
        layout=go.Layout(
            title=f"Lorenz curve of commissions, Gini {found.gini:.4f}",
            xaxis={"title": "share of participants, poorest first", "range": [0, 1]},
            yaxis={"title": "share of commissions", "range": [0, 1]},
            margin={"t": 40},
            legend={"orientation": "h"},
        ),
    )
    bands, band_columns = rows(found.bands)
    ranks, rank_columns = rows(found.by_rank)
    scope = f"downline of {root}" if root else "whole network"
    note = f"{scope}: {found.participants:,} participants, {money(found.total_cents)} earned"
    return (
        [kpi(f"earnings-{key}", label, value) for key, label, value in tiles],
        bands,
        band_columns,
        histogram,
        lorenz,
        ranks,
        rank_columns,
        note,
    )


@callback(
    Output("earnings-cohorts", "rowData"),
    Output("earnings-cohorts", "columnDefs"),
    Output("earnings-status", "children", allow_duplicate=True),
    *filter_inputs("earnings"),
    prevent_initial_call="initial_duplicate",
)
@guarded
def fill_cohorts(root, start, end, active):
    root, filters = read_filters(root, start, end, active)
    table = view(cohorts, root, filters)
    data, columns = rows(table.round({f"active_after_{months}": 4 for months in MONTHS}))
    return data, columns, dash.no_update
