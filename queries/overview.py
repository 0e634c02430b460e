"""The network in a few numbers: what the graph holds (`downline db counts`), and for a view
its size, money and growth by month (the dashboard's overview)."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j
import numpy as np
import pandas as pd

from downline.calendar import month_number, month_numbers
from downline.snapshot import NEVER
from queries.facts import Network
from queries.filters import NO_FILTERS, Filters

# COUNT {} on a single label is answered from Neo4j's count store, without a scan.
GRAPH_COUNTS = """
RETURN COUNT { (:Distributor) } AS distributors,
       COUNT { (:Customer) } AS customers,
       COUNT { (:Order) } AS orders,
       COUNT { (:Commission) } AS commissions
"""


@dataclass(frozen=True)
class GraphCounts:
    distributors: int
    customers: int
    orders: int
    commissions: int


def graph_counts(driver: neo4j.Driver, database: str) -> GraphCounts:
    records, _, _ = driver.execute_query(
        GRAPH_COUNTS, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return GraphCounts(**records[0].data())


@dataclass(frozen=True)
class Totals:
    """A view's size and money: distributors covered, active ones, levels below the top,
    revenue, retail revenue and commissions in the period, and those who earned nothing."""

    distributors: int
    active: int
    depth: int
    revenue_cents: int
    retail_cents: int
    commission_cents: int
    zero_earners: int

    @property
    def retail_share(self) -> float | None:
        return self.retail_cents / self.revenue_cents if self.revenue_cents else None

    @property
    def zero_earner_share(self) -> float | None:
        return self.zero_earners / self.distributors if self.distributors else None


@dataclass(frozen=True)
class Overview:
    totals: Totals
    growth: pd.DataFrame  # month, joined, left, net, members, attrition


def overview(source, root: str | None = None, filters: Filters = NO_FILTERS) -> Overview:
    network = source.network(root, filters)
    return Overview(totals(network), growth(network, filters))


def totals(network: Network) -> Totals:
    return Totals(
        distributors=len(network),
        active=int(network.active.sum()),
        depth=int(network.level.max(initial=0)),
        revenue_cents=int(network.revenue_cents.sum()),
        retail_cents=int(network.retail_cents.sum()),
        commission_cents=int(network.commission_cents.sum()),
        zero_earners=int((network.commission_cents == 0).sum()),
    )


def growth(network: Network, filters: Filters = NO_FILTERS) -> pd.DataFrame:
    """Per month with a join or a leave among the covered distributors (within the period,
    when one is asked): joined, left, net, the members at its end (joined minus left so far,
    counting earlier months too) and attrition (left over the members at its start)."""
    joined = month_numbers(network.joined)
    left = month_numbers(network.left[network.left != NEVER])
    months = np.union1d(joined, left)
    frame = pd.DataFrame(
        {"month": months, "joined": _per_month(joined, months), "left": _per_month(left, months)}
    )
    frame["net"] = frame.joined - frame.left
    frame["members"] = frame.net.cumsum()
    before = frame.members - frame.net
    frame["attrition"] = (frame.left / before.where(before > 0)).astype(float)
    if filters.period_filtered:
        first, last = filters.params()["date_from"], filters.last_day
        inside = (months >= month_number(first)) & (months <= month_number(last))
        frame = frame[inside]
    frame["month"] = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in frame.month]
    return frame.reset_index(drop=True)


def _per_month(values: np.ndarray, months: np.ndarray) -> np.ndarray:
    """How many of `values` fall in each of `months` (sorted, holding every value)."""
    found, counts = np.unique(values, return_counts=True)
    out = np.zeros(len(months), dtype=np.int64)
    out[np.searchsorted(months, found)] = counts
    return out
