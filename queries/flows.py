"""Where the money flows: commissions by source and earner level, money entering by level and
order kind, and how far up the tree commissions travel (`downline flows`)."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j
import pandas as pd

from queries import analytics_cypher as q
from queries.filters import NO_FILTERS, Filters
from queries.tree import distributors, find_root, read


@dataclass(frozen=True)
class Flows:
    # source_level (None: no source named, or one outside the tree asked), earner_level,
    # commission_cents, commissions
    by_level: pd.DataFrame
    entering: pd.DataFrame  # level, kind, cents, orders
    by_gap: pd.DataFrame  # gap (source level - earner level), commission_cents, share


def flows(
    driver: neo4j.Driver, database: str, root: str | None = None, filters: Filters = NO_FILTERS
) -> Flows:
    covered = distributors(driver, database, filters, find_root(driver, database, root))
    level = dict(zip(covered.id, covered.level, strict=True))
    params = filters.params()

    pairs = read(driver, database, q.COMMISSION_PAIRS, **params)
    pairs = pairs[pairs.earner_id.isin(level)]
    pairs = pairs.assign(
        earner_level=pairs.earner_id.map(level).astype("int64"),
        source_level=pairs.source_id.map(level).astype("Int64"),
    )
    by_level = (
        pairs.groupby(["source_level", "earner_level"], dropna=False)
        .agg(commission_cents=("cents", "sum"), commissions=("commissions", "sum"))
        .reset_index()
        .sort_values(["source_level", "earner_level"], na_position="last")
        .reset_index(drop=True)
    )
    sourced = pairs.dropna(subset=["source_level"])
    gaps = (
        (sourced.source_level - sourced.earner_level)
        .astype("int64")
        .rename("gap")
        .to_frame()
        .assign(commission_cents=sourced.cents)
        .groupby("gap")
        .commission_cents.sum()
        .reset_index()
    )
    total = gaps.commission_cents.sum()
    gaps["share"] = gaps.commission_cents / total if total else 0.0

    orders = read(driver, database, q.ORDERS_BY_ACCOUNT_AND_KIND, **params)
    orders = orders[orders.id.isin(level)]
    entering = (
        orders.assign(level=orders.id.map(level).astype("int64"))
        .groupby(["level", "kind"])
        .agg(cents=("cents", "sum"), orders=("orders", "sum"))
        .reset_index()
    )
    return Flows(by_level, entering, gaps)
