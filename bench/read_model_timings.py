"""How long the pandas contender (bench/read_model_pandas.py) takes to answer, at scale: the
CSV load once (timed apart, by part), then each view of a few questions of the benchmark's
matrix, the first call and the best and median of a few more (nothing is cached between
calls but the load: each call finds its cover, period and tree on a day anew).

    .venv/bin/python bench/read_model_timings.py /tmp/big/net [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from read_model_cases import END, periods, roots_near
from read_model_pandas import InMemory

VIEWS = ("levels", "flows", "earnings", "cohorts", "indicators_with_subtrees", "overview")
TARGETS = {"1k": 1_000, "10k": 10_000, "70k": 70_000}
# (root label, filter name): a few cases across the matrix, to keep big runs few.
CASES = (
    ("whole network", "no period"),
    ("whole network", "one month"),
    ("whole network", "a quarter, active only"),
    ("whole network", "as of 2026-08-15"),
    ("largest", "all time"),
    ("70k", "as of 2025-10-31, active only"),
    ("10k", "a quarter"),
    ("1k", "no period"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="calls per view after the first")
    args = parser.parse_args()
    start = time.perf_counter()
    memory = InMemory.load(args.folder)
    loaded = time.perf_counter() - start
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in memory.load_seconds.items())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(
        f"load: {loaded:.1f} s ({parts}); {len(memory):,} distributors, "
        f"{len(memory.order_day):,} orders, {len(memory.paid_month):,} commissions; "
        f"peak memory {rss:.1f} GiB"
    )
    roots = {"whole network": None, **roots_near(memory, TARGETS)}
    size = memory.tree_now.post - memory.tree_now.pre + 1
    for label, root in roots.items():
        members = len(memory) if root is None else int(size[memory.index.get_loc(root)])
        print(f"root {label}: {root} ({members:,} distributors)")
    filters = dict(periods(END))
    print(
        "\n| root | filters | view | first ms | best ms | median ms |\n|---|---|---|---:|---:|---:|"
    )
    for label, name in CASES:
        for view in VIEWS:
            call = getattr(memory, view)
            times = []
            for _ in range(1 + args.runs):
                clock = time.perf_counter()
                call(roots[label], filters[name])
                times.append((time.perf_counter() - clock) * 1000)
            rest = times[1:] or times
            print(
                f"| {label} | {name} | {view} | {times[0]:.0f} | {min(rest):.0f} | "
                f"{statistics.median(rest):.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
