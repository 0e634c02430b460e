"""Counts of what is in the graph, for `downline db status` and the dashboard's overview."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j

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
