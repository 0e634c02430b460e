"""One distributor: own figures, upline chain (sponsor first), downline summary. Every grid of
distributors in the dashboard links here."""

from __future__ import annotations

from urllib.parse import quote

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard.data import uncached
from dashboard.ui import grid, guarded, kpi, loading, register_export, rows, status
from downline.output import money
from queries.distributor import distributor_profile

dash.register_page(
    __name__,
    path_template="/distributor/<did>",
    name="Distributor",
    title="downline: distributor",
)

OWN = (
    ("order_count", "orders"),
    ("retail_cents", "retail sales"),
    ("personal_cents", "personal purchases"),
    ("starter_kit_cents", "starter kits"),
    ("commission_count", "commissions received"),
    ("commission_cents", "commissions earned"),
    ("frontline", "frontline"),
)
BELOW = (
    ("size", "in the downline"),
    ("levels", "levels below"),
    ("active", "active below"),
    ("revenue_cents", "downline revenue"),
    ("commission_cents", "downline commissions"),
)


def layout(did: str | None = None, **_query) -> html.Div:
    return html.Div(
        [
            dcc.Store(id="distributor-id", data=did),
            html.H1(f"Distributor {did}", id="distributor-title"),
            status("distributor"),
            loading(html.Div(id="distributor-details")),
            html.H2("Own figures (all time)"),
            html.Div(id="distributor-own", className="kpis"),
            html.H2("Downline"),
            html.Div(id="distributor-below", className="kpis"),
            html.P(
                [
                    dcc.Link("levels of this downline", href=f"/levels?root={quote(did or '')}"),
                    " · ",
                    dcc.Link("its shape", href=f"/downline?root={quote(did or '')}"),
                ]
            ),
            html.H2("Upline (sponsor first)"),
            grid("distributor-upline", f"upline-{did}.csv", height=300),
        ]
    )


register_export("distributor-upline")


def _figure(key: str, value) -> str:
    if value is None or pd.isna(value):
        return "none"
    return money(value) if key.endswith("_cents") else f"{int(value):,}"


@callback(
    Output("distributor-details", "children"),
    Output("distributor-own", "children"),
    Output("distributor-below", "children"),
    Output("distributor-upline", "rowData"),
    Output("distributor-upline", "columnDefs"),
    Output("distributor-status", "children"),
    Input("distributor-id", "data"),
)
@guarded
def fill_distributor(did):
    profile = uncached(lambda driver, database: distributor_profile(driver, database, did))
    d = profile.details
    facts = [
        ("name", d.get("name")),
        ("rank", d.get("rank")),
        ("status", d.get("status")),
        ("country", d.get("country")),
        ("joined", d.get("joined_on")),
        ("left", d.get("left_on")),
        ("level in its tree", d.get("depth")),
    ]
    details = html.Dl(
        [part for label, value in facts for part in (html.Dt(label), html.Dd(str(value or "")))]
        + [
            html.Dt("sponsor"),
            html.Dd(
                dcc.Link(d["sponsor_id"], href=f"/distributor/{quote(d['sponsor_id'])}")
                if d.get("sponsor_id")
                else "none (a root)"
            ),
        ],
        className="facts",
    )
    own = [kpi(f"distributor-{key}", label, _figure(key, d.get(key))) for key, label in OWN]
    below = [
        kpi(f"distributor-downline-{key}", label, _figure(key, profile.downline.get(key)))
        for key, label in BELOW
    ]
    data, columns = rows(profile.upline)
    return details, own, below, data, columns, ""
