"""What a database holds, as plain sorted data, to compare two loads exactly."""

from __future__ import annotations

import neo4j

RUN_LABELS = ["IngestRun", "IngestLock"]  # bookkeeping, different for every run

NODES = """
MATCH (n) WHERE none(l IN labels(n) WHERE l IN $skip)
RETURN labels(n) AS labels, properties(n) AS props
"""

RELATIONSHIPS = """
MATCH (a)-[r]->(b)
WHERE none(l IN labels(a) WHERE l IN $skip)
RETURN coalesce(a.id, a.distributor_id + '@' + toString(a.changed_on)) AS start, type(r) AS type,
       properties(r) AS props, coalesce(b.id, b.distributor_id + '@' + toString(b.changed_on))
       AS end
"""


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return str(value) if hasattr(value, "iso_format") else value


def snapshot(driver: neo4j.Driver, database: str) -> tuple[list, list]:
    nodes, _, _ = driver.execute_query(NODES, skip=RUN_LABELS, database_=database)
    rels, _, _ = driver.execute_query(RELATIONSHIPS, skip=RUN_LABELS, database_=database)
    return (
        sorted((tuple(sorted(r["labels"])), _freeze(r["props"])) for r in nodes),
        sorted((r["start"], r["type"], _freeze(r["props"]), r["end"]) for r in rels),
    )
