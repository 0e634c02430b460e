"""Indicators: every compliance threshold with its value and source, the risk summary, and, for
the indicators that are ratios of sums over distributors, the subtrees that cross one most, so
an investigator can see where in the network a finding comes from. One read per filter setting
serves the whole page: picking another indicator does not ask Neo4j again."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard.data import view, warm
from dashboard.filters import filter_bar, filter_inputs, read_filters, register_root_search
from dashboard.ui import grid, guarded, loading, percent, register_export, rows, status
from queries.indicators import (
    CATALOGUE,
    MIN_SUBTREE,
    NOT_BY_SUBTREE,
    RATIOS,
    Indicator,
    Indicators,
    indicators_with_subtrees,
)

dash.register_page(
    __name__, path="/indicators", name="Indicators", title="downline: indicators", order=5
)

# Percent strings ("12.5 %") sorted as the numbers they show.
PERCENT_SORT = {"function": "(parseFloat(valueA) || 0) - (parseFloat(valueB) || 0)"}
WIDE = {"name", "threshold", "source", "detail"}  # sentences: wider, whole in a tooltip


def layout(root: str | None = None, **_query) -> html.Div:
    return html.Div(
        [
            html.H1("Indicators"),
            filter_bar("indicators", root),
            status("indicators"),
            html.P(
                "Thresholds regulators and researchers drew (docs/indicators.md). Findings to "
                "quote, not a verdict.",
                className="hint",
            ),
            loading(grid("indicators-grid", "indicators.csv", height=480)),
            html.H2("Risk summary"),
            loading(html.Ul(id="indicators-summary")),
            html.H2("Subtrees that cross it most"),
            dcc.Dropdown(
                id="indicators-pick",
                options=[{"label": spec.name, "value": spec.key} for spec in CATALOGUE],
                value=next(iter(RATIOS)),
                clearable=False,
                className="indicator-picker",
            ),
            html.P(id="indicators-note", className="hint"),
            loading(grid("indicators-subtrees", "indicator-subtrees.csv", height=900)),
        ]
    )


register_root_search("indicators")
warm("indicators", lambda: view(indicators_with_subtrees))
register_export("indicators-grid")
register_export("indicators-subtrees")


@callback(
    Output("indicators-grid", "rowData"),
    Output("indicators-grid", "columnDefs"),
    Output("indicators-summary", "children"),
    Output("indicators-subtrees", "rowData"),
    Output("indicators-subtrees", "columnDefs"),
    Output("indicators-note", "children"),
    Output("indicators-status", "children"),
    *filter_inputs("indicators"),
    Input("indicators-pick", "value"),
)
@guarded
def fill_indicators(root, start, end, active, key):
    root, filters = read_filters(root, start, end, active)
    found, subtrees = view(indicators_with_subtrees, root, filters)
    if dash.ctx.triggered_id == "indicators-pick":  # the indicators above are already shown
        above = [dash.no_update] * 3
    else:
        above = [
            *_percent_rows(pd.DataFrame([_row(i) for i in found.items])),
            [html.Li(sentence) for sentence in found.summary()],
        ]
    scope = f"downline of {root}" if root else "whole network"
    crossed = sum(i.crossed for i in found.items)
    state = f"{scope}: {crossed} of {len(found.items)} thresholds crossed"
    return *above, *_subtrees(found, subtrees, key), state


def _row(item: Indicator) -> dict:
    return {
        "name": item.name,
        "value": percent(item.value),
        "threshold": item.threshold,
        "crossed": _yes(item.crossed),
        "source": item.source,
        "detail": item.detail,
    }


def _subtrees(found: Indicators, subtrees: dict[str, pd.DataFrame], key: str) -> tuple:
    """Rows, columns and a sentence for the subtrees crossing indicator `key` most."""
    if key not in subtrees:
        return [], [], NOT_BY_SUBTREE[key]
    item = {i.key: i for i in found.items}[key]
    table = subtrees[key]
    shown = table.assign(value=table.value.map(percent), crossed=table.crossed.map(_yes))
    note = (
        f"{item.name}: the {len(table)} subtrees of at least {MIN_SUBTREE} distributors "
        f"furthest past the threshold ({item.threshold}); {int(table.crossed.sum())} cross it."
    )
    return *_percent_rows(shown), note


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _percent_rows(frame: pd.DataFrame) -> tuple[list, list]:
    """`rows()` fitted to the grid's width, and the `value` column's percent strings sorted as
    numbers."""
    data, columns = rows(frame)
    for spec in columns:
        spec["flex"] = 1
        if spec["field"] in WIDE:
            spec.update(flex=3, tooltipField=spec["field"])
        if spec["field"] == "value":
            spec.update(comparator=PERCENT_SORT, type="rightAligned")
    return data, columns
