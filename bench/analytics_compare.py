"""Analytics compared: downline's query functions against (1) the same answers computed in
memory with pandas + networkx from the CSV files, and (2) the naive Cypher a user would write,
a variable-length path from the root grouped by its length.

On the database and CSV files an ingest benchmark left (`make bench-ingest SIZE=...` first).

- downline: cold is the first call after the local server was restarted (a fresh JVM: an empty
  page cache, no query plans, no JIT; the operating system's file cache stays as it was) with a
  fresh driver; warm p50/p95 are over the `runs` calls after untimed warm-up calls for a few
  seconds (a restarted JVM has not compiled its hot paths yet). A server that was running
  before the benchmark is not restarted: cold is then the first call with a fresh driver after
  `CALL db.clearQueryCaches()`, and the result says so.
- pandas + networkx: the CSV files are read (load), then a DiGraph of sponsor links and the
  per-distributor totals (revenue, commissions, recruits) are built once (prepare, what the
  ingest keeps in the database). Each answer is computed from those: levels by
  networkx.single_source_shortest_path_length from the root (from every root for the whole
  network). "with load" = load + prepare + the first call; p50/p95 over `runs` calls after it.
  Every answer is checked against downline's, and the run stops at the first difference.
- naive Cypher: levels only, `MATCH p = (r)<-[:SPONSORED_BY*0..]-(d)` with orders and
  commissions per distributor by OPTIONAL MATCH, under a transaction timeout (recorded as
  "timed out", not a failure); p50 over up to `runs` calls after the first, within a budget of
  one timeout. Its answers are checked against downline's too.

Writes bench/results/analytics-compare-<size>-<date>.json and prints a Markdown table. Part of
`make bench`; alone: `python bench/analytics_compare.py --size ...` (needs networkx, from
`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import analytics_cases
import analytics_downline
import analytics_naive
import analytics_pandas
import analytics_report
from analytics_cases import Case, Timing
from analytics_checks import check_levels
from analytics_naive import NAIVE_TIMEOUT
from analytics_pandas import InMemory
from analytics_report import markdown
from benchlib import WARM_UP_S, BenchServer, bench_dir, timed, write_result


def _in_memory(size: str, log: Callable[[str], None]) -> tuple[InMemory, dict[str, float]]:
    """The pandas + networkx contender with its data read and prepared; the ms each took."""
    data = bench_dir(size) / "data"
    if not (data / "distributors.csv").exists():
        raise SystemExit(f"no CSV files in {data}: run `make bench-ingest SIZE={size}` first")
    memory = InMemory(data)
    log("pandas: reading the CSV files ...")
    load_ms, _ = timed(memory.load)
    log("pandas: building the DiGraph and per-distributor totals ...")
    prepare_ms, _ = timed(memory.prepare)
    return memory, {"load": load_ms, "prepare": prepare_ms}


def _measure(
    server: BenchServer, name: str, case: Case, timing: Timing, setup_ms: float
) -> tuple[dict, float]:
    """(the case's entry, seconds a restart for its cold call took): every contender timed,
    and its answer checked against downline's."""
    ours, answer, restart_s = analytics_downline.timings(
        server, case.downline, timing.runs, timing.cold, timing.budget_s, timing.warm_up_s
    )
    in_memory, theirs = analytics_pandas.timings(
        case.pandas, timing.runs, setup_ms, timing.budget_s, timing.warm_up_s
    )
    case.check(name, theirs, answer)
    naive = None
    if case.naive is not None:
        statement, params = case.naive
        naive, table = analytics_naive.timings(
            server, statement, params, timing.runs, timing.naive_timeout
        )
        if table is not None:
            check_levels(name, "naive Cypher", table, case.answer(answer))
    return analytics_report.case_result(case, ours, in_memory, naive), restart_s


def compare(
    size: str,
    port: int,
    runs: int,
    cold: str = "restart",
    naive_timeout: float = NAIVE_TIMEOUT,
    budget_s: float | None = None,
    warm_up_s: float = WARM_UP_S,
    log: Callable[[str], None] = print,
) -> dict:
    """Every case timed for each contender on the size's bench database and CSV files; the
    result as analytics_report.summary shapes it."""
    memory, setup_ms = _in_memory(size, log)
    with BenchServer(size, port) as server:
        running_before = not server.owned
        if cold == "restart" and running_before:
            log(f"the server on port {port} was running already: not restarting it")
            cold = "clear-caches"
        timing = Timing(runs, cold, budget_s, warm_up_s, naive_timeout)
        with server.driver() as driver:
            counts, cases, skipped = analytics_cases.cases(driver, server.database, memory)
        results: dict[str, dict] = {}
        restarts: list[float] = []
        for name, case in cases.items():
            log(f"{name} ({case.distributors:,} distributors) ...")
            result, restart_s = _measure(server, name, case, timing, sum(setup_ms.values()))
            if restart_s:
                restarts.append(restart_s)
            results[name] = result
            log(analytics_report.progress(result))
    return analytics_report.summary(
        size, timing, running_before, server.settings, counts, setup_ms, restarts, skipped, results
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="target")
    parser.add_argument("--port", type=int, default=7699)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--cold",
        choices=["restart", "clear-caches"],
        default="restart",
        help="restart: restart the server before each case's first call; clear-caches: "
        "CALL db.clearQueryCaches() and a fresh driver instead (used anyway for a server "
        "that was running before the benchmark)",
    )
    parser.add_argument(
        "--naive-timeout",
        type=float,
        default=NAIVE_TIMEOUT,
        help="seconds a naive Cypher query may run before it counts as timed out",
    )
    parser.add_argument(
        "--budget",
        type=float,
        help="seconds of warm calls per case and contender after which no more are made",
    )
    args = parser.parse_args()
    summary = compare(args.size, args.port, args.runs, args.cold, args.naive_timeout, args.budget)
    out = write_result(f"analytics-compare-{args.size}-{summary['date']}.json", summary)
    print(markdown(summary))
    print(f"\nwritten to {out.relative_to(out.parents[2])}")


if __name__ == "__main__":
    main()
