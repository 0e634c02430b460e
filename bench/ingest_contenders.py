"""The ingest contenders, each run on a fresh bench server and measured the same way: the
per-row script and LOAD CSV (child processes of `bench/ingest_driver_scripts.py`),
`downline ingest` with and without --bulk, and the bulk importer alone from the --bulk run's
log. Each returns its entry of the result: rows, seconds, rows/s, peak memory, where the work
happens, and what it left in the database."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

from harness import CLI, KINDS, Measured, run_measured, server_peak_rss_mb, tail
from ingest_checks import sample_nodes, sanity
from ingest_merge import LABELS, LOAD_CSV_BATCH

DRIVER_SCRIPTS = Path(__file__).with_name("ingest_driver_scripts.py")


def _rate(rows: int, seconds: float | None) -> int | None:
    return round(rows / seconds) if seconds else None


def _files(files: dict) -> dict:
    return {kind: {**f, "rows_per_s": _rate(f["rows"], f["seconds"])} for kind, f in files.items()}


def _run_script(name: str, args: list[str], env: dict, work: Path) -> tuple[dict, Measured]:
    """Run one of the driver scripts as a child process; (its result, its measured run)."""
    out = work / f"{name}.json"
    out.unlink(missing_ok=True)
    log = work / f"{name}.log"
    command = [sys.executable, str(DRIVER_SCRIPTS), name, "--out", str(out), *args]
    run = run_measured(command, env, log)
    if run.exit_code != 0:
        raise SystemExit(f"{name} failed (exit {run.exit_code}):\n{tail(log)}")
    return json.loads(out.read_text()), run


def per_row(
    data: Path, env: dict, work: Path, csv_rows: dict, sample_rows: int, sample_seconds: float
) -> dict:
    """A sample of each file, since a whole load would take hours: its rows/s is the sample's."""
    sample = ["--sample-rows", str(sample_rows), "--sample-seconds", str(sample_seconds)]
    result, run = _run_script("per_row", ["--data", str(data), *sample], env, work)
    files = result["files"]
    sampled_rows = {k: f["rows"] for k, f in files.items()}
    rows = sum(f["rows"] for f in files.values())
    load_seconds = sum(f["seconds"] for f in files.values())
    return {
        "what": "official neo4j driver, one MERGE statement per row, one transaction per row "
        "(session.execute_write), constraints first",
        "rows": rows,
        "sampled_rows": sampled_rows,
        "sampled": any(n < csv_rows[k] for k, n in sampled_rows.items()),
        "sample_limit_per_file": {"rows": sample_rows, "seconds": sample_seconds},
        "seconds": run.seconds,
        "rows_per_s_wall": _rate(rows, run.seconds),
        "seconds_loading": round(load_seconds, 3),
        # Its loading time alone: in a whole load, start-up and constraints would not count.
        "rows_per_s": _rate(rows, load_seconds),
        "peak_rss_mb": run.peak_rss_mb,
        "server_peak_rss_mb": server_peak_rss_mb(env),
        "work_happens": "client (Python) prepares and sends each row; Neo4j's JVM commits "
        "one transaction per row",
        "files": _files(files),
        "sanity": sanity(env, sample_nodes(data, sampled_rows)),
    }


def _link_for_load_csv(data: Path, env: dict) -> str:
    """The URL base LOAD CSV reads the files from. It reads file:/// URLs inside the server's
    import folder (server.directories.import = DOWNLINE_DATA_DIR/import): link them there."""
    folder = Path(env["DOWNLINE_DATA_DIR"]) / "import" / "compare"
    folder.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        target = folder / f"{kind}.csv"
        target.unlink(missing_ok=True)
        try:
            os.link(data / f"{kind}.csv", target)
        except OSError:
            shutil.copyfile(data / f"{kind}.csv", target)
    return "file:///compare"


def load_csv(data: Path, env: dict, work: Path, csv_rows: dict) -> dict:
    """Every file whole, read by the server itself."""
    url_base = _link_for_load_csv(data, env)
    result, run = _run_script("load_csv", ["--url-base", url_base], env, work)
    files = {k: {"rows": csv_rows[k], **f} for k, f in result["files"].items()}
    rows = sum(csv_rows.values())
    return {
        "what": f"LOAD CSV WITH HEADERS ... CALL (row) {{ MERGE ... }} IN TRANSACTIONS OF "
        f"{LOAD_CSV_BATCH} ROWS, one auto-commit statement per file (session.run), "
        "constraints first",
        "rows": rows,
        "seconds": run.seconds,
        "rows_per_s": _rate(rows, run.seconds),
        "peak_rss_mb": run.peak_rss_mb,
        "server_peak_rss_mb": server_peak_rss_mb(env),
        "work_happens": "inside Neo4j's JVM (it reads and parses the CSV); the client waits",
        "files": _files(files),
        "sanity": sanity(env, {LABELS[k]: n for k, n in csv_rows.items()}),
    }


def _ingest(data: Path, env: dict, work: Path, name: str, bulk: bool) -> tuple[Measured, dict]:
    """Run `downline ingest` on every file; (its measured run, its --report)."""
    report_path = work / f"{name}.report.json"
    report_path.unlink(missing_ok=True)
    log = work / f"{name}.log"
    files = [str(data / f"{kind}.csv") for kind in KINDS]
    options = ["--report", str(report_path), "--rejects", str(work / "rejects")]
    run = run_measured([*CLI, "ingest", *files, *options, *(["--bulk"] if bulk else [])], env, log)
    if run.exit_code not in (0, 1) or not report_path.exists():
        raise SystemExit(f"{name} failed (exit {run.exit_code}):\n{tail(log)}")
    return run, json.loads(report_path.read_text())


_DOWNLINE = {
    False: {
        "what": "downline ingest (checks, UNWIND batches, derived values, run record)",
        "work_happens": "client (Python: reading, checks, derived values) and Neo4j's JVM "
        "(UNWIND batches)",
    },
    True: {
        "what": "downline ingest --bulk (checks, staging, neo4j-admin import, schema, derived "
        "values)",
        "work_happens": "client (Python: reading, checks, staging) and the importer's JVM "
        "(writing the store), then Neo4j's JVM (indexes, level totals)",
    },
}


def downline(data: Path, env: dict, work: Path, bulk: bool) -> tuple[dict, dict]:
    """(its entry, the ingest's own report, which the importer's entries read)."""
    name = "downline_bulk" if bulk else "downline_transactional"
    run, report = _ingest(data, env, work, name, bulk)
    files = {
        f["kind"]: {"rows": f["read"], "loaded": f["loaded"], "seconds": f["seconds"]}
        for f in report["files"]
    }
    result = {
        "what": _DOWNLINE[bulk]["what"],
        "rows": report["read"],
        "rejected": report["rejected"],
        "exit_code": run.exit_code,
        "seconds": run.seconds,
        "rows_per_s": _rate(report["read"], run.seconds),
        # The largest resident set in the ingest's process tree (with --bulk: the importer's
        # JVM), and the Python process's own, as the run reported it.
        "peak_rss_mb": run.peak_rss_mb,
        "peak_rss_mb_python": report.get("peak_rss_mb"),
        "server_peak_rss_mb": server_peak_rss_mb(env),
        "work_happens": _DOWNLINE[bulk]["work_happens"],
        "files": _files(files),
        "sanity": sanity(env, {LABELS[f["kind"]]: f["loaded"] for f in report["files"]}),
    }
    return result, report


def _importer_log_seconds(log: Path) -> float | None:
    """The importer's own time, from its log's `IMPORT DONE in 1m 2s 345ms.`"""
    match = re.search(r"IMPORT DONE in ([^.]*)\.", log.read_text(errors="replace"))
    if not match:
        return None
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+)(ms|h|m|s)", match.group(1))
    return round(sum(int(value) * units[unit] for value, unit in parts), 3)


def importer(env: dict, report: dict) -> tuple[dict, dict]:
    """The importer inside the bulk run: its own time, and the phase around it."""
    expected_rows = sum(f["loaded"] for f in report["files"])
    derived = report["derived"]
    raw = _importer_log_seconds(Path(env["DOWNLINE_LOG_DIR"]) / "import.log")
    alone = {
        "what": "neo4j-admin database import full alone, on the files downline staged "
        "(its log's IMPORT DONE time)",
        "rows": expected_rows,
        "seconds": raw,
        "rows_per_s": _rate(expected_rows, raw),
        "peak_rss_mb": derived.get("importer_peak_rss_mb"),
        "work_happens": "the importer's JVM (1 GB heap, 2 GB off-heap), server stopped",
    }
    phase = {
        "what": "--bulk's import_seconds: stop the server, neo4j-admin import, start, create "
        "the schema, level totals",
        "rows": expected_rows,
        "seconds": derived.get("import_seconds"),
        "rows_per_s": _rate(expected_rows, derived.get("import_seconds")),
        "peak_rss_mb": derived.get("importer_peak_rss_mb"),
        "work_happens": "the importer's JVM, then Neo4j's JVM",
    }
    return alone, phase
