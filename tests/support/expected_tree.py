"""Which distributors a view covers, at which level, with what they did within the period.

The filters of docs/metrics.md, restated from the code where it is more precise
(queries/filters.py, queries/tree.py):

- root: its subtree, levels counted from it (level 0); no root: every root is level 0.
- period: orders ordered within [date_from, date_to]; commissions whose YYYY-MM period lies
  between the months of those days. The period never drops a distributor: one who joined after
  it, or left before it, is covered with nothing in it (the code; the docs are silent).
- as_of: the sponsor tree at the end of that day: only distributors who had joined by then,
  each under the sponsor it had before the earliest transfer dated after the day; a sponsor
  who had not joined yet leaves it a root. The period ends at the as-of day unless date_to is
  given (date_to may even be later). A root that had not joined by then is an error.
- active_only: status `active`; for the tree as of a day: no left_on, or left after the day
  (status is then not read: a `terminated` row without left_on counts as active). Recruits are
  counted before this filter, whatever their status, in the tree asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pandas as pd

from tests.support.expected_load import BadInput, Store

# Copied from queries/filters.py: the bounds of a period not given.
EARLIEST, LATEST = date(1, 1, 1), date(9999, 12, 31)
KINDS = ("retail", "personal", "starter_kit")  # order kinds (ingest/formats.py ORDER_KINDS)


class NoSuchDistributor(LookupError):
    """The root asked for was never loaded ("no distributor X", as the code says)."""


class NotJoinedYet(LookupError):
    """The root asked for had not joined by the as-of day."""


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class Ask:
    """The filters of one question, as keywords: date_from, date_to, active_only, as_of."""

    date_from: date | None = None
    date_to: date | None = None
    active_only: bool = False
    as_of: date | None = None

    @property
    def first_day(self) -> date:
        return self.date_from or EARLIEST

    @property
    def last_day(self) -> date:
        return self.date_to or self.as_of or LATEST

    def ordered_within(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def paid_within(self, period: str) -> bool:
        return month_of(self.first_day) <= period <= month_of(self.last_day)


def sponsors_now(store: Store) -> dict[str, str | None]:
    return {did: person.sponsor_id for did, person in store.people.items()}


def sponsors_as_of(store: Store, day: date) -> dict[str, str | None]:
    """The tree at the end of `day`: who had joined, under the sponsor before the earliest
    later transfer (same day: the one loaded first), a sponsor not joined yet: none."""
    joined = {did for did, person in store.people.items() if person.joined_on <= day}
    sponsors = {did: store.people[did].sponsor_id for did in joined}
    later = [t for t in store.transfers if t.changed_on > day]
    for did in joined:
        mine = [t for t in later if t.distributor_id == did]
        if mine:
            sponsors[did] = min(mine, key=lambda t: t.changed_on).from_id
    return {did: (s if s in joined else None) for did, s in sponsors.items()}


class Tree:
    """A sponsor forest: each distributor's recruits and its depth (hops up to its root)."""

    def __init__(self, sponsors: dict[str, str | None]):
        self.sponsor = sponsors
        self.children: dict[str, list[str]] = {did: [] for did in sponsors}
        for did, sponsor in sponsors.items():
            if sponsor is not None:
                self.children[sponsor].append(did)
        self.depth = {did: self._hops_to_root(did) for did in sponsors}

    def _hops_to_root(self, did: str) -> int:
        hops, node, seen = 0, did, {did}
        while self.sponsor[node] is not None:
            node = self.sponsor[node]
            if node in seen:
                raise BadInput(f"sponsor cycle through {did}")
            seen.add(node)
            hops += 1
        return hops

    def subtree(self, root: str) -> list[str]:
        """`root` and everyone below it."""
        found, stack = [], [root]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(self.children[node])
        return found


COLUMNS = [
    "id",
    "sponsor_id",
    "level",
    "recruits",
    "status",
    "rank",
    "joined_on",
    "left_on",
    "retail_cents",
    "personal_cents",
    "starter_kit_cents",
    "revenue_cents",
    "commission_cents",
]


class Covered:
    """The distributors one question covers (`frame`, one row each, COLUMNS, by id), the tree
    asked (`tree`), and the period's orders and commissions of those distributors."""

    def __init__(self, store: Store, root: str | None, ask: Ask):
        if root is not None and root not in store.people:
            raise NoSuchDistributor(f"no distributor {root}")
        if ask.as_of is None:
            self.tree = Tree(sponsors_now(store))
        else:
            self.tree = Tree(sponsors_as_of(store, ask.as_of))
            if root is not None and root not in self.tree.sponsor:
                raise NotJoinedYet(f"{root} had not joined by {ask.as_of}")
        self.ask, self.root = ask, root
        ids = self.tree.subtree(root) if root is not None else list(self.tree.sponsor)
        if ask.active_only:
            ids = [did for did in ids if self._active(store.people[did])]
        self.ids = set(ids)
        self._teams: dict[str, list[str]] = {}
        self.orders = _period_orders(store, ask, self.ids)
        self.commissions = _period_commissions(store, ask, self.ids)
        self.frame = self._frame(store, sorted(ids))

    def _active(self, person) -> bool:
        if self.ask.as_of is None:
            return person.status == "active"
        return person.left_on is None or person.left_on > self.ask.as_of

    def _frame(self, store: Store, ids: list[str]) -> pd.DataFrame:
        base = self.tree.depth[self.root] if self.root is not None else 0
        bought = defaultdict(int)
        for order in self.orders.itertuples():
            bought[order.distributor_id, order.kind] += order.cents
        earned = defaultdict(int)
        for commission in self.commissions.itertuples():
            earned[commission.earner_id] += commission.cents
        rows = []
        for did in ids:
            person = store.people[did]
            row = {
                "id": did,
                "sponsor_id": self.tree.sponsor[did],
                "level": self.tree.depth[did] - base,
                "recruits": len(self.tree.children[did]),
                "status": person.status,
                "rank": person.rank,
                "joined_on": person.joined_on,
                "left_on": person.left_on,
            }
            for kind in KINDS:
                row[f"{kind}_cents"] = bought[did, kind]
            row["revenue_cents"] = sum(bought[did, kind] for kind in KINDS)
            row["commission_cents"] = earned[did]
            rows.append(row)
        return pd.DataFrame(rows, columns=COLUMNS)

    def team(self, did: str) -> list[str]:
        """`did` and its downline in the tree asked, among the covered distributors (with
        active_only, the active members below an inactive one still count)."""
        if did not in self._teams:
            self._teams[did] = [m for m in self.tree.subtree(did) if m in self.ids]
        return self._teams[did]


def _period_orders(store: Store, ask: Ask, ids: set[str]) -> pd.DataFrame:
    """The orders of covered accounts ordered within the period."""
    orders = store.orders_frame()
    keep = orders.distributor_id.isin(ids) & orders.ordered_on.map(ask.ordered_within).astype(bool)
    return orders[keep].reset_index(drop=True)


def _period_commissions(store: Store, ask: Ask, ids: set[str]) -> pd.DataFrame:
    """The commissions paid to covered earners for a period within the months asked, with the
    kind of the order each was paid on (`order_kind`, None when it names none), whenever that
    order was placed."""
    commissions = store.commissions_frame()
    keep = commissions.earner_id.isin(ids) & commissions.period.map(ask.paid_within).astype(bool)
    commissions = commissions[keep].reset_index(drop=True)
    kinds = {oid: order["kind"] for oid, order in store.orders.items()}
    commissions["order_kind"] = commissions.order_id.map(lambda oid: kinds.get(oid))
    return commissions
