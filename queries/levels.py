"""Depth, breadth and revenue share per level: `downline levels`, the dashboard's levels page."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from queries import analytics_cypher as q
from queries.facts import Network
from queries.filters import NO_FILTERS, Filters
from queries.grouping import Groups
from queries.network import no_such_distributor

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


def levels(source, root: str | None = None, filters: Filters = NO_FILTERS) -> Levels:
    """Per level of the tree asked: distributors, revenue and commissions in the period, and
    direct recruits. Without a period the totals Neo4j keeps per level (whole network) or per
    distributor (a subtree) answer, from `source.cypher`."""
    if filters.period_filtered:
        return Levels(root, _with_shares(per_level(source.network(root, filters))))
    if root is None:  # kept per level by the ingest
        table = source.cypher.read(q.LEVELS_STORED, active_only=filters.active_only)
    else:  # the stored per-distributor totals, from one index: no order or commission read
        table = source.cypher.read(
            q.LEVELS_TOTALS_SUBTREE, root=root, active_only=filters.active_only
        )
        if table.empty:
            raise no_such_distributor(root)
        table = table[table.level.notna()]  # none: nobody passed the status filter
    return Levels(root, _with_shares(table))


def per_level(network: Network) -> pd.DataFrame:
    """The levels table's counts from the covered distributors: one row per level that has
    any, in order."""
    depth = int(network.level.max()) + 1 if len(network) else 0

    def total(values) -> np.ndarray:
        return np.bincount(network.level, values, minlength=depth).astype(np.int64)

    members = np.bincount(network.level, minlength=depth)
    most = Groups(network.level, depth).max(network.recruits)
    present = members > 0
    return pd.DataFrame(
        {
            "level": np.arange(depth)[present],
            "distributors": members[present],
            "revenue_cents": total(network.revenue_cents)[present],
            "commission_cents": total(network.commission_cents)[present],
            "avg_recruits": total(network.recruits)[present] / members[present],
            "max_recruits": most[present],
        }
    )


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
