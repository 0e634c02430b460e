"""The read model: the same facts as queries/cypher_source.py, from the columnar snapshot the
ingest keeps beside the database (downline/snapshot.py, docs/read-model.md).

Everything is array work on memory-mapped columns: a subtree is a run of the distributors in
pre order, a period one slice of the facts sorted by day (orders) or month (commissions), a
level a depth minus the root's. Nothing here walks rows in Python.
"""

from __future__ import annotations

import copy

import numpy as np

from downline.snapshot import Version
from downline.vocabulary import ORDER_KINDS, STATUSES
from queries.calendar import day_number, in_last_days, month_number
from queries.facts import FIGURES, Network, OrderSums, Paid
from queries.filters import Filters
from queries.network import Candidates, Changes, cover

ACTIVE = STATUSES.index("active")
PERSONAL = ORDER_KINDS.index("personal")
END_OF_PERIOD_DAYS = 5


class SnapshotSource:
    """Facts for the metrics, from one snapshot version; `cypher` answers what is kept as
    totals in Neo4j (the unfiltered levels) and what is graph-shaped."""

    name = "snapshot"

    def __init__(self, version: Version, cypher):
        self.version = version
        self.cypher = cypher
        people = version.tables["distributors"]
        self._column = {name: people.column(name).to_numpy() for name in _NUMERIC}
        self.ranks = people.column("rank").combine_chunks()
        self.candidates = Candidates(
            ids=people.column("id").combine_chunks(),
            sponsor=self._column["sponsor"],
            depth=self._column["depth"],
            pre=self._column["pre"],
            post=self._column["post"],
            joined=self._column["joined"],
            left=self._column["left"],
            active=self._column["status"] == ACTIVE,
            by_pre=self._column["at_pre"],
            id_rank=self._column["id_rank"],
        )
        moves = version.tables["changes"]
        self.changes = Changes(
            distributor=moves.column("distributor").to_numpy(),
            before=moves.column("from").to_numpy(),
            day=moves.column("day").to_numpy(),
        )
        self.orders = _Facts(version, "orders", "owner", "day", self._column["order_count"])
        self.paid_facts = _Facts(
            version, "commissions", "earner", "month", self._column["commission_count"]
        )

    def with_cypher(self, cypher) -> SnapshotSource:
        """The same mapped snapshot, with another connection for what Neo4j answers."""
        if cypher is self.cypher:
            return self
        twin = copy.copy(self)
        twin.cypher = cypher
        return twin

    def network(self, root: str | None, filters: Filters) -> Network:
        chosen = cover(self.candidates, root, filters, self.changes)
        members = chosen.members
        columns = {
            "all_ids": self.candidates.ids,
            "all_ranks": self.ranks,
            "joined": self.candidates.joined[members],
            "left": self.candidates.left[members],
        }
        orders, paid = self._order_slice(filters), self._paid_slice(filters)
        if self.orders.whole(orders) and self.paid_facts.whole(paid):
            # the period holds every fact: the all-time totals answer
            return Network.of(chosen, **columns, **{f: self._column[f][members] for f in FIGURES})
        lookup = _Rows(members, len(self.candidates))
        sums = self._order_sums(lookup, orders)
        figures = {f: sums.cents[:, i] for i, f in enumerate(FIGURES[:3])}
        at, rows = self.paid_facts.of(lookup, paid)
        figures["commission_cents"] = _sum(rows, self.paid_facts["cents"][at], len(members))
        return Network.of(chosen, **columns, **figures)

    def paid(self, network: Network, filters: Filters) -> Paid:
        lookup = _Rows(network.members, len(self.candidates))
        at, rows = self.paid_facts.of(lookup, self._paid_slice(filters))
        facts = self.paid_facts
        return Paid(
            earner=rows,
            source=lookup.rows_of(facts["source"][at]),
            type=facts["type"][at],
            trigger=facts["trigger"][at],
            cents=facts["cents"][at],
            count=np.ones(len(at), dtype=np.int64),
        )

    def order_sums(self, network: Network, filters: Filters) -> OrderSums:
        lookup = _Rows(network.members, len(self.candidates))
        return self._order_sums(lookup, self._order_slice(filters))

    def late_personal(self, network: Network, filters: Filters) -> np.ndarray:
        lookup = _Rows(network.members, len(self.candidates))
        at, rows = self.orders.of(lookup, self._order_slice(filters))
        personal = self.orders["kind"][at] == PERSONAL
        at, rows = at[personal], rows[personal]
        late = in_last_days(self.orders["day"][at], END_OF_PERIOD_DAYS)
        return _sum(rows[late], self.orders["cents"][at][late], len(network))

    def _order_slice(self, filters: Filters) -> slice:
        p = filters.params()
        return self.orders.between(day_number(p["date_from"]), day_number(p["date_to"]))

    def _paid_slice(self, filters: Filters) -> slice:
        p = filters.params()
        return self.paid_facts.between(month_number(p["date_from"]), month_number(p["date_to"]))

    def _order_sums(self, lookup: _Rows, part: slice) -> OrderSums:
        at, rows = self.orders.of(lookup, part)
        return OrderSums.add_up(
            len(lookup),
            rows,
            self.orders["kind"][at].astype(np.int64),
            self.orders["cents"][at],
            np.ones(len(at), dtype=np.int64),
        )


class _Rows:
    """The network's row of each distributor (by stable index), built when first needed."""

    def __init__(self, members: np.ndarray, size: int):
        self.members = members
        self.size = size
        self._rows: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.members)

    def rows_of(self, distributors: np.ndarray) -> np.ndarray:
        """Rows of these distributors (-1 for none, and for those not covered)."""
        if self._rows is None:
            self._rows = np.full(self.size + 1, -1, dtype=np.int64)  # the last: index -1
            self._rows[self.members] = np.arange(len(self.members))
        return self._rows[distributors]


class _Facts:
    """One fact table, sorted by time (a period is one slice), and each owner's facts in time
    order (`by_owner`, grouped by the owner's stable index, as many as its count)."""

    def __init__(self, version: Version, table: str, owner: str, time: str, counts: np.ndarray):
        self.table = version.tables[table]
        self.owner = version.array(table, owner)
        self.time = version.array(table, time)
        self.by_owner = version.array(table, "by_owner")
        self.count = counts
        self.start = np.cumsum(counts) - counts
        self._columns: dict[str, np.ndarray] = {}

    def __getitem__(self, column: str) -> np.ndarray:
        if column not in self._columns:
            self._columns[column] = self.table.column(column).to_numpy()
        return self._columns[column]

    def between(self, first: int, last: int) -> slice:
        """The facts whose time lies in [first, last]."""
        lo, hi = np.searchsorted(self.time, [first, last + 1])
        return slice(int(lo), int(hi))

    def whole(self, part: slice) -> bool:
        return part.start == 0 and part.stop == len(self.time)

    def of(self, lookup: _Rows, part: slice) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the period's facts owned by covered distributors, and each one's row.
        The cheaper of two ways: the owners' own facts (few distributors), or the period's
        slice looked up (a short period, or most of the network)."""
        members = lookup.members
        owned = int(self.count[members].sum())
        if owned < (part.stop - part.start) // 2:
            lengths = self.count[members]
            at = self.by_owner[_ranges(self.start[members], lengths)]
            rows = np.repeat(np.arange(len(members)), lengths)
            inside = (at >= part.start) & (at < part.stop)
            return at[inside], rows[inside]
        rows = lookup.rows_of(self.owner[part])
        at = np.flatnonzero(rows >= 0)
        return at + part.start, rows[at]


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenated ranges [start, start + length) as one array of positions."""
    total = int(lengths.sum())
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return offsets + np.arange(total)


_NUMERIC = ("sponsor", "depth", "pre", "post", "at_pre", "id_rank", "status", "joined", "left")
_NUMERIC += FIGURES + ("order_count", "commission_count")


def _sum(rows: np.ndarray, cents: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(rows, cents, minlength=size).round().astype(np.int64)
