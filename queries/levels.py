"""Depth, breadth and revenue share per level: `downline levels`, the dashboard's levels page."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j
import numpy as np
import pandas as pd

from downline.totals import revenue
from queries import analytics_cypher as q
from queries.filters import NO_FILTERS, Filters
from queries.tree import distributors, find_root, no_such_distributor, read

COLUMNS = [
    "level",
    "distributors",
    "revenue_cents",
    "revenue_share",
    "commission_cents",
    "commission_share",
    "avg_recruits",
    "max_recruits",
]


@dataclass(frozen=True)
class Levels:
    root: str | None
    table: pd.DataFrame  # COLUMNS, one row per level, level 0 first

    @property
    def depth(self) -> int:
        return int(self.table.level.max()) if len(self.table) else 0


def levels(
    driver: neo4j.Driver, database: str, root: str | None = None, filters: Filters = NO_FILTERS
) -> Levels:
    if filters.period_filtered:
        frame = distributors(driver, database, filters, find_root(driver, database, root))
        frame["revenue_cents"] = revenue(frame)
        table = (
            frame.groupby("level")
            .agg(
                distributors=("id", "size"),
                revenue_cents=("revenue_cents", "sum"),
                commission_cents=("commission_cents", "sum"),
                avg_recruits=("recruits", "mean"),
                max_recruits=("recruits", "max"),
            )
            .reset_index()
        )
    elif root is None:  # kept per level by the ingest
        table = read(driver, database, q.LEVELS_STORED, active_only=filters.active_only)
    else:  # the stored per-distributor totals, from one index: no order or commission read
        table = read(
            driver, database, q.LEVELS_TOTALS_SUBTREE, root=root, active_only=filters.active_only
        )
        if table.empty:
            raise no_such_distributor(root)
        table = table[table.level.notna()]  # none: nobody passed the status filter
    return Levels(root, _with_shares(table))


COUNTS = ("distributors", "revenue_cents", "commission_cents", "max_recruits")


def _with_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Counts as integers, the two shares; `table` comes ordered by level. Built in one go:
    column by column, pandas took longer than the query of a small subtree."""
    counts = {c: table[c].fillna(0).to_numpy(dtype="int64") for c in COUNTS}
    return pd.DataFrame(
        {
            "level": table.level.to_numpy(dtype="int64"),
            "distributors": counts["distributors"],
            "revenue_cents": counts["revenue_cents"],
            "revenue_share": _share(counts["revenue_cents"]),
            "commission_cents": counts["commission_cents"],
            "commission_share": _share(counts["commission_cents"]),
            "avg_recruits": table.avg_recruits.to_numpy(dtype=float),
            "max_recruits": counts["max_recruits"],
        },
        columns=COLUMNS,
    )


def _share(cents: np.ndarray) -> np.ndarray:
    total = cents.sum()
    return cents / total if total else np.zeros(len(cents))
