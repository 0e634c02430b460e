"""The graph schema (constraints and indexes, created idempotently) and whole-database reset.

The model itself is described in docs/graph-model.md; a test checks that every constraint
and index named here is documented there.
"""

from __future__ import annotations

import neo4j

# (name, label, property): one uniqueness constraint per node key.
UNIQUE_KEYS: tuple[tuple[str, str, str], ...] = (
    ("distributor_id", "Distributor", "id"),
    ("customer_id", "Customer", "id"),
    ("order_id", "Order", "id"),
    ("commission_id", "Commission", "id"),
    ("ingest_run_id", "IngestRun", "id"),
    ("ingest_lock_name", "IngestLock", "name"),
)

# The stored per-distributor figures a subtree's levels add up, after `pre`: a seek on this
# index (by hint) reads them from the index, not from each node, about ten times faster.
SUBTREE_TOTALS = (
    "pre",
    "depth",
    "status",
    "retail_cents",
    "personal_cents",
    "starter_kit_cents",
    "commission_cents",
    "recruits",
)

# (name, label, properties): range indexes for the filters analytics use.
RANGE_INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("order_ordered_on", "Order", ("ordered_on",)),
    ("commission_period", "Commission", ("period",)),
    ("distributor_joined_on", "Distributor", ("joined_on",)),
    ("distributor_pre", "Distributor", ("pre",)),
    ("distributor_subtree_totals", "Distributor", SUBTREE_TOTALS),
)

# (name, label, properties): full-text indexes for type-ahead search (case-insensitive words
# and prefixes of ids and names).
FULLTEXT_INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("distributor_search", "Distributor", ("id", "name")),
)

# Labels, names and properties are identifiers Cypher cannot take as parameters; they come
# only from the constants above, never from input.
CREATE_UNIQUE = "CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
CREATE_RANGE_INDEX = "CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON ({props})"
CREATE_FULLTEXT_INDEX = (
    "CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{label}) ON EACH [{props}]"
)
AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"
SHOW_CONSTRAINT_NAMES = "SHOW CONSTRAINTS YIELD name RETURN name"
SHOW_INDEX_NAMES = "SHOW INDEXES YIELD name RETURN name"


def schema_statements() -> list[str]:
    return (
        [CREATE_UNIQUE.format(name=n, label=lbl, prop=p) for n, lbl, p in UNIQUE_KEYS]
        + [
            CREATE_RANGE_INDEX.format(name=n, label=lbl, props=_properties(props))
            for n, lbl, props in RANGE_INDEXES
        ]
        + [
            CREATE_FULLTEXT_INDEX.format(name=n, label=lbl, props=_properties(props))
            for n, lbl, props in FULLTEXT_INDEXES
        ]
    )


def _properties(props: tuple[str, ...]) -> str:
    return ", ".join(f"n.{p}" for p in props)


def schema_names() -> set[str]:
    return {name for name, _, _ in UNIQUE_KEYS + RANGE_INDEXES + FULLTEXT_INDEXES}


def init_schema(driver: neo4j.Driver, database: str, wait_seconds: int = 300) -> set[str]:
    """Create what is missing, wait until every index is online; return the names present."""
    for statement in schema_statements():
        driver.execute_query(statement, database_=database)
    driver.execute_query(AWAIT_INDEXES, seconds=wait_seconds, database_=database)
    return existing_schema_names(driver, database)


def existing_schema_names(driver: neo4j.Driver, database: str) -> set[str]:
    names: set[str] = set()
    for statement in (SHOW_CONSTRAINT_NAMES, SHOW_INDEX_NAMES):
        records, _, _ = driver.execute_query(
            statement, database_=database, routing_=neo4j.RoutingControl.READ
        )
        names.update(record["name"] for record in records)
    return names


# Relationships first, so that no batch has to detach a node of unbounded degree.
DATABASE_STATUS = "SHOW DATABASE $name YIELD currentStatus, statusMessage"


def database_status(driver: neo4j.Driver, database: str) -> tuple[str, str]:
    """The database's current status (online, offline, ...) and Neo4j's message about it, from
    the system database: it answers when the database itself cannot."""
    records, _, _ = driver.execute_query(DATABASE_STATUS, name=database, database_="system")
    if not records:
        return "missing", "no such database"
    return records[0]["currentStatus"], records[0]["statusMessage"]


DELETE_RELATIONSHIPS = "MATCH ()-[r]->() WITH r LIMIT $batch DELETE r RETURN count(*) AS deleted"
DELETE_NODES = "MATCH (n) WITH n LIMIT $batch DELETE n RETURN count(*) AS deleted"


def delete_all(driver: neo4j.Driver, database: str, batch: int = 10_000) -> int:
    """Delete every relationship and node in bounded batches; keep the schema. Returns nodes."""
    deleted = 0
    for statement in (DELETE_RELATIONSHIPS, DELETE_NODES):
        while True:
            records, _, _ = driver.execute_query(statement, batch=batch, database_=database)
            done = records[0]["deleted"]
            deleted += done if statement is DELETE_NODES else 0
            if done == 0:
                break
    return deleted
