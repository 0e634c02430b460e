"""One ingest run: inputs resolved, lock taken, files loaded in dependency order, derived
values refreshed, the run recorded in the graph and reported."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import neo4j

from downline.errors import DownlineError
from downline.schema import init_schema
from downline.settings import Settings
from ingest import derive, runs, snapshot_store
from ingest.formats import KINDS, SPECS, recognise
from ingest.load import Loader
from ingest.options import LoadOptions
from ingest.progress import ProgressReporter
from ingest.reader import CsvFile, UnreadableFile, sha256
from ingest.report import FileReport, RunReport, now
from ingest.snapshot import Delta


@dataclass(frozen=True)
class Input:
    path: Path
    kind: str


def _in_dependency_order(inputs: list[Input]) -> list[Input]:
    return sorted(inputs, key=lambda i: (KINDS.index(i.kind), i.path.name))


def folder_inputs(folder: Path, kind: str | None = None) -> list[Input]:
    """The recognised files directly in a folder (rejects files excluded), in dependency order."""
    found = []
    for child in folder.iterdir():
        if child.is_file() and ".rejects." not in child.name:
            child_kind = kind or recognise(child)
            if child_kind:
                found.append(Input(child, child_kind))
    return _in_dependency_order(found)


def resolve_inputs(paths: list[Path], kind: str | None = None) -> list[Input]:
    """Files named or found in the folders named, in dependency order."""
    if kind is not None and kind not in KINDS:
        raise DownlineError(f"--kind {kind!r} is not one of {', '.join(KINDS)}")
    found: list[Input] = []
    for path in paths:
        if path.is_dir():
            found.extend(folder_inputs(path, kind))
        elif path.is_file():
            file_kind = kind or recognise(path)
            if file_kind is None:
                raise DownlineError(
                    f"{path}: cannot tell what it holds: name it distributors*.csv, "
                    "customers*.csv, orders*.csv or commissions*.csv (or .csv.gz), or pass --kind"
                )
            found.append(Input(path, file_kind))
        else:
            raise DownlineError(f"{path}: no such file or folder")
    if not found:
        raise DownlineError("no input files: " + ", ".join(str(p) for p in paths))
    return _in_dependency_order(found)


def new_run(settings: Settings, inputs, rejects_dir, as_of) -> tuple[LoadOptions, RunReport]:
    today = datetime.now(UTC).date()
    options = LoadOptions(
        batch_size=settings.ingest_batch_size,
        latest=today + timedelta(days=settings.future_tolerance_days),
        as_of=as_of or today,
        rejects_dir=rejects_dir,
        writers=settings.ingest_writers,
    )
    report = RunReport(run_id=str(uuid.uuid4()), started_at=now(), as_of=options.as_of.isoformat())
    report.files = [FileReport(str(i.path), i.kind, sha256(i.path)) for i in inputs]
    return options, report


def run_ingest(
    driver: neo4j.Driver,
    settings: Settings,
    inputs: list[Input],
    *,
    rejects_dir: Path | None = None,
    as_of: date | None = None,
    progress: ProgressReporter | None = None,
) -> RunReport:
    """Load the inputs; the report says what happened even when the run fails."""
    progress = progress or ProgressReporter()
    database = settings.neo4j_database
    pending = runs.bulk_marker(settings)
    if settings.is_local and pending.exists():
        raise runs.IngestBusy(
            "a bulk load (`downline ingest --bulk`) has not finished: wait for it; if it was "
            "interrupted, run it again, or `downline db reset --yes`"
        )
    options, report = new_run(settings, inputs, rejects_dir, as_of)
    init_schema(driver, database)
    lock = runs.IngestLock(driver, database, report.run_id, settings.ingest_lock_ttl)
    interrupted = lock.acquire()
    if interrupted:
        progress.log(f"run {interrupted} had been interrupted; it is marked so")
    lock.start_heartbeat()
    try:
        previous_run = runs.newest_finished(driver, database)
        runs.record_start(driver, database, report)
        try:
            delta = _load_all(driver, settings, inputs, report, options, progress)
            snapshot_store.after_run(driver, settings, delta, previous_run, report, progress)
        except UnreadableFile as error:
            report.fail(error)
        report.finish()
        runs.record_finish(driver, database, report)
    finally:
        try:
            lock.release()
        except neo4j.exceptions.DriverError:
            pass  # an expired lock is taken over by the next run
    return report


def _load_all(driver, settings, inputs, report, options, progress) -> Delta:
    """Load every file and refresh the derived values; return what the run wrote."""
    database = settings.neo4j_database
    full = derive.begin(driver, database)
    loader = Loader(driver, database, options)

    def load(csv_file, file_report, advance):
        loader.advance = advance
        loader.load(csv_file, file_report)

    each_file(inputs, report, progress, load)
    batch = settings.ingest_batch_size
    began = time.monotonic()
    with progress.phase("derived totals (distributors refreshed)") as advance:
        report.derived["totals"], own = derive.refresh_totals(driver, database, batch)
        advance(report.derived["totals"])
    with progress.phase("derived tree numbers and downline sums (nodes rewritten)") as advance:
        tree = derive.refresh_tree(driver, database, batch, full, loader.was, loader.flips, own)
        report.derived["rewritten"] = tree
        advance(tree["nodes"])
    progress.log(
        f"derived tree values ({tree['how']}): {tree['nodes']:,} nodes rewritten, "
        f"{tree['numbers']:,} with new numbers, {tree['sums']:,} with new sums or recruits"
    )
    with progress.phase("derived per-level totals (levels)") as advance:
        advance(derive.refresh_level_totals(driver, database))
    derive.settle(driver, database)
    report.derived["seconds"] = round(time.monotonic() - began, 3)
    report.status = "finished_with_rejects" if report.rejected else "succeeded"
    return loader.delta


def each_file(inputs, report, progress, action) -> None:
    """Open every input (an unreadable header fails the run before anything is written), then
    run `action(csv_file, file_report, advance)` on each in order, timing it."""
    files = []
    for item, file_report in zip(inputs, report.files, strict=True):
        file_report.status = "failed"  # until its header is read
        files.append(CsvFile(item.path, SPECS[item.kind]))
        file_report.status = "pending"
    for csv_file, file_report in zip(files, report.files, strict=True):
        if csv_file.unknown_columns:
            warning = "ignored unknown column(s): " + ", ".join(csv_file.unknown_columns)
            file_report.warnings.append(warning)
            progress.log(f"{csv_file.path}: warning: {warning}")
        file_report.status = "failed"
        began = time.monotonic()
        with progress.phase(f"{csv_file.path.name} ({file_report.kind})") as advance:
            try:
                action(csv_file, file_report, advance)
            except UnreadableFile:
                file_report.read = 0  # pass 1 stopped: nothing of this file was written
                raise
        file_report.seconds = round(time.monotonic() - began, 3)
        file_report.status = "loaded"
