"""The filter bar several pages share: a root found by type-ahead search, a period and a
status, read into the same `Filters` the CLI builds from its options."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from dashboard.data import uncached
from dashboard.ui import guarded
from queries.explore import search
from queries.filters import Filters, parse_filters

STATUSES = [{"label": "all", "value": "all"}, {"label": "active only", "value": "active"}]


def root_picker(page: str, root: str | None = None, placeholder: str | None = None):
    """A searchable dropdown of distributors (`<page>-root`), options filled as one types."""
    return dcc.Dropdown(
        id=f"{page}-root",
        options=[{"label": root, "value": root}] if root else [],
        value=root,
        searchable=True,
        clearable=True,
        placeholder=placeholder or "whole network (type an id or a name)",
        className="root-picker",
    )


def filter_bar(page: str, root: str | None = None) -> html.Div:
    return html.Div(
        [
            root_picker(page, root),
            dcc.Input(id=f"{page}-from", placeholder="from YYYY-MM-DD", debounce=True),
            dcc.Input(id=f"{page}-to", placeholder="to YYYY-MM-DD", debounce=True),
            dcc.RadioItems(id=f"{page}-active", options=STATUSES, value="all", inline=True),
        ],
        className="filters",
    )


def filter_inputs(page: str) -> list[Input]:
    return [Input(f"{page}-{name}", "value") for name in ("root", "from", "to", "active")]


def read_filters(root, start, end, active) -> tuple[str | None, Filters]:
    """The bar's values as the CLI's options are read: a reversed period is refused."""
    filters = parse_filters(start, end, active == "active", names=("from", "to", "as of"))
    return root or None, filters


def register_root_search(page: str) -> None:
    """Type-ahead for `<page>-root`: ids and names that start with the words typed."""

    @dash.callback(
        Output(f"{page}-root", "options"),
        Input(f"{page}-root", "search_value"),
        State(f"{page}-root", "value"),
        prevent_initial_call=True,
    )
    @guarded
    def _search(text, chosen):
        if not text or len(text.strip()) < 2:
            return dash.no_update
        found = uncached(lambda driver, database: search(driver, database, text))
        options = [
            {
                "label": f"{row.id}  {row.name or ''} ({row.downline_size:,} below)",
                "value": row.id,
            }
            for row in found.itertuples()
        ]
        if chosen and chosen not in set(found.id):
            options.insert(0, {"label": chosen, "value": chosen})
        return options
