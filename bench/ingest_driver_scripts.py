"""The per-row script and the LOAD CSV script: the official Python driver used as a script
author would, against the bench server named by this process's environment (NEO4J_URI and the
password file in DOWNLINE_DATA_DIR).

`bench/ingest_contenders.py` runs this file as a child process, one script a run, so that
os.wait4 gives the script's peak memory as it does for `downline ingest`; it therefore imports
no downline module. The result, the rows and seconds per file, goes to --out as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path

from harness import KINDS
from ingest_merge import COLUMNS, CONSTRAINTS, load_csv_statement, per_row_statement


def connect(env: Mapping[str, str] = os.environ):
    """The official driver, connected as a script would be, to the bench server of `env`."""
    import neo4j

    home = Path(env["DOWNLINE_DATA_DIR"])
    password = (home / ".neo4j-password").read_text(encoding="utf-8").strip()
    return neo4j.GraphDatabase.driver(env["NEO4J_URI"], auth=("neo4j", password))


def per_row(data: Path, sample_rows: int, sample_seconds: float) -> dict:
    """Each file's first rows, one MERGE and one transaction a row, until `sample_rows` or
    `sample_seconds` per file."""
    files = {}
    with connect() as driver, driver.session(database="neo4j") as session:
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


def load_csv(url_base: str) -> dict:
    """Each file whole, one LOAD CSV statement a file (the server reads it from `url_base`)."""
    files = {}
    with connect() as driver, driver.session(database="neo4j") as session:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("script", choices=["per_row", "load_csv"])
    parser.add_argument("--out", type=Path, required=True, help="where the JSON result goes")
    parser.add_argument("--data", type=Path, help="per_row: the folder of the CSV files")
    parser.add_argument("--sample-rows", type=int, help="per_row: the most rows of each file")
    parser.add_argument("--sample-seconds", type=float, help="per_row: the most seconds a file")
    parser.add_argument("--url-base", help="load_csv: the files' folder, as the server sees it")
    args = parser.parse_args()
    if args.script == "per_row":
        result = per_row(args.data, args.sample_rows, args.sample_seconds)
    else:
        result = load_csv(args.url_base)
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
