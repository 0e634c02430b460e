"""`downline ingest --bulk`: a first load into the empty local database, through Neo4j's
offline importer (`neo4j-admin database import full`).

Transactional `UNWIND` batches are how every later load is written, but on a small machine
they top out below what a first load of a whole company's history needs (measured in the
README). The importer writes the store directly, so it needs the server stopped and replaces
the database: the run checks that the database holds no data, holds the ingest lock while it
stages, stops the server, imports, starts it again and creates the schema. The run history
(IngestRun nodes) is carried over. The importer writes a new store while the live one is set
aside (downline/localdb/store.py): a failed import puts it back, so the database is as it was
and the run is recorded failed. A marker file says while the database may be incomplete; an
interrupted bulk load is simply run again.
"""

from __future__ import annotations

import resource
import shutil
import time
from datetime import date
from pathlib import Path

from downline.connection import driver_for
from downline.errors import DownlineError
from downline.localdb import LocalNeo4j
from downline.schema import init_schema
from downline.settings import Settings
from ingest import cypher, derive, runs, snapshot_store
from ingest.bulk import BulkStager
from ingest.pipeline import Input, each_file, new_run
from ingest.progress import ProgressReporter
from ingest.reader import UnreadableFile
from ingest.report import RunReport, peak_rss_mb


def run_bulk_ingest(
    settings: Settings,
    inputs: list[Input],
    *,
    rejects_dir: Path | None = None,
    as_of: date | None = None,
    progress: ProgressReporter | None = None,
) -> RunReport:
    progress = progress or ProgressReporter()
    kinds = [i.kind for i in inputs]
    repeated = sorted({k for k in kinds if kinds.count(k) > 1})
    if repeated:
        raise DownlineError(
            f"--bulk takes one file per kind ({', '.join(repeated)} given more than once): "
            "load the others afterwards without --bulk"
        )
    if not settings.is_local:
        raise DownlineError(
            f"--bulk replaces the database of the local server that `downline db` manages; "
            f"NEO4J_URI is {settings.neo4j_uri}: load without --bulk"
        )
    server = LocalNeo4j(settings, log=progress.log)
    server.start()
    marker = runs.bulk_marker(settings)
    options, report = new_run(settings, inputs, rejects_dir, as_of)
    database = settings.neo4j_database
    staging = settings.data_dir / "import" / report.run_id
    with driver_for(settings) as driver:
        _check_empty(driver, database, marker)
        lock = runs.IngestLock(driver, database, report.run_id, settings.ingest_lock_ttl)
        lock.acquire()
        lock.start_heartbeat()
        try:
            import_args, distributors = _stage(inputs, report, options, staging, progress)
            report.derived.update(totals=distributors, tree=distributors)
            _check_empty(driver, database, marker)  # nobody wrote while we staged
            history = [
                r["props"] for r in driver.execute_query(cypher.ALL_RUNS, database_=database)[0]
            ]
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(report.run_id + "\n", encoding="utf-8")
            lock.abandon()
        except UnreadableFile as error:
            lock.release()
            shutil.rmtree(staging, ignore_errors=True)
            report.fail(error)
            report.finish()
            runs.record_start(driver, database, report)
            runs.record_finish(driver, database, report)
            return report
        except BaseException:
            lock.release()
            shutil.rmtree(staging, ignore_errors=True)
            raise
    try:
        _import(server, settings, (import_args, staging, history, lock), report, progress)
        marker.unlink()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _import(server, settings, staged, report, progress) -> None:
    """Stop the server, import, start it again with the schema, totals, run history and
    snapshot; an import that fails leaves the store as it was (its lock released), and the
    run recorded failed."""
    import_args, staging, history, lock = staged
    database = settings.neo4j_database
    began = time.monotonic()
    with progress.phase("stopping Neo4j for the bulk importer"):
        server.stop()
    try:
        with progress.phase("neo4j-admin database import"):
            server.import_full(import_args)
    except DownlineError as error:
        with progress.phase("the store from before the import put back; starting Neo4j"):
            server.start()
        report.fail_import(DownlineError(f"{error}; the database is as it was before the load"))
    else:
        report.derived["importer_peak_rss_mb"] = peak_rss_mb(resource.RUSAGE_CHILDREN)
        with progress.phase("starting Neo4j"):
            server.start()
    with driver_for(settings) as driver:
        if report.status == "failed":
            lock.release(driver)
        else:
            with progress.phase("schema, per-level totals and the run history"):
                init_schema(driver, database, wait_seconds=3600)
                derive.refresh_level_totals(driver, database)
                derive.settle(driver, database)
                driver.execute_query(cypher.RESTORE_RUNS, runs=history, database_=database)
            report.derived["import_seconds"] = round(time.monotonic() - began, 3)
            multiline = "--multiline-fields=true" in import_args
            snapshot_store.after_bulk(driver, settings, staging, multiline, report, progress)
            report.status = "finished_with_rejects" if report.rejected else "succeeded"
        report.finish()
        runs.record_start(driver, database, report)
        runs.record_finish(driver, database, report)


def _stage(inputs, report, options, staging, progress) -> tuple[list[str], int]:
    """Stage every file; return the importer's arguments and the distributors staged."""
    stager = BulkStager(options, staging)

    def stage(csv_file, file_report, advance):
        stager.advance = advance
        stager.stage_file(csv_file, file_report)

    each_file(inputs, report, progress, stage)
    with progress.phase("derived levels, subtree intervals and totals"):
        return stager.finish(), len(stager.distributors)


def _check_empty(driver, database: str, marker: Path) -> None:
    """A bulk load replaces the database: refuse one that holds data (unless an interrupted
    bulk load left it)."""
    if marker.exists():
        return
    records, _, _ = driver.execute_query(cypher.ANY_DATA, database_=database)
    if records:
        raise DownlineError(
            f"--bulk loads only into an empty database, and {database} holds data "
            f"({':'.join(records[0]['labels'])} nodes and maybe more): load without --bulk, "
            "or `downline db reset --yes` first"
        )
