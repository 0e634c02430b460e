"""Keeping the analytics snapshot in step with Neo4j: replaced after every ingest run from what
the run wrote, reconciled with Neo4j's counts and sums, or read back whole from Neo4j
(`downline snapshot rebuild`) when it cannot be brought up to date otherwise."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import neo4j
import numpy as np
import pyarrow as pa

from downline import snapshot
from downline.settings import Settings
from ingest import cypher, runs
from ingest.progress import ProgressReporter
from ingest.snapshot import DELTA_SCHEMAS, Delta, build

READ_BACK = {
    "distributors": cypher.SNAPSHOT_DISTRIBUTORS,
    "orders": cypher.SNAPSHOT_ORDERS,
    "commissions": cypher.SNAPSHOT_COMMISSIONS,
    "changes": cypher.SNAPSHOT_CHANGES,
}
CHUNK = 100_000  # rows per Arrow batch while reading back


def save(
    settings: Settings, tables: dict[str, pa.Table], run_id: str | None, how: str
) -> snapshot.Version:
    """Write `tables` as the current version, saying which run it reflects and how it was
    made."""
    meta = {
        "run_id": run_id,
        "made_by": how,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": settings.neo4j_database,
        "rows": {name: table.num_rows for name, table in tables.items()},
    }
    return snapshot.write(settings.snapshot_dir, tables, meta)


def rebuild(
    driver: neo4j.Driver, settings: Settings, progress: ProgressReporter | None = None
) -> snapshot.Version:
    """Read every fact back from Neo4j and write it as the current version, holding the ingest
    lock so that no run writes meanwhile."""
    progress = progress or ProgressReporter()
    database = settings.neo4j_database
    lock = runs.IngestLock(driver, database, f"snapshot-{uuid.uuid4()}", settings.ingest_lock_ttl)
    lock.acquire()
    lock.start_heartbeat()
    try:
        records, _, _ = driver.execute_query(cypher.NEWEST_FINISHED_RUN, database_=database)
        run_id = records[0]["id"] if records else None
        delta = Delta()
        for kind, statement in READ_BACK.items():
            with progress.phase(f"reading {kind} back from Neo4j") as advance:
                delta.add(kind, _read_back(driver, database, statement, kind, advance))
        with progress.phase("writing the snapshot"):
            return save(settings, build(delta), run_id, "rebuild")
    finally:
        lock.release()


def _read_back(driver, database: str, statement: str, kind: str, advance) -> pa.Table:
    """One statement's rows as an Arrow table of the columns it returns (named as `kind`'s),
    in batches of CHUNK."""
    schema = DELTA_SCHEMAS[kind]

    def work(tx) -> list[pa.RecordBatch]:
        result = tx.run(statement)
        fields = [schema.field(key) for key in result.keys()]

        def batch(rows: list) -> pa.RecordBatch:
            columns = list(zip(*rows, strict=True)) if rows else [()] * len(fields)
            arrays = [_array(values, f.type) for f, values in zip(fields, columns, strict=True)]
            return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))

        batches, rows = [], []
        for record in result:
            rows.append(record.values())
            if len(rows) == CHUNK:
                batches.append(batch(rows))
                advance(len(rows))
                rows = []
        batches.append(batch(rows))
        advance(len(rows))
        return batches

    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        return pa.Table.from_batches(session.execute_read(work))


def _array(values, kind: pa.DataType) -> pa.Array:
    if pa.types.is_date32(kind):  # days since 1970-01-01, from the statement
        return pa.array(values, pa.int32()).cast(pa.date32())
    return pa.array(values, kind)


def reconcile(driver: neo4j.Driver, database: str, version: snapshot.Version) -> list[str]:
    """How the snapshot disagrees with Neo4j: node counts, and per level the distributors,
    revenue and commissions the ingest keeps (LevelTotals). Empty when they agree."""
    records, _, _ = driver.execute_query(
        cypher.RECONCILE, database_=database, routing_=neo4j.RoutingControl.READ
    )
    stored = records[0]
    tables = version.tables
    problems = [
        f"{name}: {tables[name].num_rows:,} in the snapshot, {stored[name]:,} in Neo4j"
        for name in ("distributors", "orders", "commissions", "changes")
        if tables[name].num_rows != stored[name]
    ]
    mine = _per_level(version)
    theirs = {row[0]: tuple(row[1:]) for row in stored["levels"]}
    if mine != theirs:
        differ = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
        problems.append(
            "per-level distributors, revenue or commissions differ at level(s) "
            + ", ".join(str(level) for level in differ[:10])
        )
    return problems


def _per_level(version: snapshot.Version) -> dict[int, tuple[int, int, int]]:
    """{level: (distributors, revenue cents, commission cents)} from the snapshot."""
    depth = version.array("distributors", "depth").astype(np.int64)
    if not len(depth):
        return {}
    revenue = sum(
        version.array("distributors", c) for c in ("retail_cents", "personal_cents")
    ) + version.array("distributors", "starter_kit_cents")
    earned = version.array("distributors", "commission_cents")

    def total(values):
        return np.bincount(depth, values).round().astype(np.int64)

    counts, revenue, earned = np.bincount(depth), total(revenue), total(earned)
    return {
        int(level): (int(counts[level]), int(revenue[level]), int(earned[level]))
        for level in np.flatnonzero(counts)
    }
