"""Analytics benchmark: warm timings of `levels`, subtree `levels` and `distributor ID` on the
database an ingest benchmark left (`make bench-ingest SIZE=target` first).

Writes bench/results/analytics-<size>-<date>.json. Run through `make bench-analytics`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The subtree asked for: the largest one of at most this many distributors.
SUBTREE_LIMIT = 100_000
LARGEST_SUBTREE = """
MATCH (x:Distributor) WHERE x.post - x.pre + 1 <= $limit
RETURN x.id AS id, x.post - x.pre + 1 AS size ORDER BY size DESC, id LIMIT 1
"""
DEEPEST = "MATCH (x:Distributor) RETURN x.id AS id ORDER BY x.depth DESC, x.id LIMIT 1"
LARGEST_DOWNLINE = """
MATCH (x:Distributor) RETURN x.id AS id, x.post - x.pre AS size ORDER BY size DESC LIMIT 1
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="target")
    parser.add_argument("--port", type=int, default=7699)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = REPO / ".downline" / "bench" / args.size
    os.environ.update(
        NEO4J_URI=f"bolt://127.0.0.1:{args.port}",
        DOWNLINE_DATA_DIR=str(work / "neo4j"),
        DOWNLINE_LOG_DIR=str(work / "logs"),
        DOWNLINE_NEO4J_LIB=str(REPO / ".downline" / "neo4j-lib"),
    )
    from downline.connection import driver_for
    from downline.localdb import LocalNeo4j
    from downline.settings import Settings
    from queries.distributor import distributor_profile
    from queries.levels import levels
    from queries.overview import graph_counts
    from queries.tree import read

    settings = Settings()
    server = LocalNeo4j(settings, log=lambda message: None)
    server.start()
    db = settings.neo4j_database
    try:
        with driver_for(settings) as driver:

            def first(statement, **params):
                return read(driver, db, statement, **params).iloc[0].to_dict()

            subtree = first(LARGEST_SUBTREE, limit=SUBTREE_LIMIT)
            deepest = first(DEEPEST)["id"]
            widest = first(LARGEST_DOWNLINE)
            cases = {
                "levels_whole_network": lambda: levels(driver, db),
                f"levels_subtree_{subtree['size']}": lambda: levels(driver, db, subtree["id"]),
                "distributor_deepest": lambda: distributor_profile(driver, db, deepest),
                f"distributor_downline_{widest['size']}": lambda: distributor_profile(
                    driver, db, widest["id"]
                ),
            }
            timings = {name: _warm_median(call, args.runs) for name, call in cases.items()}
            counts = graph_counts(driver, db).__dict__
    finally:
        server.stop()
    summary = {
        "date": date.today().isoformat(),
        "machine": f"{platform.node()}: {os.cpu_count()} cores, {platform.machine()}",
        "size": args.size,
        "graph": counts,
        "warm_median_ms": timings,
        "runs": args.runs,
    }
    out = REPO / "bench" / "results" / f"analytics-{args.size}-{summary['date']}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


def _warm_median(call, runs: int) -> float:
    call()  # plans cached, pages in memory
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - began)
    return round(statistics.median(seconds) * 1000, 1)


if __name__ == "__main__":
    main()
