"""The read model: the same facts as queries/cypher_source.py, from the columnar snapshot the
ingest keeps beside the database (downline/snapshot.py, docs/read-model.md).

Everything is array work on memory-mapped columns. The distributor table is in pre order, so
the whole network is every row and a subtree a run of rows, both read in order; a period is a
slice of the facts sorted by time; a subtree's own facts are one slice of the facts grouped by
owner; a level is a depth minus the root's. Nothing here walks rows in Python.
"""

from __future__ import annotations

import copy
import dataclasses
from functools import cached_property

import numpy as np

from downline.calendar import day_number, in_last_days, month_number
from downline.snapshot import Version
from downline.totals import COMMISSION_CLASSES, END_OF_PERIOD_DAYS
from downline.vocabulary import ORDER_KINDS, STATUSES
from queries.facts import FIGURES, LevelPairs, Network, OrderSums, Paid
from queries.filters import Filters
from queries.network import Candidates, Changes, Cover, cover

ACTIVE = STATUSES.index("active")
_LIMITS = (np.iinfo(np.int32).min, np.iinfo(np.int32).max)
PERSONAL = ORDER_KINDS.index("personal")
_NUMERIC = ("sponsor", "depth", "post", "id_rank", "status", "joined", "left", "recruits")
_NUMERIC += FIGURES + ("order_count", "commission_count", "late_personal_cents")
_NUMERIC += tuple(f"{k}_orders" for k in ORDER_KINDS)
_NUMERIC += tuple(f"{c}_cents" for c in COMMISSION_CLASSES)


class SnapshotSource:
    """Facts for the metrics, from one snapshot version (engine positions are rows of its
    distributor table); `cypher` answers what is kept as totals in Neo4j (the unfiltered
    levels) and what is graph-shaped."""

    name = "snapshot"

    def __init__(self, version: Version, cypher):
        self.version = version
        self.cypher = cypher
        people = version.tables["distributors"]
        self._column = {name: people.column(name).to_numpy() for name in _NUMERIC}
        self.ranks = people.column("rank").combine_chunks()
        self.row_of = version.array("positions", "row")  # stable index -> row
        self._row_or_none = np.append(self.row_of, np.int32(-1))
        self.index = people.column("index").to_numpy()  # row -> stable index
        every = np.arange(people.num_rows)
        self.candidates = Candidates(
            ids=people.column("id").combine_chunks(),
            sponsor=self._column["sponsor"],
            depth=self._column["depth"],
            pre=every,
            post=self._column["post"],
            joined=self._column["joined"],
            left=self._column["left"],
            active=self._column["status"] == ACTIVE,
            by_pre=every,
            id_rank=self._column["id_rank"],
            recruits=self._column["recruits"],
        )
        moves = version.tables["changes"]
        self.changes = Changes(
            distributor=self._rows(moves.column("distributor").to_numpy()),
            before=self._rows(moves.column("from").to_numpy()),
            day=moves.column("day").to_numpy(),
        )
        self.orders = _Facts(version, "orders", "owner", "day", self._column["order_count"])
        self.paid_facts = _Facts(
            version, "commissions", "earner", "month", self._column["commission_count"]
        )
        self._periods: dict[tuple, _Period] = {}

    def with_cypher(self, cypher) -> SnapshotSource:
        """The same mapped snapshot, with another connection for what Neo4j answers."""
        if cypher is self.cypher:
            return self
        twin = copy.copy(self)
        twin.cypher = cypher
        return twin

    def _rows(self, indexes: np.ndarray) -> np.ndarray:
        """Rows of stable indexes (-1 stays -1: the last entry of `_row_or_none`)."""
        return self._row_or_none[indexes]

    def network(self, root: str | None, filters: Filters) -> Network:
        chosen = cover(self.candidates, root, filters, self.changes)
        members = chosen.members
        columns = {
            "all_ids": self.candidates.ids,
            "all_ranks": self.ranks,
            "joined": self.candidates.joined[members],
            "left": self.candidates.left[members],
        }
        if self._all_time(filters):  # the period holds every fact: the all-time totals answer
            return Network.of(chosen, **columns, **{f: self._column[f][members] for f in FIGURES})
        period = self._period(chosen, filters)
        figures = {f: period.order_sums.cents[:, i] for i, f in enumerate(FIGURES[:3])}
        figures["commission_cents"] = period.paid.received_total(len(members))
        return Network.of(chosen, **columns, **figures)

    def pairs(self, network: Network, filters: Filters) -> LevelPairs:
        if network.cover.whole_forest and filters.as_of is None and self._all_time(filters):
            return self._whole_flows(filters.active_only)
        return LevelPairs.of(network, self._period(network.cover, filters).paid_with_sources)

    def _whole_flows(self, active_only: bool) -> LevelPairs:
        """The whole network's flows over all time, summed when the snapshot was built."""
        cube = self.version.tables["flows"]
        keep = cube.column("earner_active").to_numpy(zero_copy_only=False)
        keep = keep if active_only else np.ones(len(keep), dtype=bool)
        return LevelPairs(
            source_level=cube.column("source_depth").to_numpy()[keep].astype(np.int64),
            earner_level=cube.column("earner_depth").to_numpy()[keep].astype(np.int64),
            cents=cube.column("cents").to_numpy()[keep],
            count=cube.column("count").to_numpy()[keep],
        )

    def received(self, network: Network, filters: Filters) -> dict[str, np.ndarray]:
        if self._all_time(filters):
            members = network.members
            return {c: self._column[f"{c}_cents"][members] for c in COMMISSION_CLASSES}
        return self._period(network.cover, filters).paid.received(len(network))

    def order_sums(self, network: Network, filters: Filters) -> OrderSums:
        members = network.members
        if self._all_time(filters):
            return OrderSums(
                np.column_stack([self._column[f"{k}_cents"][members] for k in ORDER_KINDS]),
                np.column_stack([self._column[f"{k}_orders"][members] for k in ORDER_KINDS]),
            )
        return self._period(network.cover, filters).order_sums

    def late_personal(self, network: Network, filters: Filters) -> np.ndarray:
        if self._all_time(filters):
            return self._column["late_personal_cents"][network.members]
        return self._period(network.cover, filters).late_personal

    def _all_time(self, filters: Filters) -> bool:
        """Whether the period holds every order and commission."""
        return self.orders.whole(self._order_slice(filters)) and self.paid_facts.whole(
            self._paid_slice(filters)
        )

    def _order_slice(self, filters: Filters) -> slice:
        p = filters.params()
        return self.orders.between(day_number(p["date_from"]), day_number(p["date_to"]))

    def _paid_slice(self, filters: Filters) -> slice:
        p = filters.params()
        return self.paid_facts.between(month_number(p["date_from"]), month_number(p["date_to"]))

    def _period(self, chosen: Cover, filters: Filters) -> _Period:
        """The period's facts of these covered distributors, found once for every figure a
        view asks of them (the last few kept)."""
        orders, paid = self._order_slice(filters), self._paid_slice(filters)
        key = (id(chosen), orders.start, orders.stop, paid.start, paid.stop)
        found = self._periods.get(key)
        if found is None or found.cover is not chosen:
            found = _Period(self, chosen, orders, paid)
            self._periods = {**dict(list(self._periods.items())[-3:]), key: found}
        return found


class _Period:
    """One view's facts in its period: found lazily, each at most once."""

    def __init__(self, source: SnapshotSource, chosen: Cover, orders: slice, paid: slice):
        self.source, self.cover = source, chosen
        self.lookup = _Lookup(chosen.members, source.row_of, source.index)
        self.order_part, self.paid_part = orders, paid

    @cached_property
    def orders(self) -> tuple[np.ndarray, np.ndarray]:
        return self.source.orders.of(self.lookup, self.order_part)

    @cached_property
    def _paid(self) -> tuple[np.ndarray, np.ndarray]:
        return self.source.paid_facts.of(self.lookup, self.paid_part)

    @cached_property
    def order_sums(self) -> OrderSums:
        at, rows = self.orders
        facts = self.source.orders
        kind = facts["kind"][at].astype(np.int64)
        return OrderSums.add_up(len(self.lookup), rows, kind, facts["cents"][at])

    @cached_property
    def late_personal(self) -> np.ndarray:
        at, rows = self.orders
        facts = self.source.orders
        late = facts["kind"][at] == PERSONAL
        late[late] = in_last_days(facts["day"][at[late]], END_OF_PERIOD_DAYS)
        return _sum(rows[late], facts["cents"][at[late]], len(self.lookup))

    @cached_property
    def paid(self) -> Paid:
        """The commissions, their source levels not looked up (None)."""
        at, rows = self._paid
        facts = self.source.paid_facts
        return Paid(
            earner=rows,
            source_level=None,
            type=facts["type"][at],
            trigger=facts["trigger"][at],
            cents=facts["cents"][at],
        )

    @cached_property
    def paid_with_sources(self) -> Paid:
        at, _ = self._paid
        sources = self.source._rows(self.source.paid_facts["source"][at])
        return dataclasses.replace(self.paid, source_level=self.cover.levels_of(sources))


class _Lookup:
    """The network's row of each distributor: its members are rows of the distributor table
    (often one run of them: a subtree, or everyone), facts name stable indexes."""

    def __init__(self, members: np.ndarray, row_of: np.ndarray, index: np.ndarray):
        self.members = members
        self.row_of = row_of
        self.index = index
        first = int(members[0]) if len(members) else 0
        self.run = len(members) == 0 or int(members[-1]) - first + 1 == len(members)
        self.first = first
        self._by_index: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.members)

    def of_indexes(self, indexes: np.ndarray) -> np.ndarray:
        """Network rows of stable indexes (-1: not covered): one look-up per fact, in a map by
        index whose last entry answers the index -1 (a 32-bit map: half the memory traffic)."""
        if self._by_index is None:
            self._by_index = np.full(len(self.row_of) + 1, -1, dtype=np.int32)
            self._by_index[self.index[self.members]] = np.arange(len(self.members))
        return self._by_index[indexes]


class _Facts:
    """One fact table, sorted by time (a period is one slice), with its positions grouped by
    owner row (each row's `count` of them, in time order)."""

    def __init__(self, version: Version, table: str, owner: str, time: str, counts: np.ndarray):
        self.table = version.tables[table]
        self.owner = version.array(table, owner)
        self.time = version.array(table, time)
        self.by_owner = version.array(f"{table}_by_owner", "at")
        self.count = counts
        self.start = np.cumsum(counts) - counts
        self._columns: dict[str, np.ndarray] = {}

    def __getitem__(self, column: str) -> np.ndarray:
        if column not in self._columns:
            self._columns[column] = self.table.column(column).to_numpy()
        return self._columns[column]

    def between(self, first: int, last: int) -> slice:
        """The facts whose time lies in [first, last]."""
        # Needles of the column's own type: other ones make numpy convert the whole column.
        bounds = np.clip([first, last + 1], *_LIMITS).astype(self.time.dtype)
        lo, hi = np.searchsorted(self.time, bounds)
        return slice(int(lo), int(hi))

    def whole(self, part: slice) -> bool:
        return part.start == 0 and part.stop == len(self.time)

    def of(self, lookup: _Lookup, part: slice) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the period's facts owned by covered distributors, and each one's
        network row. The cheaper of two ways: the members' own facts (a small subtree, or a
        long period), or the period's slice looked up (a short period of many)."""
        members = lookup.members
        lengths = self.count[members]
        if int(lengths.sum()) >= (part.stop - part.start) // 2:
            rows = lookup.of_indexes(self.owner[part])
            at = np.flatnonzero(rows >= 0)
            return at + part.start, rows[at]
        if lookup.run and len(members):
            first = self.start[members[0]]
            at = self.by_owner[first : first + int(lengths.sum())]
        else:
            at = self.by_owner[_ranges(self.start[members], lengths)]
        rows = np.repeat(np.arange(len(members)), lengths)
        inside = (at >= part.start) & (at < part.stop)
        return at[inside], rows[inside]


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenated ranges [start, start + length) as one array of positions."""
    total = int(lengths.sum())
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return offsets + np.arange(total)


def _sum(rows: np.ndarray, cents: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(rows, cents, minlength=size).astype(np.int64)
