"""Incremental-run benchmark: a generated network bulk-loaded into a fresh local Neo4j, then a
1 % follow-on export (bench/incremental_export.py) loaded by a transactional run, twice over
(the second export on top of the first), timing each run and its phases.

Writes bench/results/incremental-<size>-<date>.json; the phase lines are in the run logs
beside the bench folder's data.
"""

from __future__ import annotations

import argparse
import json
from datetime import date

from benchlib import bench_dir, machine, server_env, write_result
from harness import (
    CLI,
    KINDS,
    add_size_and_port,
    fresh_server,
    generated_data,
    run_measured,
    stop_server,
)
from incremental_export import follow_on


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_size_and_port(parser, port=7698)
    parser.add_argument("--nights", type=int, default=2, help="follow-on runs, one after another")
    args = parser.parse_args()
    work = bench_dir(args.size)
    data = generated_data(args.size)
    env = server_env(work / "neo4j", work / "logs", args.port)
    fresh_server(env)
    runs = []
    try:
        bulk = run_measured(
            [*CLI, "ingest", "load", *(str(data / f"{k}.csv") for k in KINDS), "--bulk"],
            env,
            work / "bulk.log",
        )
        assert bulk.exit_code == 0, (work / "bulk.log").read_text()[-2000:]
        base = data
        for night in range(1, args.nights + 1):
            export = work / f"nightly-{night}"
            counts = follow_on(base, export, 0.01, 100, "2026-11", 15 + night)
            report_path = export / "report.json"
            run = run_measured(
                [*CLI, "ingest", "load", str(export), "--report", str(report_path)],
                env,
                work / f"nightly-{night}.log",
            )
            report = json.loads(report_path.read_text())
            runs.append(
                {
                    "night": night,
                    "added_moved_orders_commissions": counts,
                    "exit_code": run.exit_code,
                    "seconds": run.seconds,
                    "peak_rss_mb": run.peak_rss_mb,
                    "files": {f["kind"]: f["seconds"] for f in report["files"]},
                    "derived": report["derived"],
                    "phases": (work / f"nightly-{night}.log").read_text().splitlines(),
                }
            )
            base = _merged(base, export, work / f"network-{night}")
    finally:
        stop_server(env)
    summary = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "size": args.size,
        "runs": runs,
    }
    print(json.dumps(summary, indent=2))
    write_result(f"incremental-{args.size}-{date.today().isoformat()}.json", summary)


def _merged(base, export, out):
    """The network after the export: base distributors with the export's rows applied (what
    the next export's transfers and sponsors are drawn from)."""
    import csv

    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for folder in (base, export):
        with open(folder / "distributors.csv", encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            rows.update((r["distributor_id"], r) for r in reader)
    with open(out / "distributors.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows.values())
    return out


if __name__ == "__main__":
    main()
