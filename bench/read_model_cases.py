"""The read-model benchmark's matrix of questions: which filters (periods, active only, the
tree on a day) and which roots (subtrees of about a given size), shared by the agreement check
(bench/read_model_check.py) and the timings (bench/read_model_timings.py)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from read_model_pandas import InMemory

from queries.filters import Filters

END = date(2026, 10, 31)  # ingest.generate.generate's default last day


def periods(end: date) -> list[tuple[str, Filters]]:
    """The benchmark's filters for data ending in `end`'s month: {no period, its last full
    month, its last full quarter, all time} x {all, active only}, two as-of dates (a year
    before the end, and mid-way through the last quarter), each with and without active
    only, and one as-of day with a period that starts before it."""
    month = date(end.year, end.month, 1)
    last_month_end = month - timedelta(days=1)
    last_month = date(last_month_end.year, last_month_end.month, 1)
    quarter = (pd.Timestamp(last_month) - pd.DateOffset(months=2)).date()
    spans = {
        "no period": {},
        "one month": {"date_from": last_month, "date_to": last_month_end},
        "a quarter": {"date_from": quarter, "date_to": last_month_end},
        "all time": {"date_from": date(2000, 1, 1), "date_to": date(2100, 12, 31)},
    }
    found = []
    for name, span in spans.items():
        found.append((name, Filters(**span)))
        found.append((f"{name}, active only", Filters(**span, active_only=True)))
    year_before = (pd.Timestamp(end) - pd.DateOffset(years=1)).date()
    mid_quarter = (pd.Timestamp(quarter) + pd.DateOffset(days=45)).date()
    for day in (year_before, mid_quarter):
        found.append((f"as of {day}", Filters(as_of=day)))
        found.append((f"as of {day}, active only", Filters(as_of=day, active_only=True)))
    found.append((f"{quarter} to as of {mid_quarter}", Filters(quarter, as_of=mid_quarter)))
    return found


def roots_near(memory: InMemory, targets: dict[str, int]) -> dict[str, str]:
    """Per label, the distributor whose subtree (now) is closest to the target size (ties:
    the larger, then the first id), and "largest": the largest subtree."""
    tree = memory.tree_now
    size = tree.post - tree.pre + 1
    found = {}
    for label, target in targets.items():
        at = np.lexsort((-size, np.abs(size - target)))[0]
        found[label] = str(memory.id_text[at])
    found["largest"] = str(memory.id_text[int(np.argmax(size))])
    return found
