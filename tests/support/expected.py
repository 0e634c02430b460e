"""Independent figures from the CSV files themselves (pandas and plain Python), for checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from tests.support import expected_earnings as income
from tests.support import expected_indicators as compliance
from tests.support import expected_views as views
from tests.support.expected_load import BadInput, Store
from tests.support.expected_tree import Ask, Covered, NoSuchDistributor, NotJoinedYet

__all__ = [
    "BadInput",
    "Network",
    "NoSuchDistributor",
    "NotJoinedYet",
    "Overview",
    "cents",
    "depths",
    "per_distributor_totals",
    "read",
]


def read(folder: Path, kind: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{kind}.csv", dtype=str, keep_default_na=False)


def cents(series: pd.Series) -> pd.Series:
    return series.map(lambda text: int(Decimal(text) * 100))


def depths(distributors: pd.DataFrame) -> dict[str, int]:
    sponsor = dict(zip(distributors.distributor_id, distributors.sponsor_id, strict=True))
    depth: dict[str, int] = {}
    for did in sponsor:
        chain = []
        node = did
        while node not in depth and sponsor.get(node):
            chain.append(node)
            node = sponsor[node]
        base = depth.setdefault(node, 0)
        for offset, member in enumerate(reversed(chain), start=1):
            depth[member] = base + offset
    return depth


def per_distributor_totals(folder: Path) -> pd.DataFrame:
    orders = read(folder, "orders").assign(cents=lambda f: cents(f.amount))
    by_kind = orders.pivot_table(
        index="distributor_id", columns="kind", values="cents", aggfunc="sum", fill_value=0
    )
    commissions = read(folder, "commissions").assign(cents=lambda f: cents(f.amount))
    earned = commissions.groupby("earner_id").cents.sum()
    ids = read(folder, "distributors").distributor_id
    table = pd.DataFrame(index=ids)
    for kind in ("retail", "personal", "starter_kit"):
        table[kind] = by_kind[kind] if kind in by_kind else 0
    table["orders"] = orders.groupby("distributor_id").size()
    table["earned"] = earned
    return table.fillna(0).astype(int)


# --- the oracle: every analytics view, every filter, from the CSV files alone -------------------
#
# Nothing from queries/, ingest/ or dashboard/ is imported: the definitions are docs/metrics.md
# and docs/indicators.md, read against the code where they are silent (each such case says so
# where it is computed). The parts: tests/support/expected_load.py (reading the folders),
# expected_tree.py (the filters), expected_views.py (levels, flows, cohorts, overview),
# expected_earnings.py, expected_indicators.py.


class Network:
    """Folders loaded in order as `downline ingest FOLDER --as-of DAY` would, one run each.

    Every view takes `root` (a distributor id: its subtree, levels counted from it) and the
    filters as keywords, all combinable: `date_from`, `date_to` (dates), `active_only`,
    `as_of` (a date). An unknown root raises `NoSuchDistributor`; a root that had not joined
    by the as-of day, `NotJoinedYet`."""

    def __init__(self, store: Store):
        self.store = store
        self._covered: dict[tuple, Covered] = {}

    @classmethod
    def load(cls, folders: Iterable[tuple[Path, date] | Path]) -> Network:
        """(folder, as-of day of its run) pairs, in load order; a bare folder is loaded with
        today's date, as the CLI's --as-of default."""
        store = Store()
        for item in folders:
            folder, as_of = item if isinstance(item, tuple) else (item, date.today())
            store.load(Path(folder), as_of)
        return cls(store)

    def covered(self, root: str | None = None, **filters) -> Covered:
        """The distributors a question covers (`.frame`: one row each, with `level`,
        `recruits` and the period's order and commission cents), the tree asked and the
        period's orders and commissions."""
        ask = Ask(**filters)
        if (root, ask) not in self._covered:
            self._covered[root, ask] = Covered(self.store, root, ask)
        return self._covered[root, ask]

    def levels(self, root: str | None = None, **filters) -> pd.DataFrame:
        """queries.levels.levels(...).table: level, distributors, revenue_cents, revenue_share,
        commission_cents, commission_share, avg_recruits, max_recruits; level 0 first."""
        return views.levels(self.covered(root, **filters))

    def flows(self, root: str | None = None, **filters) -> views.Flows:
        """queries.flows.flows: by_level (source_level, earner_level, commission_cents,
        commissions), entering (level, kind, cents, orders), by_gap (gap, commission_cents,
        share)."""
        return views.flows(self.covered(root, **filters))

    def earnings(self, root: str | None = None, **filters) -> income.Income:
        """queries.earnings.earnings: participants, total, mean, median, Gini, top shares,
        bands, by_rank, Lorenz points."""
        return income.earnings(self.covered(root, **filters))

    def cohorts(self, root: str | None = None, **filters) -> pd.DataFrame:
        """queries.cohorts.cohorts: cohort, recruits, active_after_3/6/12, median_commission."""
        return views.cohorts(self.covered(root, **filters))

    def indicators(self, root: str | None = None, **filters) -> dict[str, float | None]:
        """Each indicator's value by key, in the catalogue's order (None: no data)."""
        return compliance.values(self.covered(root, **filters))

    def crossed(self, root: str | None = None, **filters) -> dict[str, bool]:
        """Whether each indicator crosses its threshold."""
        return compliance.crossed(self.indicators(root, **filters))

    def indicator_details(self, root: str | None = None, **filters) -> dict[str, object]:
        return compliance.details(self.covered(root, **filters))

    def by_earner(self, root: str | None = None, **filters) -> pd.DataFrame:
        """queries.indicators...by_earner, equal commissions ordered by earner id."""
        return compliance.by_earner(self.covered(root, **filters))

    def by_subtree(
        self, key: str, root: str | None = None, min_size: int = 10, top: int = 20, **filters
    ) -> pd.DataFrame:
        """Inputs.by_subtree(key, min_size, top): root, distributors, value, crossed."""
        return compliance.by_subtree(self.covered(root, **filters), key, min_size, top)

    def overview(self) -> Overview:
        """queries.explore.network_totals and growth: the whole network, all time."""
        return Overview(views.totals(self.store), views.growth(self.store))


@dataclass(frozen=True)
class Overview:
    totals: views.Totals
    growth: pd.DataFrame  # month, joined, left, net, members, attrition
