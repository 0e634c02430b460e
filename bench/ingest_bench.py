"""Ingest benchmark: a generated network loaded by `downline ingest` into a fresh local Neo4j.

Reports rows/s per file and end to end, and the ingest process's peak resident memory.
Writes bench/results/ingest-<size>-<date>.json. Run through `make bench-ingest SIZE=...`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# size -> (distributors, the most commission rows kept). "target" is the ingest issue's shape:
# 1,000,000 distributors, their ~6.7 million orders and the first 3,000,000 commissions.
SIZES = {
    "small": (20_000, None),
    "medium": (100_000, None),
    "large": (1_000_000, None),
    "target": (1_000_000, 3_000_000),
}
KINDS = ("distributors", "customers", "orders", "commissions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument("--port", type=int, default=7699)
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
    args = parser.parse_args()
    n, commission_limit = SIZES[args.size]
    kinds = args.kinds.split(",")
    work = REPO / ".downline" / "bench" / args.size
    data = work / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "DOWNLINE_"))}
    env.update(
        NEO4J_URI=f"bolt://127.0.0.1:{args.port}",
        DOWNLINE_DATA_DIR=str(work / "neo4j"),
        DOWNLINE_LOG_DIR=str(work / "logs"),
        DOWNLINE_NEO4J_LIB=str(REPO / ".downline" / "neo4j-lib"),
    )
    cli = [sys.executable, "-m", "downline"]

    if not (data / "distributors.csv").exists():
        subprocess.run(
            [
                *cli,
                "demo",
                "generate",
                "--distributors",
                str(n),
                "--profile",
                "pyramid",
                "--seed",
                "1",
                "--out",
                str(data),
            ],
            env=env,
            check=True,
        )
    if commission_limit is not None:
        _keep_first_commissions(data, commission_limit)
    subprocess.run([*cli, "db", "stop"], env=env, check=False)
    shutil.rmtree(work / "neo4j", ignore_errors=True)
    subprocess.run([*cli, "db", "start"], env=env, check=True)
    try:
        report_path = work / "report.json"
        began = time.monotonic()
        process = subprocess.Popen(
            [
                *cli,
                "ingest",
                *(str(data / f"{kind}.csv") for kind in kinds),
                "--report",
                str(report_path),
                *(["--bulk"] if args.mode == "bulk" else []),
            ],
            env=env,
        )
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
        seconds = time.monotonic() - began
        exit_code = os.waitstatus_to_exitcode(status)
        peak_kb = usage.ru_maxrss
    finally:
        subprocess.run([*cli, "db", "stop"], env=env, check=False)
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
        "machine": f"{platform.node()}: {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}",
        "size": args.size,
        "mode": args.mode,
        "kinds": kinds,
        "exit_code": exit_code,
        "rows": report["read"],
        "seconds_end_to_end": round(seconds, 1),
        "rows_per_s_end_to_end": round(report["read"] / seconds),
        "derived_seconds": report["derived"].get("seconds"),
        "import_seconds": report["derived"].get("import_seconds"),
        # The largest resident set in the ingest's process tree (the Python process, or the
        # importer's JVM it ran), and the Python process's own, as the run reported it.
        "peak_rss_mb_process_tree": round(peak_kb / 1024),
        "peak_rss_mb_ingest_process": report.get("peak_rss_mb"),
        "peak_rss_mb_importer": report["derived"].get("importer_peak_rss_mb"),
        "files": files,
    }
    subset = "" if kinds == list(KINDS) else "-" + "-".join(k[0] for k in kinds)
    name = f"ingest-{args.size}-{args.mode}{subset}-{summary['date']}.json"
    out = REPO / "bench" / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


def _keep_first_commissions(data: Path, limit: int) -> None:
    """Cut the generated commissions file to its header and first `limit` rows, once."""
    path = data / "commissions.csv"
    marker = data / f".commissions-first-{limit}"
    if marker.exists():
        return
    cut = path.with_suffix(".cut")
    with open(path, encoding="utf-8") as source, open(cut, "w", encoding="utf-8") as out:
        for number, line in enumerate(source):
            if number > limit:
                break
            out.write(line)
    os.replace(cut, path)
    marker.touch()


if __name__ == "__main__":
    main()
