"""The naive Cypher contender: levels as a user would write them without the depths, intervals
and totals the ingest stores, and its timings under a transaction timeout."""

from __future__ import annotations

import time

import neo4j
from benchlib import BenchServer, summary_ms, timed
from neo4j.exceptions import Neo4jError

from queries.tree import read

NAIVE_TIMEOUT = 120.0

# Every path down from the root, its length the level, each distributor's orders and
# commissions summed on the way.
_NAIVE_PER_LEVEL = """
OPTIONAL MATCH (d)<-[:PLACED_BY]-(o:Order)
WITH length(p) AS level, d, sum(o.amount_cents) AS revenue
OPTIONAL MATCH (d)<-[:PAID_TO]-(c:Commission)
WITH level, d, revenue, sum(c.amount_cents) AS commissions
RETURN level, count(d) AS distributors, sum(revenue) AS revenue_cents,
       sum(commissions) AS commission_cents
ORDER BY level
"""
NAIVE_LEVELS_SUBTREE = (
    "MATCH p = (r:Distributor {id: $root})<-[:SPONSORED_BY*0..]-(d:Distributor)" + _NAIVE_PER_LEVEL
)
NAIVE_LEVELS_ALL = (
    "MATCH (r:Distributor) WHERE NOT (r)-[:SPONSORED_BY]->()\n"
    "MATCH p = (r)<-[:SPONSORED_BY*0..]-(d:Distributor)" + _NAIVE_PER_LEVEL
)


def timings(server: BenchServer, statement: str, params: dict, runs: int, timeout: float):
    """(timings or a status, the last answer or None). A call past the timeout is recorded as
    "timed out", not a failure: that it cannot answer is the measurement."""
    query = neo4j.Query(statement, timeout=timeout)
    times: list[float] = []
    answer = None
    budget = time.perf_counter() + timeout
    with server.driver(retry_seconds=0.0) as driver:
        for _ in range(runs + 1):  # the first call plans the query
            try:
                ms, answer = timed(lambda: read(driver, server.database, query, **params))
            except Neo4jError as error:
                code = error.code or type(error).__name__
                if "TimedOut" in code or "Terminated" in code:
                    return {"status": f"timed out after {timeout:g} s", "code": code}, None
                return {"status": f"failed: {code}"}, None
            times.append(ms)
            if time.perf_counter() > budget:
                break
    # Over the calls after the first; over the first alone when it used up the budget.
    return {
        "status": "ok",
        "first_ms": round(times[0], 1),
        **summary_ms(times[1:] or times),
        "runs": len(times) - 1,
    }, answer
