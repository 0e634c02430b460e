"""Keeping the analytics snapshot in step with Neo4j: replaced after every ingest run from what
the run wrote, reconciled with Neo4j's counts and sums, or read back whole from Neo4j
(`downline snapshot rebuild`) when it cannot be brought up to date otherwise."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import neo4j
import numpy as np
import pyarrow as pa

from downline import snapshot
from downline.settings import Settings
from ingest import cypher, runs
from ingest.progress import ProgressReporter
from ingest.snapshot import DELTA_SCHEMAS, Delta, build
from ingest.stage import staged_delta

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
        run_id = runs.newest_finished(driver, database)
        delta = read_back(driver, database, progress)
        with progress.phase("writing the snapshot"):
            return save(settings, build(delta), run_id, "rebuild")
    finally:
        lock.release()


def read_back(driver: neo4j.Driver, database: str, progress: ProgressReporter) -> Delta:
    """Every distributor, order, commission and sponsor change in Neo4j, by id."""
    delta = Delta()
    for kind, statement in READ_BACK.items():
        with progress.phase(f"reading {kind} back from Neo4j") as advance:
            delta.add(kind, _read_back(driver, database, statement, kind, advance))
    return delta


def after_run(driver, settings: Settings, delta: Delta, previous_run, report, progress) -> None:
    """Bring the snapshot up to date with what a transactional run wrote: on top of the
    version of the run before (none for the first run), else read back from Neo4j (the run
    holds the ingest lock throughout)."""
    try:
        previous = snapshot.current(settings.snapshot_dir)
    except snapshot.SnapshotError:
        previous = None
    database = settings.neo4j_database
    first = previous is None and previous_run is None
    if first or (previous is not None and previous.run_id == previous_run):

        def make():
            return build(delta, previous, lambda ids: _kinds_of(driver, database, ids))

        _write_checked(driver, settings, report, progress, "run", make)
    else:
        make = lambda: _read_all(driver, database, progress)  # noqa: E731
        _write_checked(driver, settings, report, progress, "rebuild", make)


def after_bulk(driver, settings: Settings, staging: Path, multiline: bool, report, progress):
    """The snapshot of what a bulk load imported, from its staged files."""
    make = lambda: build(staged_delta(staging, multiline))  # noqa: E731
    _write_checked(driver, settings, report, progress, "bulk", make)


def _read_all(driver, database: str, progress) -> dict[str, pa.Table]:
    return build(read_back(driver, database, progress))


def _write_checked(driver, settings, report, progress, made_by: str, make) -> None:
    """Write the tables `make()` gives as the current version for `report`'s run, then
    reconcile them with Neo4j, and read everything back after all when they disagree; a
    snapshot that cannot be made right is withdrawn, so the analytics answer from Neo4j
    rather than wrongly. The run's report says how it went."""
    began = time.monotonic()
    database = settings.neo4j_database
    try:
        with progress.phase(f"analytics snapshot ({made_by})"):
            version = save(settings, make(), report.run_id, made_by)
            problems = reconcile(driver, database, version)
            if problems and made_by != "rebuild":
                made_by = f"rebuild after a mismatch ({'; '.join(problems)})"
                tables = _read_all(driver, database, progress)
                version = save(settings, tables, report.run_id, made_by)
                problems = reconcile(driver, database, version)
            if problems:
                snapshot.remove(settings.snapshot_dir)
        report.derived["snapshot"] = {
            "made_by": made_by,
            "rows": version.meta["rows"],
            "reconciled": not problems,
            "problems": problems,
        }
    except (OSError, pa.ArrowException, snapshot.SnapshotError) as error:
        # The data is loaded; the analytics answer from Neo4j until a run or a rebuild
        # writes a snapshot again (the last one is stale now).
        report.derived["snapshot"] = {"made_by": None, "error": str(error)}
        progress.log(f"warning: the analytics snapshot was not written: {error}")
    report.derived["snapshot"]["seconds"] = round(time.monotonic() - began, 3)


def _kinds_of(driver, database: str, ids: list[str], batch: int = 10_000) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), batch):
        records, _, _ = driver.execute_query(
            cypher.KINDS_OF_ORDERS, ids=ids[start : start + batch], database_=database
        )
        found.update((r["id"], r["kind"]) for r in records)
    return found


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
