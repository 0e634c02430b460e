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

The driver contenders run as child processes (`bench/ingest_driver_scripts.py`), so that
os.wait4 gives their peak memory as it does for `downline ingest`. After each contender the
nodes per label are counted and compared with the rows loaded. Writes
bench/results/ingest-compare-<size>-<date>.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import ingest_contenders
import ingest_report
from benchlib import bench_dir, server_env, write_result
from harness import add_size_and_port, fresh_server, generated_data, stop_server
from ingest_checks import csv_rows as count_csv_rows

CONTENDERS = ("per_row", "load_csv", "downline_transactional", "downline_bulk")
DEFAULT_SAMPLE_ROWS = 20_000
DEFAULT_SAMPLE_SECONDS = 20.0


def _load(
    name: str, data: Path, env: dict, work: Path, csv_rows: dict, sample: tuple[int, float]
) -> dict[str, dict]:
    """One contender's load into the fresh server; its entries (--bulk's with the importer's)."""
    if name == "per_row":
        return {name: ingest_contenders.per_row(data, env, work, csv_rows, *sample)}
    if name == "load_csv":
        return {name: ingest_contenders.load_csv(data, env, work, csv_rows)}
    bulk = name == "downline_bulk"
    result, report = ingest_contenders.downline(data, env, work, bulk)
    if not bulk:
        return {name: result}
    importer, phase = ingest_contenders.importer(env, report)
    return {name: result, "importer": importer, "importer_phase": phase}


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
    csv_rows = count_csv_rows(data)
    results: dict[str, dict] = {}
    began = time.monotonic()
    try:
        for name in contenders:
            print(f"--- {name}: fresh database", flush=True)
            fresh_server(env)
            print(f"--- {name}: loading", flush=True)
            results.update(_load(name, data, env, work, csv_rows, (sample_rows, sample_seconds)))
            print(ingest_report.progress(results[name]), flush=True)
    finally:
        stop_server(env)
    return ingest_report.summary(size, data, csv_rows, results, time.monotonic() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_size_and_port(parser, port=7697)
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
    args = parser.parse_args()
    contenders = tuple(args.contenders.split(","))
    unknown = set(contenders) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contenders: {', '.join(sorted(unknown))}")
    result = compare(args.size, args.port, args.sample_rows, args.sample_seconds, contenders)
    out = write_result(f"ingest-compare-{args.size}-{result['date']}.json", result)
    print(ingest_report.markdown(result))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
