"""Ingest benchmark: a generated network loaded by `downline ingest` into a fresh local Neo4j.

Reports rows/s per file and end to end, and the ingest process's peak resident memory.
Writes bench/results/ingest-<size>-<date>.json. Run through `make bench-ingest SIZE=...`.
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


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    add_size_and_port(parser, port=7699)
    parser.add_argument(
        "--mode",
        default="bulk",
        choices=["bulk", "transactional"],
        help="bulk: a first load through the offline importer (`ingest --bulk`); "
        "transactional: UNWIND batches, the path of every later load",
    )
    parser.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help="the files to load, comma-separated (loading with and without orders gives "
        "what orders cost end to end)",
    )
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    kinds = args.kinds.split(",")
    work = bench_dir(args.size)
    data = generated_data(args.size)
    env = server_env(work / "neo4j", work / "logs", args.port)

    fresh_server(env)
    try:
        report_path = work / "report.json"
        run = run_measured(
            [
                *CLI,
                "ingest",
                *(str(data / f"{kind}.csv") for kind in kinds),
                "--report",
                str(report_path),
                *(["--bulk"] if args.mode == "bulk" else []),
            ],
            env,
        )
    finally:
        stop_server(env)
    report = json.loads(report_path.read_text())
    files = {
        f["kind"]: {
            "rows": f["read"],
            "seconds": f["seconds"],
            "rows_per_s": round(f["read"] / f["seconds"]) if f["seconds"] else None,
        }
        for f in report["files"]
    }
    summary = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "size": args.size,
        "mode": args.mode,
        "kinds": kinds,
        "exit_code": run.exit_code,
        "rows": report["read"],
        "seconds_end_to_end": round(run.seconds, 1),
        "rows_per_s_end_to_end": round(report["read"] / run.seconds),
        "derived_seconds": report["derived"].get("seconds"),
        "import_seconds": report["derived"].get("import_seconds"),
        # The largest resident set in the ingest's process tree (the Python process, or the
        # importer's JVM it ran), and the Python process's own, as the run reported it.
        "peak_rss_mb_process_tree": run.peak_rss_mb,
        "peak_rss_mb_ingest_process": report.get("peak_rss_mb"),
        "peak_rss_mb_importer": report["derived"].get("importer_peak_rss_mb"),
        "files": files,
    }
    subset = "" if kinds == list(KINDS) else "-" + "-".join(k[0] for k in kinds)
    name = f"ingest-{args.size}-{args.mode}{subset}-{summary['date']}.json"
    write_result(name, summary)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
