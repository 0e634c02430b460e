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
SIZES = {"small": 20_000, "medium": 100_000, "large": 1_000_000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument("--port", type=int, default=7699)
    args = parser.parse_args()
    n = SIZES[args.size]
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
    subprocess.run([*cli, "db", "stop"], env=env, check=False)
    shutil.rmtree(work / "neo4j", ignore_errors=True)
    subprocess.run([*cli, "db", "start"], env=env, check=True)
    try:
        report_path = work / "report.json"
        began = time.monotonic()
        process = subprocess.Popen(
            [*cli, "ingest", str(data), "--report", str(report_path)], env=env
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
        "exit_code": exit_code,
        "rows": report["read"],
        "seconds_end_to_end": round(seconds, 1),
        "rows_per_s_end_to_end": round(report["read"] / seconds),
        "derived_seconds": report["derived"].get("seconds"),
        "peak_rss_mb": round(peak_kb / 1024),
        "files": files,
    }
    out = REPO / "bench" / "results" / f"ingest-{args.size}-{summary['date']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
