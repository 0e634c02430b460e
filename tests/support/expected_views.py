"""Levels, money flows and cohorts of the covered distributors, and the overview of the whole
network, in plain Python, with the column names and row orders of queries/levels.py,
queries/flows.py, queries/cohorts.py and queries/explore.py (network_totals, growth)."""

from __future__ import annotations

import calendar
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pandas as pd

from tests.support.expected_load import Store
from tests.support.expected_tree import Covered, Tree, month_of, sponsors_now

# Copied from queries/levels.py (COLUMNS): the levels table, in this order.
LEVEL_COLUMNS = [
    "level",
    "distributors",
    "revenue_cents",
    "revenue_share",
    "commission_cents",
    "commission_share",
    "avg_recruits",
    "max_recruits",
]


def shares(amounts: list[int]) -> list[float]:
    """Each amount over their total; all 0.0 when the total is 0."""
    total = sum(amounts)
    return [a / total if total else 0.0 for a in amounts]


def levels(covered: Covered) -> pd.DataFrame:
    """One row per level that holds a covered distributor, level 0 first (a level whose
    members all fail active_only has no row). Revenue is every order kind within the period;
    recruits are direct recruits in the tree asked, whatever their status and, with a period,
    whenever they joined (the code; the docs are silent); the shares are over the rows shown."""
    frame = covered.frame
    rows = []
    for level in sorted(set(frame.level)):
        at = frame[frame.level == level]
        rows.append(
            {
                "level": int(level),
                "distributors": len(at),
                "revenue_cents": int(at.revenue_cents.sum()),
                "commission_cents": int(at.commission_cents.sum()),
                "avg_recruits": sum(at.recruits) / len(at),
                "max_recruits": int(at.recruits.max()),
            }
        )
    table = pd.DataFrame(rows, columns=LEVEL_COLUMNS)
    table["revenue_share"] = shares([r["revenue_cents"] for r in rows])
    table["commission_share"] = shares([r["commission_cents"] for r in rows])
    ints = ["level", "distributors", "revenue_cents", "commission_cents", "max_recruits"]
    return table.astype({c: "int64" for c in ints} | {"avg_recruits": float})


@dataclass(frozen=True)
class Flows:
    by_level: pd.DataFrame  # source_level (None: no source, or not covered), earner_level, ...
    entering: pd.DataFrame  # level, kind, cents, orders
    by_gap: pd.DataFrame  # gap, commission_cents, share


def flows(covered: Covered) -> Flows:
    """Commissions by (source level, earner level); a source has no level when none is named
    or it is not in the tree asked (outside the subtree, or not joined by the as-of day). An
    inactive source still holds its place in the tree (docs/metrics.md), so with active_only
    it keeps its level. Gaps: source level minus earner level, of commissions with a source
    level. Entering: the period's orders by level and kind."""
    level = dict(zip(covered.frame.id, covered.frame.level, strict=True))
    tree = covered.tree
    base = tree.depth[covered.root] if covered.root is not None else 0
    inside = set(tree.subtree(covered.root)) if covered.root is not None else set(tree.sponsor)
    pairs: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for c in covered.commissions.itertuples():
        source = tree.depth[c.source_id] - base if c.source_id in inside else None
        pair = pairs[source, level[c.earner_id]]
        pair[0] += c.cents
        pair[1] += 1
    keys = sorted(pairs, key=lambda k: (k[0] is None, k[0] or 0, k[1]))  # no level: last
    by_level = pd.DataFrame(
        [(s, e, *pairs[s, e]) for s, e in keys],
        columns=["source_level", "earner_level", "commission_cents", "commissions"],
    ).astype({"source_level": "Int64", "earner_level": "int64", "commission_cents": "int64"})
    gaps: dict[int, int] = defaultdict(int)
    for (source, earner), (cents, _) in pairs.items():
        if source is not None:
            gaps[source - earner] += cents
    ordered = sorted(gaps)
    by_gap = pd.DataFrame(
        {
            "gap": pd.Series(ordered, dtype="int64"),
            "commission_cents": pd.Series([gaps[g] for g in ordered], dtype="int64"),
            "share": pd.Series(shares([gaps[g] for g in ordered]), dtype=float),
        }
    )
    return Flows(by_level, _entering(covered, level), by_gap)


def _entering(covered: Covered, level: dict[str, int]) -> pd.DataFrame:
    money: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for order in covered.orders.itertuples():
        cell = money[level[order.distributor_id], order.kind]
        cell[0] += order.cents
        cell[1] += 1
    return pd.DataFrame(
        [(lv, kind, *money[lv, kind]) for lv, kind in sorted(money)],
        columns=["level", "kind", "cents", "orders"],
    ).astype({"level": "int64", "cents": "int64", "orders": "int64"})


# --- cohorts -----------------------------------------------------------------------------

MONTHS = (3, 6, 12)  # the ages a cohort is judged at (queries/cohorts.py MONTHS)


def plus_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month when it is shorter
    (2024-01-31 + 1 month = 2024-02-29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def still_active(joined_on: date, left_on: date | None, months: int) -> bool:
    """No left_on, or left after the day `months` after joining (leaving on it is not)."""
    return left_on is None or left_on > plus_months(joined_on, months)


def data_end(covered: Covered, last_day: date | None) -> date | None:
    """`last_day` when the question bounds the period; otherwise the last join or leave date
    among the covered distributors (the code: of the subtree or the active ones asked, not of
    the whole network); None when nobody is covered."""
    if last_day is not None:
        return last_day
    frame = covered.frame
    days = list(frame.joined_on) + [d for d in frame.left_on if d is not None]
    return max(days) if days else None


def cohorts(covered: Covered) -> pd.DataFrame:
    """Per join month (YYYY-MM, in order): recruits, the share still active 3, 6 and 12 months
    after joining, None until its youngest member reached that age by the end of the data
    (date_to, else as_of, else the last covered join or leave date; date_from plays no part),
    and the median of its members' commissions in the period. With active_only the shares are
    of the active members only (1.0 whenever judged, for members without a left_on). Nobody covered:
    no rows, with the columns (the code's frame then has no columns either)."""
    end = data_end(covered, covered.ask.date_to or covered.ask.as_of)
    frame = covered.frame
    month = frame.joined_on.map(month_of)
    rows = []
    for cohort in sorted(set(month)):
        members = frame[month == cohort]
        row = {"cohort": cohort, "recruits": len(members)}
        youngest = max(members.joined_on)
        for months in MONTHS:
            if end is not None and plus_months(youngest, months) <= end:
                kept = [
                    still_active(j, lft, months)
                    for j, lft in zip(members.joined_on, members.left_on, strict=True)
                ]
                row[f"active_after_{months}"] = sum(kept) / len(kept)
            else:
                row[f"active_after_{months}"] = None
        row["median_commission_cents"] = float(statistics.median(members.commission_cents))
        rows.append(row)
    columns = ["cohort", "recruits", *(f"active_after_{m}" for m in MONTHS)]
    return pd.DataFrame(rows, columns=[*columns, "median_commission_cents"])


# --- the overview: the whole network, all time (queries/explore.py takes no filters) --------


@dataclass(frozen=True)
class Totals:
    """The fields of queries.explore.NetworkTotals."""

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


def totals(store: Store) -> Totals:
    """Distributors, those with status active, the deepest level, revenue (every order kind),
    retail, commissions, and distributors who never earned a commission."""
    orders = list(store.orders.values())
    commissions = list(store.commissions.values())
    earners = {c["earner_id"] for c in commissions if c["cents"] > 0}
    depth = Tree(sponsors_now(store)).depth
    return Totals(
        distributors=len(store.people),
        active=sum(p.status == "active" for p in store.people.values()),
        depth=max(depth.values(), default=0),
        revenue_cents=sum(o["cents"] for o in orders),
        retail_cents=sum(o["cents"] for o in orders if o["kind"] == "retail"),
        commission_cents=sum(c["cents"] for c in commissions),
        zero_earners=len(set(store.people) - earners),
    )


def growth(store: Store) -> pd.DataFrame:
    """Per month with a join or a leave (YYYY-MM, in order): joined, left, net, members at its
    end (all who joined minus all who left so far) and attrition, those who left over the
    members at its start (NaN when there were none)."""
    joined = defaultdict(int)
    left = defaultdict(int)
    for person in store.people.values():
        joined[month_of(person.joined_on)] += 1
        if person.left_on is not None:
            left[month_of(person.left_on)] += 1
    rows, members = [], 0
    for month in sorted(set(joined) | set(left)):
        net = joined[month] - left[month]
        start, members = members, members + net
        attrition = left[month] / start if start > 0 else float("nan")
        rows.append((month, joined[month], left[month], net, members, attrition))
    columns = ["month", "joined", "left", "net", "members", "attrition"]
    ints = {c: "int64" for c in columns[1:5]}
    return pd.DataFrame(rows, columns=columns).astype(ints | {"attrition": float})
