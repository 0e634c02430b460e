"""Values derived at ingest so that queries never re-walk the tree.

- Per distributor: order count and amounts by kind, commission count and amount.
- Per distributor: `depth` (sponsor hops to its root), `root_id`, and a pre-order interval
  (`pre`, `post`): d is in r's subtree exactly when r.pre <= d.pre <= r.post, which a range
  index answers without any traversal; and `recruits`, its number of direct recruits.
- Per distributor, over its downline: size, levels below it, active members, revenue and
  commissions (`downline_*`), so one distributor's summary is read, not summed.
- Per level of the whole network: `LevelTotals` nodes (all distributors, and active ones), so
  the network's levels are read from a few nodes; rebuilt at the end of every run.

A run updates the tree values from what it added, moved and changed, reading and writing only
those subtrees and the uplines above them (ingest.incremental: intervals with gaps, sums by
deltas). The whole forest is numbered again (dense pre-order numbers spread a gap apart,
children in id order, as the bulk load does) on a first run, after a run that stopped before
settling its derived values, when a run touches a large part of the network, or when no
interval has room for what it placed.
"""

from __future__ import annotations

import neo4j
import numpy as np

from ingest import cypher
from ingest.incremental import ROW, Full, Node, changes, numbered

# The stored tree values, in the order the bulk load stages them (ingest.stage).
TREE_FIELDS = ("depth", "pre", "post", "root_id", "recruits")
SCHEME = 2  # gapped intervals; stores numbered otherwise are numbered again
FULL_SHARE = 5  # a run touching more than 1/FULL_SHARE of the network numbers it all


def begin(driver: neo4j.Driver, database: str) -> str | None:
    """Mark the derived values due until `settle`; return why this run must recompute them
    all (None: it can bring them up to date from what it changes)."""
    records, _, _ = driver.execute_query(cypher.BEGIN_DERIVED, database_=database)
    due, scheme = records[0]["due"], records[0]["scheme"]
    if scheme != SCHEME:
        return "first numbering" if scheme is None else f"numbered by scheme {scheme}"
    if due:
        return "a run stopped before its derived values were settled"
    return None


def settle(driver: neo4j.Driver, database: str) -> None:
    """Every derived value is up to date (the next run may update them from its changes)."""
    driver.execute_query(cypher.SETTLE_DERIVED, scheme=SCHEME, database_=database)


def refresh_totals(driver: neo4j.Driver, database: str, batch: int):
    """Recompute the stale distributors' totals; return how many, and the change of revenue
    and commissions of each numbered one (as ingest.incremental's own figures)."""
    total, own = 0, {}
    while True:
        records, _, _ = driver.execute_query(cypher.REFRESH_TOTALS, batch=batch, database_=database)
        done = records[0]["refreshed"]
        total += done
        for did, revenue, earned in records[0]["changed"]:
            own[did] = [0, 0, revenue, earned]
        if done == 0:
            return total, own


def refresh_level_totals(driver: neo4j.Driver, database: str) -> int:
    """Rebuild the per-level sums of the whole network; return how many LevelTotals nodes."""
    records, _, _ = driver.execute_query(cypher.REFRESH_LEVEL_TOTALS, database_=database)
    return records[0]["levels"]


def refresh_tree(driver, database: str, batch: int, full: str | None, was, flips, own) -> dict:
    """Bring depth, intervals, root, recruits and downline sums up to date: from the run's
    changes (`was`: the sponsor before the run of each distributor moved, `flips`: +1/-1 per
    distributor whose status turned active or not, `own`: revenue and commission changes),
    or over the whole forest when `full` says why. Returns how and how many nodes it rewrote."""
    records, _, _ = driver.execute_query(
        cypher.TREE_STALE, database_=database, routing_=neo4j.RoutingControl.READ
    )
    stale = {r["id"]: r["placed"] for r in records}
    own = dict(own)
    for did, flip in flips.items():
        own.setdefault(did, [0, 0, 0, 0])[1] += flip
    own = {did: delta for did, delta in own.items() if any(delta)}
    if full is None and not stale and not own:
        return {"how": "nothing to update", "nodes": 0, "numbers": 0, "sums": 0}
    if full is None:
        records, _, _ = driver.execute_query(
            cypher.DISTRIBUTOR_COUNT, database_=database, routing_=neo4j.RoutingControl.READ
        )
        if (len(stale) + len(own)) * FULL_SHARE > records[0]["n"]:
            full = "the run touched a large part of the network"
        elif any(placed and did not in was for did, placed in stale.items()):
            full = "a moved distributor's sponsor before the run is not known"
    found = None
    if full is None:
        try:
            found = changes(Neo4jStore(driver, database, batch), stale, was, own)
        except Full as signal:
            full = str(signal)
    if found is None:
        found = _numbered_all(driver, database)
    renumbered = {d for d, (node, was_row) in found.items() if _differ(node.row(), was_row, 0, 4)}
    for statement, ids in (
        (cypher.SET_DERIVED, sorted(renumbered)),
        (cypher.SET_SUMS, sorted(set(found) - renumbered)),
    ):
        rows = [dict(zip(ROW, found[did][0].row(), strict=True), id=did) for did in ids]
        for start in range(0, len(rows), batch):
            driver.execute_query(statement, rows=rows[start : start + batch], database_=database)
    while True:
        records, _, _ = driver.execute_query(
            cypher.CLEAR_TREE_STALE, batch=batch, database_=database
        )
        if records[0]["cleared"] == 0:
            break
    return {
        "how": "incremental" if full is None else f"whole forest: {full}",
        "nodes": len(found),
        "numbers": len(renumbered),
        "sums": sum(1 for n, was_row in found.values() if _differ(n.row(), was_row, 4, None)),
    }


def _differ(row, stored, start, end) -> bool:
    return row[start:end] != stored[start:end]


class Neo4jStore:
    """ingest.incremental's view of the stored tree: reads by id, in batches."""

    def __init__(self, driver: neo4j.Driver, database: str, batch: int):
        self.driver, self.database, self.batch = driver, database, batch

    def _read(self, statement: str, ids) -> list[Node]:
        ids = sorted(ids)
        found = []
        for start in range(0, len(ids), self.batch):
            records, _, _ = self.driver.execute_query(
                statement,
                ids=ids[start : start + self.batch],
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
            found.extend(_node(r) for r in records)
        return found

    def nodes(self, ids) -> dict[str, Node]:
        """The distributors and their uplines, one level of sponsors per read."""
        found: dict[str, Node] = {}
        frontier = set(ids)
        while frontier:
            for node in self._read(cypher.STORED, frontier):
                found[node.id] = node
            frontier = {n.sponsor for n in found.values() if n.sponsor} - set(found)
        return found

    def subtrees(self, ids) -> dict[str, Node]:
        return {node.id: node for node in self._read(cypher.SUBTREES, ids)}

    def children(self, ids) -> dict[str, list[Node]]:
        """Each one's children, with only their intervals and levels below."""
        ids = sorted(ids)
        found: dict[str, list[Node]] = {did: [] for did in ids}
        for start in range(0, len(ids), self.batch):
            records, _, _ = self.driver.execute_query(
                cypher.CHILDREN,
                ids=ids[start : start + self.batch],
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
            for r in records:
                node = Node(r["id"], r["sponsor_id"], pre=r["pre"], post=r["post"])
                node.levels = r["levels"]
                found[node.sponsor].append(node)
        return found

    def end(self) -> int:
        records, _, _ = self.driver.execute_query(
            cypher.NUMBERS_END, database_=self.database, routing_=neo4j.RoutingControl.READ
        )
        return records[0]["end"] if records else -1


def _node(record) -> Node:
    return Node(
        record["id"],
        record["sponsor_id"],
        record["depth"],
        record["pre"],
        record["post"],
        record["root_id"],
        record["recruits"],
        record["levels"],
        list(record["sums"]),
        list(record["own"]),
    )


def _numbered_all(driver, database: str) -> dict[str, tuple[Node, tuple]]:
    """Every distributor whose values a numbering of the whole forest changes (siblings and
    roots in id order, as the bulk load numbers them), with its stored values."""
    stored: list[Node] = []
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        session.execute_read(
            lambda tx: stored.extend(_node(r) for r in tx.run(cypher.ALL_DERIVED_INPUTS))
        )
    stored.sort(key=lambda n: n.id)
    index = {n.id: i for i, n in enumerate(stored)}
    parent = np.array([index.get(n.sponsor, -1) for n in stored], dtype=np.int64)
    own = np.array([n.own for n in stored], dtype=np.int64).reshape(-1, 4)
    values = numbered(parent, own[:, 1], own[:, 2], own[:, 3])
    columns = [values[f].tolist() for f in ("depth", "pre", "post", "root", "recruits", *ROW[5:])]
    found = {}
    for i, node in enumerate(stored):
        row = [column[i] for column in columns]
        row[3] = stored[row[3]].id
        was_row = node.row()
        if tuple(row) != was_row:
            new = Node(node.id, node.sponsor, *row[:6], row[6:], node.own)
            found[node.id] = (new, was_row)
    return found
