"""Depth, breadth and revenue share per level: `downline levels`, the dashboard's levels page."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j
import pandas as pd

from queries import analytics_cypher as q
from queries.filters import NO_FILTERS, Filters
from queries.tree import distributors, find_root, read

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
    found = find_root(driver, database, root)
    if filters.period_filtered:
        frame = distributors(driver, database, filters, found)
        frame["revenue_cents"] = frame.retail_cents + frame.personal_cents + frame.starter_kit_cents
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
    elif found is None:  # kept per level by the ingest
        table = read(driver, database, q.LEVELS_STORED, active_only=filters.active_only)
    else:  # the stored per-distributor totals: one aggregation, no order or commission read
        table = read(
            driver,
            database,
            q.LEVELS_TOTALS_SUBTREE,
            pre=found.pre,
            post=found.post,
            active_only=filters.active_only,
            base=found.depth,
        )
    return Levels(root, _with_shares(table))


def _with_shares(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    for column in ("distributors", "revenue_cents", "commission_cents", "max_recruits"):
        table[column] = table[column].fillna(0).astype("int64")
    for cents, share in (
        ("revenue_cents", "revenue_share"),
        ("commission_cents", "commission_share"),
    ):
        total = table[cents].sum()
        table[share] = table[cents] / total if total else 0.0
    table["avg_recruits"] = table.avg_recruits.astype(float)
    return table[COLUMNS].sort_values("level").reset_index(drop=True)
