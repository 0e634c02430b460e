"""Where the money flows: commissions by source and earner level, money entering by level and
order kind, and how far up the tree commissions travel (`downline flows`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from downline.vocabulary import ORDER_KINDS
from queries.facts import LevelPairs, Network, OrderSums
from queries.filters import NO_FILTERS, Filters


@dataclass(frozen=True)
class Flows:
    # source_level (None: no source named, or one outside the tree asked), earner_level,
    # commission_cents, commissions
    by_level: pd.DataFrame
    entering: pd.DataFrame  # level, kind, cents, orders
    by_gap: pd.DataFrame  # gap (source level - earner level), commission_cents, share


def flows(source, root: str | None = None, filters: Filters = NO_FILTERS) -> Flows:
    network = source.network(root, filters)
    pairs = source.pairs(network, filters)
    return Flows(
        by_level(pairs), entering(network, source.order_sums(network, filters)), by_gap(pairs)
    )


def by_level(pairs: LevelPairs) -> pd.DataFrame:
    """Commissions to covered earners by (source level, earner level); a source that is not
    named or not in the tree asked has no level, and those rows come last."""
    earner, source = pairs.earner_level, pairs.source_level
    width = int(earner.max(initial=-1)) + 1
    cell = (source + 1) * width + earner  # no level first in the code, last in the table
    size = (int(source.max(initial=-1)) + 2) * width
    cents = np.bincount(cell, pairs.cents, minlength=size).astype(np.int64)
    count = np.bincount(cell, pairs.count, minlength=size).astype(np.int64)  # None: one each
    present = np.flatnonzero(np.bincount(cell, minlength=size))
    order = np.concatenate([present[present >= width], present[present < width]])
    levels = order // width - 1
    return pd.DataFrame(
        {
            "source_level": pd.Series(levels, dtype="Int64").mask(levels < 0),
            "earner_level": (order % width).astype(np.int64),
            "commission_cents": cents[order],
            "commissions": count[order],
        }
    )


def by_gap(pairs: LevelPairs) -> pd.DataFrame:
    """Commissions with a source in the tree asked, by how many levels above it the earner
    is."""
    sourced = pairs.source_level >= 0
    gap = pairs.source_level[sourced] - pairs.earner_level[sourced]
    cents = pairs.cents[sourced]
    low = int(gap.min(initial=0))
    totals = np.bincount(gap - low, cents, minlength=0).astype(np.int64)
    present = np.flatnonzero(np.bincount(gap - low))
    frame = pd.DataFrame(
        {"gap": (present + low).astype(np.int64), "commission_cents": totals[present]}
    )
    total = frame.commission_cents.sum()
    frame["share"] = frame.commission_cents / total if total else 0.0
    return frame


def entering(network: Network, sums: OrderSums) -> pd.DataFrame:
    """Orders by level and kind (kinds in name order within a level): amount and count."""
    depth = int(network.level.max(initial=-1)) + 1
    rows = []
    for kind in sorted(ORDER_KINDS):
        column = ORDER_KINDS.index(kind)
        cents = np.bincount(network.level, sums.cents[:, column], minlength=depth)
        count = np.bincount(network.level, sums.count[:, column], minlength=depth)
        for level in np.flatnonzero(count):
            rows.append((int(level), kind, int(round(cents[level])), int(count[level])))
    frame = pd.DataFrame(rows, columns=["level", "kind", "cents", "orders"])
    return frame.sort_values(["level", "kind"], kind="stable").reset_index(drop=True)
