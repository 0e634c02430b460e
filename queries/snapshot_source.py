"""The read model: the same facts as queries/cypher_source.py, from the columnar snapshot the
ingest keeps beside the database (downline/snapshot.py, docs/read-model.md).

Everything is array work on memory-mapped columns: a subtree is a run of the distributors in
pre order, a period one slice of the facts sorted by day (orders) or month (commissions), a
level a depth minus the root's. Nothing here walks rows in Python.
"""

from __future__ import annotations

import copy

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
        self._orders = {c: version.array("orders", c) for c in ("owner", "day", "kind", "cents")}
        self._paid = {
            c: version.array("commissions", c)
            for c in ("earner", "source", "month", "type", "trigger", "cents")
        }

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
        people = self.version.tables["distributors"]
        columns = {
            "ids": pc.take(self.candidates.ids, pa.array(members)),
            "joined": self.candidates.joined[members],
            "left": self.candidates.left[members],
            "rank": pc.take(people.column("rank"), pa.array(members)).combine_chunks(),
        }
        orders = self._order_slice(filters)
        paid = self._paid_slice(filters)
        if orders == slice(0, len(self._orders["day"])) and paid == slice(
            0, len(self._paid["month"])
        ):  # the period holds every fact: the all-time totals answer
            figures = {f: self._column[f][members] for f in FIGURES}
        else:
            rows = self._rows(members)
            sums = self._order_sums(rows, orders, len(members))
            figures = {f: sums.cents[:, i] for i, f in enumerate(FIGURES[:3])}
            earner = rows[self._paid["earner"][paid]]
            keep = earner >= 0
            figures["commission_cents"] = _sum(
                earner[keep], self._paid["cents"][paid][keep], len(members)
            )
        return Network.of(chosen, **columns, **figures)

    def paid(self, network: Network, filters: Filters) -> Paid:
        part = self._paid_slice(filters)
        rows = self._rows(network.members)
        source = self._paid["source"][part]
        return Paid(
            earner=rows[self._paid["earner"][part]],
            source=np.where(source >= 0, rows[source], -1),
            type=self._paid["type"][part],
            trigger=self._paid["trigger"][part],
            cents=self._paid["cents"][part],
            count=np.ones(part.stop - part.start, dtype=np.int64),
        ).covered()

    def order_sums(self, network: Network, filters: Filters) -> OrderSums:
        return self._order_sums(
            self._rows(network.members), self._order_slice(filters), len(network)
        )

    def late_personal(self, network: Network, filters: Filters) -> np.ndarray:
        part = self._order_slice(filters)
        day = self._orders["day"][part]
        owner = self._rows(network.members)[self._orders["owner"][part]]
        personal = self._orders["kind"][part] == PERSONAL
        keep = personal & (owner >= 0) & in_last_days(day, END_OF_PERIOD_DAYS)
        return _sum(owner[keep], self._orders["cents"][part][keep], len(network))

    def _rows(self, members: np.ndarray) -> np.ndarray:
        """Row in the network of every distributor (-1: not covered)."""
        rows = np.full(len(self.candidates), -1, dtype=np.int64)
        rows[members] = np.arange(len(members))
        return rows

    def _order_slice(self, filters: Filters) -> slice:
        p = filters.params()
        return _between(self._orders["day"], day_number(p["date_from"]), day_number(p["date_to"]))

    def _paid_slice(self, filters: Filters) -> slice:
        p = filters.params()
        first, last = month_number(p["date_from"]), month_number(p["date_to"])
        return _between(self._paid["month"], first, last)

    def _order_sums(self, rows: np.ndarray, part: slice, covered: int) -> OrderSums:
        return OrderSums.add_up(
            covered,
            rows[self._orders["owner"][part]],
            self._orders["kind"][part].astype(np.int64),
            self._orders["cents"][part],
            np.ones(part.stop - part.start, dtype=np.int64),
        )


_NUMERIC = ("sponsor", "depth", "pre", "post", "at_pre", "id_rank", "status", "joined", "left")
_NUMERIC += FIGURES


def _between(sorted_values: np.ndarray, first: int, last: int) -> slice:
    """The slice of a sorted column whose values lie in [first, last]."""
    lo, hi = np.searchsorted(sorted_values, [first, last + 1])
    return slice(int(lo), int(hi))


def _sum(rows: np.ndarray, cents: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(rows, cents, minlength=size).round().astype(np.int64)
