"""Analytics benchmark: warm timings of `levels`, subtree `levels` and `distributor ID` on the
database an ingest benchmark left (`make bench-ingest SIZE=target` first).

Writes bench/results/analytics-<size>-<date>.json. Run through `make bench-analytics`.
`bench/analytics_compare.py` sets these against pandas + networkx and naive Cypher.
"""

from __future__ import annotations

import argparse
import json
import statistics
from datetime import date

from benchlib import BenchServer, machine, warm_ms, write_result

# The subtree asked for: the largest one of at most this many distributors.
SUBTREE_LIMIT = 100_000
LARGEST_SUBTREE = """
MATCH (x:Distributor) WHERE x.downline_size + 1 <= $limit
RETURN x.id AS id, x.downline_size + 1 AS size ORDER BY size DESC, id LIMIT 1
"""
DEEPEST = "MATCH (x:Distributor) RETURN x.id AS id ORDER BY x.depth DESC, x.id LIMIT 1"
LARGEST_DOWNLINE = """
MATCH (x:Distributor) RETURN x.id AS id, x.downline_size AS size ORDER BY size DESC LIMIT 1
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="target")
    parser.add_argument("--port", type=int, default=7699)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with BenchServer(args.size, args.port) as server:
        from queries.cypher_source import CypherSource
        from queries.distributor import distributor_profile
        from queries.levels import levels
        from queries.overview import graph_counts
        from queries.tree import read

        db = server.database
        with server.driver() as driver:

            def first(statement, **params):
                return read(driver, db, statement, **params).iloc[0].to_dict()

            subtree = first(LARGEST_SUBTREE, limit=SUBTREE_LIMIT)
            deepest = first(DEEPEST)["id"]
            widest = first(LARGEST_DOWNLINE)
            cypher = CypherSource(driver, db)
            cases = {
                "levels_whole_network": lambda: levels(cypher),
                f"levels_subtree_{subtree['size']}": lambda: levels(cypher, subtree["id"]),
                "distributor_deepest": lambda: distributor_profile(driver, db, deepest),
                f"distributor_downline_{widest['size']}": lambda: distributor_profile(
                    driver, db, widest["id"]
                ),
            }
            timings = {
                name: round(statistics.median(warm_ms(call, args.runs)), 1)
                for name, call in cases.items()
            }
            counts = graph_counts(driver, db).__dict__
    summary = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "size": args.size,
        "graph": counts,
        "warm_median_ms": timings,
        "runs": args.runs,
    }
    write_result(f"analytics-{args.size}-{summary['date']}.json", summary)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
