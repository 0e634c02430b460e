"""Values derived at ingest so that queries never re-walk the tree.

- Per distributor: order count and amounts by kind, commission count and amount.
- Per distributor: `depth` (sponsor hops to its root), `root_id`, and a pre-order interval
  (`pre`, `post`): d is in r's subtree exactly when r.pre <= d.pre <= r.post, which a range
  index answers without any traversal; and `recruits`, its number of direct recruits.
  Numbers are recomputed over the whole forest whenever a distributor is added or moved
  (children in id order, so the numbering is deterministic), and only changed values are
  written.
- Per distributor, over its downline: size, levels below it, active members, revenue and
  commissions (`downline_*`), so one distributor's summary is read, not summed.
- Per level of the whole network: `LevelTotals` nodes (all distributors, and active ones), so
  the network's levels are read from a few nodes; rebuilt at the end of every run.
"""

from __future__ import annotations

from collections import Counter

import neo4j
import numpy as np

from downline.forest import DOWNLINE_FIELDS, downline_sums, number_forest
from ingest import cypher

TREE_FIELDS = ("depth", "pre", "post", "root_id", "recruits")


def refresh_totals(driver: neo4j.Driver, database: str, batch: int) -> int:
    total = 0
    while True:
        records, _, _ = driver.execute_query(cypher.REFRESH_TOTALS, batch=batch, database_=database)
        done = records[0]["refreshed"]
        total += done
        if done == 0:
            return total


def refresh_level_totals(driver: neo4j.Driver, database: str) -> int:
    """Rebuild the per-level sums of the whole network; return how many LevelTotals nodes."""
    records, _, _ = driver.execute_query(cypher.REFRESH_LEVEL_TOTALS, database_=database)
    return records[0]["levels"]


def refresh_downline(driver: neo4j.Driver, database: str, batch: int) -> int:
    """Recompute every distributor's downline sums; write those that changed (returned)."""
    rows: dict[str, list] = {
        key: []
        for key in (
            "id",
            "pre",
            "post",
            "depth",
            "parent_pre",
            "active",
            "revenue",
            "earned",
            "stored",
        )
    }

    def read(tx):
        for record in tx.run(cypher.DOWNLINE_INPUTS):
            for key in rows:
                rows[key].append(record[key])

    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        session.execute_read(read)
    if not rows["id"]:
        return 0
    pre = np.asarray(rows["pre"], dtype=np.int64)
    index_of_pre = np.empty(len(pre), dtype=np.int64)
    index_of_pre[pre] = np.arange(len(pre))
    parent = np.array(
        [-1 if p is None else index_of_pre[p] for p in rows["parent_pre"]], dtype=np.int64
    )
    sums = downline_sums(
        pre, rows["post"], rows["depth"], parent, rows["active"], rows["revenue"], rows["earned"]
    )
    columns = [sums[field].tolist() for field in DOWNLINE_FIELDS]
    changed = []
    for i, did in enumerate(rows["id"]):
        values = [column[i] for column in columns]
        if rows["stored"][i] != values:
            changed.append(dict(zip(DOWNLINE_FIELDS, values, strict=True), id=did))
    for start in range(0, len(changed), batch):
        driver.execute_query(
            cypher.SET_DOWNLINE, rows=changed[start : start + batch], database_=database
        )
    return len(changed)


def refresh_tree(driver: neo4j.Driver, database: str, batch: int) -> int:
    """Renumber the forest if anything in it changed; return how many rows were rewritten."""
    stale, _, _ = driver.execute_query(
        cypher.TREE_STALE, database_=database, routing_=neo4j.RoutingControl.READ
    )
    if stale[0]["stale"] == 0:
        return 0
    sponsors: dict[str, str | None] = {}
    stored: dict[str, tuple] = {}
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:

        def read(tx):
            for record in tx.run(cypher.TREE_NUMBERS):
                sponsors[record["id"]] = record["sponsor_id"]
                stored[record["id"]] = (
                    record["depth"],
                    record["pre"],
                    record["post"],
                    record["root_id"],
                    record["recruits"],
                )

        session.execute_read(read)
    numbers = number_forest(sponsors)
    recruits = Counter(s for s in sponsors.values() if s is not None)
    changed = []
    for did, (depth, pre, post, root) in numbers.items():
        row = (depth, pre, post, root, recruits.get(did, 0))
        if stored[did] != row:
            changed.append(dict(zip(TREE_FIELDS, row, strict=True), id=did))
    for start in range(0, len(changed), batch):
        driver.execute_query(
            cypher.SET_TREE_NUMBERS, rows=changed[start : start + batch], database_=database
        )
    while True:
        records, _, _ = driver.execute_query(
            cypher.CLEAR_TREE_STALE, batch=batch, database_=database
        )
        if records[0]["cleared"] == 0:
            return len(changed)
