"""Ingest compared: `downline ingest` against what a user would otherwise pick, on the same data.

Each contender loads the same generated CSV files (distributors, customers, orders,
commissions of `bench/ingest_bench.py`'s size) into a fresh, empty local Neo4j:

- per_row: a typical script with the official Python driver, uniqueness constraints first,
  then one MERGE statement per CSV row (the node by id, its properties, its relationships) in
  its own transaction (`session.execute_write`). Slow, so only the first rows of each file
  are loaded, at most `sample_rows` (default 20,000) and for at most `sample_seconds` per file
  (default 20 s), and rows/s is that sample's ("sampled_rows" in the result).
- load_csv: Neo4j's own `LOAD CSV WITH HEADERS ... CALL (row) { MERGE ... } IN TRANSACTIONS OF
  10000 ROWS`, one auto-commit statement per file (the same MERGE statements), constraints
  first. The work happens in the server's JVM; the client only waits.
- downline_transactional: `downline ingest` (validation, rejects, UNWIND batches, derived
  values, run record).
- downline_bulk: `downline ingest --bulk` (the same checks, staged for the offline importer).
- importer: the `neo4j-admin database import full` run inside downline_bulk, from its log,
  the upper bound of any load on this machine; importer_phase is the `import_seconds` that
  `--bulk` reports (stopping the server, the importer, starting it, schema, level totals).

The driver contenders run as child processes of this script, so that os.wait4 gives their
peak memory as it does for `downline ingest`. After each contender the nodes per label are
counted and compared with the rows loaded. Writes bench/results/ingest-compare-<size>-<date>.json
and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from benchlib import bench_dir, machine, server_env, write_result
from harness import (
    CLI,
    KINDS,
    SIZES,
    Measured,
    fresh_server,
    generated_data,
    run_measured,
    server_peak_rss_mb,
    stop_server,
    tail,
)

CONTENDERS = ("per_row", "load_csv", "downline_transactional", "downline_bulk")
DEFAULT_SAMPLE_ROWS = 20_000
DEFAULT_SAMPLE_SECONDS = 20.0
LOAD_CSV_BATCH = 10_000
LABELS = {
    "distributors": "Distributor",
    "customers": "Customer",
    "orders": "Order",
    "commissions": "Commission",
}
RELATIONSHIP_TYPES = ("SPONSORED_BY", "REFERRED_BY", "PLACED_BY", "FOR", "PAID_TO")
RELATIONSHIP_TYPES += ("SOURCED_FROM", "FOR_ORDER")
# The columns each statement reads; absent optional columns are passed as null.
COLUMNS = {
    "distributors": (
        "distributor_id",
        "sponsor_id",
        "joined_on",
        "name",
        "country",
        "rank",
        "status",
        "left_on",
    ),
    "customers": ("customer_id", "referred_by", "joined_on"),
    "orders": (
        "order_id",
        "distributor_id",
        "ordered_on",
        "amount",
        "kind",
        "customer_id",
        "volume",
    ),
    "commissions": (
        "commission_id",
        "earner_id",
        "period",
        "amount",
        "type",
        "source_id",
        "order_id",
    ),
}
CONSTRAINTS = tuple(
    f"CREATE CONSTRAINT IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
    for label in LABELS.values()
)


# One MERGE statement per kind, as a script author would write it: the node by id, its
# properties, and its relationships (OPTIONAL MATCH + FOREACH, so that a missing optional
# reference does not drop the row). A sponsor is MERGEd, since it may come later in the file.
# `{r}` stands for `$` (a parameter per column, for the per-row script) or `row.` (LOAD CSV).
# Empty values are null (the script passes `value or None`; LOAD CSV reads an empty field as
# null).
MERGE_ROW = {
    "distributors": """
MERGE (d:Distributor {id: {r}distributor_id})
SET d.name = {r}name, d.country = {r}country, d.rank = {r}rank, d.status = {r}status,
    d.joined_on = date({r}joined_on), d.left_on = date({r}left_on)
FOREACH (sponsor IN CASE WHEN {r}sponsor_id IS NULL THEN [] ELSE [{r}sponsor_id] END |
  MERGE (s:Distributor {id: sponsor})
  MERGE (d)-[:SPONSORED_BY]->(s))
""",
    "customers": """
MERGE (c:Customer {id: {r}customer_id})
SET c.joined_on = date({r}joined_on)
WITH c
OPTIONAL MATCH (d:Distributor {id: {r}referred_by})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | MERGE (c)-[:REFERRED_BY]->(d))
""",
    "orders": """
MERGE (o:Order {id: {r}order_id})
SET o.ordered_on = date({r}ordered_on), o.kind = {r}kind,
    o.amount_cents = toInteger(round(toFloat({r}amount) * 100)),
    o.volume_cents = toInteger(round(toFloat(coalesce({r}volume, {r}amount)) * 100))
WITH o
OPTIONAL MATCH (d:Distributor {id: {r}distributor_id})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | MERGE (o)-[:PLACED_BY]->(d))
WITH o
OPTIONAL MATCH (c:Customer {id: {r}customer_id})
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | MERGE (o)-[:FOR]->(c))
""",
    "commissions": """
MERGE (k:Commission {id: {r}commission_id})
SET k.period = {r}period, k.type = {r}type,
    k.amount_cents = toInteger(round(toFloat({r}amount) * 100))
WITH k
OPTIONAL MATCH (e:Distributor {id: {r}earner_id})
FOREACH (_ IN CASE WHEN e IS NULL THEN [] ELSE [1] END | MERGE (k)-[:PAID_TO]->(e))
WITH k
OPTIONAL MATCH (s:Distributor {id: {r}source_id})
FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | MERGE (k)-[:SOURCED_FROM]->(s))
WITH k
OPTIONAL MATCH (o:Order {id: {r}order_id})
FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | MERGE (k)-[:FOR_ORDER]->(o))
""",
}


def per_row_statement(kind: str) -> str:
    return MERGE_ROW[kind].replace("{r}", "$").strip()


def load_csv_statement(kind: str) -> str:
    """The file's URL is the parameter $url."""
    body = MERGE_ROW[kind].replace("{r}", "row.").strip().replace("\n", "\n  ")
    return (
        "LOAD CSV WITH HEADERS FROM $url AS row\n"
        f"CALL (row) {{\n  {body}\n}} IN TRANSACTIONS OF {LOAD_CSV_BATCH} ROWS"
    )


# --- the driver contenders, run as child processes ---------------------------------------


def _driver():
    """The official driver, connected as a script would be (URI and password of the bench
    server, from the environment this script's parent set)."""
    import neo4j

    home = Path(os.environ["DOWNLINE_DATA_DIR"])
    password = (home / ".neo4j-password").read_text(encoding="utf-8").strip()
    return neo4j.GraphDatabase.driver(os.environ["NEO4J_URI"], auth=("neo4j", password))


def child_per_row(data: Path, sample_rows: int, sample_seconds: float) -> dict:
    files = {}
    with _driver() as driver, driver.session(database="neo4j") as session:
        for statement in CONSTRAINTS:
            session.run(statement).consume()
        for kind in KINDS:
            statement = per_row_statement(kind)
            columns = COLUMNS[kind]

            def write(tx, params, statement=statement):
                tx.run(statement, params).consume()

            rows = 0
            began = time.monotonic()
            with open(data / f"{kind}.csv", newline="", encoding="utf-8-sig") as handle:
                for row in csv.DictReader(handle):
                    if rows >= sample_rows or time.monotonic() - began >= sample_seconds:
                        break
                    session.execute_write(write, {c: row.get(c) or None for c in columns})
                    rows += 1
            files[kind] = {"rows": rows, "seconds": round(time.monotonic() - began, 3)}
    return {"files": files}


def child_load_csv(url_base: str) -> dict:
    files = {}
    with _driver() as driver, driver.session(database="neo4j") as session:
        for statement in CONSTRAINTS:
            session.run(statement).consume()
        for kind in KINDS:
            began = time.monotonic()
            summary = session.run(load_csv_statement(kind), url=f"{url_base}/{kind}.csv").consume()
            files[kind] = {
                "seconds": round(time.monotonic() - began, 3),
                "nodes_created": summary.counters.nodes_created,
            }
    return {"files": files}


def _run_child(name: str, args: list[str], env: dict, work: Path) -> tuple[dict, Measured]:
    """Run this script as `--child name`; (its result, its measured run)."""
    out = work / f"{name}.json"
    out.unlink(missing_ok=True)
    log = work / f"{name}.log"
    run = run_measured(
        [sys.executable, __file__, "--child", name, "--out", str(out), *args], env, log
    )
    if run.exit_code != 0:
        raise SystemExit(f"{name} failed (exit {run.exit_code}):\n{tail(log)}")
    return json.loads(out.read_text()), run


# --- the parent: data, contenders, checks -------------------------------------------------


def _csv_rows(data: Path) -> dict[str, int]:
    rows = {}
    for kind in KINDS:
        with open(data / f"{kind}.csv", newline="", encoding="utf-8-sig") as handle:
            rows[kind] = sum(1 for _ in csv.DictReader(handle))
    return rows


def _sample_nodes(data: Path, sampled_rows: dict[str, int]) -> dict[str, int]:
    """The nodes per label the per-row sample should leave: its rows, and for distributors
    also the sponsors named in the sample but outside it (the script MERGEs them as bare
    nodes)."""
    ids: set[str] = set()
    with open(data / "distributors.csv", newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if number >= sampled_rows["distributors"]:
                break
            ids.add(row["distributor_id"])
            if row.get("sponsor_id"):
                ids.add(row["sponsor_id"])
    return {
        LABELS[kind]: len(ids) if kind == "distributors" else n for kind, n in sampled_rows.items()
    }


def _graph_counts(env: dict) -> dict:
    import neo4j

    home = Path(env["DOWNLINE_DATA_DIR"])
    password = (home / ".neo4j-password").read_text(encoding="utf-8").strip()
    with neo4j.GraphDatabase.driver(env["NEO4J_URI"], auth=("neo4j", password)) as driver:
        nodes = {
            label: driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n")[0][0]["n"]
            for label in LABELS.values()
        }
        relationships = {
            rel: driver.execute_query(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n")[0][0]["n"]
            for rel in RELATIONSHIP_TYPES
        }
    return {"nodes": nodes, "relationships": relationships}


def _sanity(env: dict, expected: dict[str, int]) -> dict:
    counts = _graph_counts(env)
    counts["expected_nodes"] = expected
    counts["nodes_match"] = counts["nodes"] == expected
    return counts


def _rate(rows: int, seconds: float | None) -> int | None:
    return round(rows / seconds) if seconds else None


def _files(files: dict) -> dict:
    return {kind: {**f, "rows_per_s": _rate(f["rows"], f["seconds"])} for kind, f in files.items()}


def _importer_log_seconds(log: Path) -> float | None:
    """The importer's own time, from its log's `IMPORT DONE in 1m 2s 345ms.`"""
    match = re.search(r"IMPORT DONE in ([^.]*)\.", log.read_text(errors="replace"))
    if not match:
        return None
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+)(ms|h|m|s)", match.group(1))
    return round(sum(int(value) * units[unit] for value, unit in parts), 3)


def _contender_per_row(data, env, work, csv_rows, sample_rows, sample_seconds) -> dict:
    result, run = _run_child(
        "per_row",
        [
            "--data",
            str(data),
            "--sample-rows",
            str(sample_rows),
            "--sample-seconds",
            str(sample_seconds),
        ],
        env,
        work,
    )
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
        "sanity": _sanity(env, _sample_nodes(data, sampled_rows)),
    }


def _contender_load_csv(data, env, work, csv_rows) -> dict:
    # LOAD CSV reads file:/// URLs inside the server's import folder
    # (server.directories.import = DOWNLINE_DATA_DIR/import): link the files there.
    folder = Path(env["DOWNLINE_DATA_DIR"]) / "import" / "compare"
    folder.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        target = folder / f"{kind}.csv"
        target.unlink(missing_ok=True)
        try:
            os.link(data / f"{kind}.csv", target)
        except OSError:
            shutil.copyfile(data / f"{kind}.csv", target)
    result, run = _run_child("load_csv", ["--url-base", "file:///compare"], env, work)
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
        "sanity": _sanity(env, {LABELS[k]: n for k, n in csv_rows.items()}),
    }


def _contender_downline(data, env, work, bulk: bool) -> tuple[dict, dict]:
    name = "downline_bulk" if bulk else "downline_transactional"
    report_path = work / f"{name}.report.json"
    report_path.unlink(missing_ok=True)
    log = work / f"{name}.log"
    run = run_measured(
        [
            *CLI,
            "ingest",
            *(str(data / f"{kind}.csv") for kind in KINDS),
            "--report",
            str(report_path),
            "--rejects",
            str(work / "rejects"),
            *(["--bulk"] if bulk else []),
        ],
        env,
        log,
    )
    if run.exit_code not in (0, 1) or not report_path.exists():
        raise SystemExit(f"{name} failed (exit {run.exit_code}):\n{tail(log)}")
    report = json.loads(report_path.read_text())
    files = {
        f["kind"]: {"rows": f["read"], "loaded": f["loaded"], "seconds": f["seconds"]}
        for f in report["files"]
    }
    result = {
        "what": "downline ingest --bulk (checks, staging, neo4j-admin import, schema, derived "
        "values)"
        if bulk
        else "downline ingest (checks, UNWIND batches, derived values, run record)",
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
        "work_happens": "client (Python: reading, checks, derived values) and Neo4j's JVM "
        "(UNWIND batches)"
        if not bulk
        else "client (Python: reading, checks, staging) and the importer's JVM (writing the "
        "store), then Neo4j's JVM (indexes, level totals)",
        "files": _files(files),
        "sanity": _sanity(env, {LABELS[f["kind"]]: f["loaded"] for f in report["files"]}),
    }
    return result, report


def _importer(env: dict, report: dict, expected_rows: int) -> tuple[dict, dict]:
    """The importer inside the bulk run: its own time, and the phase around it."""
    derived = report["derived"]
    raw = _importer_log_seconds(Path(env["DOWNLINE_LOG_DIR"]) / "import.log")
    importer = {
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
    return importer, phase


def _ratio(results: dict, a: str, b: str) -> float | None:
    x = results.get(a, {}).get("rows_per_s")
    y = results.get(b, {}).get("rows_per_s")
    return round(x / y, 2) if x and y else None


def compare(
    size: str,
    port: int,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    sample_seconds: float = DEFAULT_SAMPLE_SECONDS,
    contenders: tuple[str, ...] = CONTENDERS,
    keep: bool = False,
) -> dict:
    """Load the size's data with each contender into a fresh database; the measurements.

    The server's home is a folder of its own, so that the database `ingest_bench.py` left for
    the analytics benchmarks is not replaced; with `keep`, it is that database's home, and the
    last contender's load is what the analytics benchmarks then read.
    """
    data = generated_data(size)
    work = bench_dir(size) / "compare"
    work.mkdir(parents=True, exist_ok=True)
    home = bench_dir(size) if keep else work
    env = server_env(home / "neo4j", home / "logs", port)
    csv_rows = _csv_rows(data)
    results: dict[str, dict] = {}
    began = time.monotonic()
    try:
        for name in contenders:
            print(f"--- {name}: fresh database", flush=True)
            fresh_server(env)
            print(f"--- {name}: loading", flush=True)
            if name == "per_row":
                results[name] = _contender_per_row(
                    data, env, work, csv_rows, sample_rows, sample_seconds
                )
            elif name == "load_csv":
                results[name] = _contender_load_csv(data, env, work, csv_rows)
            else:
                bulk = name == "downline_bulk"
                results[name], report = _contender_downline(data, env, work, bulk)
                if bulk:
                    loaded = sum(f["loaded"] for f in report["files"])
                    results["importer"], results["importer_phase"] = _importer(env, report, loaded)
            r = results[name]
            print(
                f"    {r['rows']:,} rows in {r['seconds']:.1f} s = {r['rows_per_s']:,} rows/s, "
                f"peak {r['peak_rss_mb']} MB, nodes match: {r['sanity']['nodes_match']}",
                flush=True,
            )
    finally:
        stop_server(env)
    # Imported here, not at the top, so that the driver contenders' child processes (this
    # script) do not carry downline's imports in their peak memory.
    from downline.settings import Settings

    defaults = Settings.model_fields  # the bench server's environment sets none of these
    full_loads = {
        name: r["sanity"]["relationships"]
        for name, r in results.items()
        if "sanity" in r and not r.get("sampled")
    }
    return {
        "date": date.today().isoformat(),
        "machine": machine(),
        "size": size,
        "data": str(data),
        "csv_rows": csv_rows,
        "csv_rows_total": sum(csv_rows.values()),
        "server": f"local Neo4j {defaults['neo4j_version'].default} Community (`downline db "
        f"start`): heap {defaults['heap_size'].default}, page cache "
        f"{defaults['pagecache_size'].default}; a fresh empty database for each contender",
        "notes": [
            "rows_per_s = rows / the client process's wall time (start to exit), for every "
            "contender but per_row (its sample's loading time alone, its start-up and "
            "constraints left out, as a whole load would make them negligible), importer and "
            "importer_phase (from the bulk run's log and report)",
            "peak_rss_mb is the client process's peak resident memory (os.wait4), which for "
            "downline_bulk includes the importer's JVM it ran; server_peak_rss_mb is the "
            "Neo4j server's (VmHWM) when the contender finished",
            "per_row and load_csv only write nodes and relationships: no validation, rejects, "
            "derived values (depth, subtree intervals, totals), secondary indexes or run record",
            "per_row is measured on the first rows of each file, up to sample_limit_per_file "
            "(rows, or seconds per file, whichever comes first); when "
            "sampled, references to rows outside the sample are skipped, and its sponsors "
            "outside the sample are MERGEd as bare nodes (counted in expected_nodes)",
        ],
        "seconds_total": round(time.monotonic() - began, 1),
        "contenders": results,
        # Every contender that loaded whole files wrote the same relationships.
        "relationships_agree": len({json.dumps(v, sort_keys=True) for v in full_loads.values()})
        <= 1,
        "ratios_rows_per_s": {
            "downline_transactional / per_row": _ratio(
                results, "downline_transactional", "per_row"
            ),
            "downline_bulk / per_row": _ratio(results, "downline_bulk", "per_row"),
            "downline_bulk / importer": _ratio(results, "downline_bulk", "importer"),
            "downline_bulk / importer_phase": _ratio(results, "downline_bulk", "importer_phase"),
            "downline_transactional / load_csv": _ratio(
                results, "downline_transactional", "load_csv"
            ),
            "downline_bulk / load_csv": _ratio(results, "downline_bulk", "load_csv"),
        },
    }


# Where each contender's work runs, for the table (the full wording is in the result).
WORK_IN = {
    "per_row": "client, and server JVM per row",
    "load_csv": "server JVM",
    "downline_transactional": "client and server JVM",
    "downline_bulk": "client, importer JVM, server JVM",
    "importer": "importer JVM",
    "importer_phase": "importer JVM, server JVM",
}


def markdown(result: dict) -> str:
    lines = [
        f"Ingest compared, size {result['size']} ({result['csv_rows_total']:,} CSV rows), "
        f"{result['date']}, {result['machine']}",
        "",
        "| contender | rows | seconds | rows/s | client peak MB | server peak MB | work in "
        "| nodes check |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, r in result["contenders"].items():
        rows = f"{r['rows']:,}" + (" (sample)" if r.get("sampled") else "")
        check = r.get("sanity", {}).get("nodes_match")
        lines.append(
            f"| {name} | {rows} | {_num(r['seconds'], '.1f')} | {_num(r['rows_per_s'], ',')} | "
            f"{_num(r['peak_rss_mb'], ',')} | {_num(r.get('server_peak_rss_mb'), ',')} | "
            f"{WORK_IN.get(name, '')} | {'-' if check is None else 'ok' if check else 'MISMATCH'} |"
        )
    lines += ["", "| ratio of rows/s | |", "|---|---:|"]
    lines += [f"| {k} | {_num(v, '.2f')} |" for k, v in result["ratios_rows_per_s"].items()]
    return "\n".join(lines)


def _num(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument("--port", type=int, default=7697)
    parser.add_argument(
        "--sample-rows",
        type=int,
        default=DEFAULT_SAMPLE_ROWS,
        help="the most rows of each file the per-row script loads",
    )
    parser.add_argument(
        "--sample-seconds",
        type=float,
        default=DEFAULT_SAMPLE_SECONDS,
        help="the per-row script stops a file after this long, even short of --sample-rows",
    )
    parser.add_argument(
        "--contenders",
        default=",".join(CONTENDERS),
        help=f"comma-separated, of {', '.join(CONTENDERS)}",
    )
    # Internal: this script run as a driver contender's child process.
    parser.add_argument("--child", choices=["per_row", "load_csv"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url-base", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "per_row":
        args.out.write_text(
            json.dumps(child_per_row(args.data, args.sample_rows, args.sample_seconds))
        )
        return
    if args.child == "load_csv":
        args.out.write_text(json.dumps(child_load_csv(args.url_base)))
        return

    contenders = tuple(args.contenders.split(","))
    unknown = set(contenders) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contenders: {', '.join(sorted(unknown))}")
    result = compare(args.size, args.port, args.sample_rows, args.sample_seconds, contenders)
    out = write_result(f"ingest-compare-{args.size}-{result['date']}.json", result)
    print(markdown(result))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
