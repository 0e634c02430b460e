"""Both engines' answers to the same questions, required equal to the cent and the bit."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd

from queries.cohorts import cohorts
from queries.earnings import earnings
from queries.filters import Filters
from queries.flows import flows
from queries.indicators import indicators_with_subtrees, read_inputs
from queries.levels import levels
from queries.overview import overview

VIEWS = {
    "levels": levels,
    "flows": flows,
    "earnings": earnings,
    "cohorts": cohorts,
    "indicators": indicators_with_subtrees,
    "by earner": lambda source, root, filters: read_inputs(source, root, filters).by_earner(),
    "overview": overview,
}


def questions(roots: list[str | None], days: list[date]) -> list[tuple[str | None, Filters]]:
    """Every root with: no filter, active only, a month, a quarter, all time, and the tree as
    of each day (with and without active only)."""
    periods = [
        Filters(),
        Filters(active_only=True),
        Filters(date(2026, 9, 1), date(2026, 9, 30)),
        Filters(date(2026, 7, 1), date(2026, 9, 30), active_only=True),
        Filters(date(2000, 1, 1), date(2100, 12, 31)),
        *(Filters(as_of=day) for day in days),
        *(Filters(as_of=day, active_only=True) for day in days),
    ]
    return [(root, asked) for root in roots for asked in periods]


def assert_engines_agree(one, other, asked: list[tuple[str | None, Filters]]) -> int:
    """Every view of every question, from both engines, equal; returns how many compared."""
    compared = 0
    for root, filters in asked:
        for name, view in VIEWS.items():
            _same(view(one, root, filters), view(other, root, filters), f"{name} {root} {filters}")
            compared += 1
    return compared


def _same(a, b, where: str) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=where)
    elif dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            _same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}[{key}]")
    else:
        assert a == b or (a != a and b != b), f"{where}: {a!r} != {b!r}"
