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
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import analytics_downline
import analytics_naive
import analytics_pandas
import neo4j
import pandas as pd
from analytics_checks import check_distributor, check_earnings, check_flows, check_levels
from analytics_naive import NAIVE_LEVELS_ALL, NAIVE_LEVELS_SUBTREE, NAIVE_TIMEOUT
from analytics_pandas import InMemory
from benchlib import (
    WARM_UP_S,
    BenchServer,
    bench_dir,
    machine,
    timed,
    write_result,
)

from queries.distributor import distributor_profile
from queries.earnings import earnings
from queries.flows import flows
from queries.levels import levels
from queries.overview import graph_counts
from queries.tree import read

SUBTREE_TARGETS = {"1k": 1_000, "10k": 10_000, "100k": 100_000}

CLOSEST_SUBTREE = """
MATCH (x:Distributor)
WITH x.id AS id, x.post - x.pre + 1 AS size
RETURN id, size ORDER BY abs(size - $target), size DESC, id LIMIT 1
"""
DEEPEST = """
MATCH (x:Distributor)
RETURN x.id AS id, x.depth AS depth, x.post - x.pre AS downline ORDER BY x.depth DESC, x.id
LIMIT 1
"""


@dataclass
class Case:
    distributors: int
    downline: Callable[[neo4j.Driver], Any]
    pandas: Callable[[], Any]
    check: Callable[[str, Any, Any], None]  # (case, pandas answer, downline answer)
    root: str | None = None
    naive: tuple[str, dict] | None = None  # statement and parameters
    answer: Callable[[Any], pd.DataFrame] = lambda answer: answer  # downline's table, for naive


def _ratio(slower: float | None, faster: float | None) -> float | None:
    return float(f"{slower / faster:.3g}") if slower and faster else None


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
    data = bench_dir(size) / "data"
    if not (data / "distributors.csv").exists():
        raise SystemExit(f"no CSV files in {data}: run `make bench-ingest SIZE={size}` first")
    memory = InMemory(data)
    log("pandas: reading the CSV files ...")
    load_ms, _ = timed(memory.load)
    log("pandas: building the DiGraph and per-distributor totals ...")
    prepare_ms, _ = timed(memory.prepare)

    with BenchServer(size, port) as server:
        running_before = not server.owned
        if cold == "restart" and running_before:
            log(f"the server on port {port} was running already: not restarting it")
            cold = "clear-caches"
        db = server.database
        with server.driver() as driver:
            counts = graph_counts(driver, db).__dict__
            deepest = read(driver, db, DEEPEST).iloc[0].to_dict()
            subtrees = {
                label: read(driver, db, CLOSEST_SUBTREE, target=target).iloc[0].to_dict()
                for label, target in SUBTREE_TARGETS.items()
            }
        n = counts["distributors"]
        cases = {
            "levels_whole_network": Case(
                n,
                lambda driver: levels(driver, db),
                memory.levels,
                lambda case, theirs, ours: check_levels(case, "pandas", theirs, ours.table),
                naive=(NAIVE_LEVELS_ALL, {}),
                answer=lambda answer: answer.table,
            )
        }
        skipped = {}
        for label, subtree in subtrees.items():
            root = str(subtree["id"])
            same = [name for name, case in cases.items() if case.root == root]
            if same:
                skipped[f"levels_subtree_{label}"] = f"the same root as {same[0]}"
                continue
            cases[f"levels_subtree_{label}"] = Case(
                int(subtree["size"]),
                lambda driver, root=root: levels(driver, db, root),
                lambda root=root: memory.levels(root),
                lambda case, theirs, ours: check_levels(case, "pandas", theirs, ours.table),
                root=root,
                naive=(NAIVE_LEVELS_SUBTREE, {"root": root}),
                answer=lambda answer: answer.table,
            )
        cases["flows_whole_network"] = Case(
            n, lambda driver: flows(driver, db), memory.flows, check_flows
        )
        cases["earnings_whole_network"] = Case(
            n, lambda driver: earnings(driver, db), memory.earnings, check_earnings
        )
        did = str(deepest["id"])
        cases["distributor_deepest"] = Case(
            int(deepest["downline"]) + 1,
            lambda driver: distributor_profile(driver, db, did),
            lambda: memory.distributor(did),
            check_distributor,
            root=did,
        )

        results: dict[str, dict] = {}
        restarts: list[float] = []
        for name, case in cases.items():
            log(f"{name} ({case.distributors:,} distributors) ...")
            ours, answer, restart_s = analytics_downline.timings(
                server, case.downline, runs, cold, budget_s, warm_up_s
            )
            if restart_s:
                restarts.append(restart_s)
            in_memory, theirs = analytics_pandas.timings(
                case.pandas, runs, load_ms + prepare_ms, budget_s, warm_up_s
            )
            case.check(name, theirs, answer)
            result = {
                "root": case.root,
                "distributors": case.distributors,
                "downline": ours,
                "pandas": in_memory,
                "naive_cypher": None,
            }
            if case.naive is not None:
                statement, params = case.naive
                naive, table = analytics_naive.timings(
                    server, statement, params, runs, naive_timeout
                )
                if table is not None:
                    check_levels(name, "naive Cypher", table, case.answer(answer))
                result["naive_cypher"] = naive
            result["ratios"] = {
                "pandas_p50_over_downline_p50": _ratio(in_memory["p50_ms"], ours["p50_ms"]),
                "pandas_with_load_over_downline_cold": _ratio(
                    in_memory["with_load_ms"], ours["cold_ms"]
                ),
                "naive_p50_over_downline_p50": _ratio(
                    (result["naive_cypher"] or {}).get("p50_ms"), ours["p50_ms"]
                ),
            }
            results[name] = result
            log(f"    downline p50 {_ms(ours['p50_ms'])} ms, pandas {_ms(in_memory['p50_ms'])} ms")

    if cold == "restart":
        cold_means = (
            "the first call after the local server restarted (fresh JVM: empty page cache, no "
            "plans, no JIT; the OS file cache kept), with a fresh driver"
        )
    else:
        cold_means = (
            "the first call with a fresh driver after CALL db.clearQueryCaches(), the server "
            "not restarted (its page cache and JIT stay warm)"
        )
        if running_before:
            cold_means += "; it was running before the benchmark"
    return {
        "date": date.today().isoformat(),
        "machine": machine(),
        "size": size,
        "runs": runs,
        "budget_s": budget_s,
        "warm_up_s": warm_up_s,
        "graph": counts,
        "cold": cold,
        "cold_means": cold_means,
        "server": {
            "neo4j": server.settings.neo4j_version,
            "heap": server.settings.heap_size,
            "pagecache": server.settings.pagecache_size,
        },
        "restart_seconds_median": round(statistics.median(restarts), 1) if restarts else None,
        "pandas_setup": {
            "load_ms": round(load_ms, 1),
            "prepare_ms": round(prepare_ms, 1),
            "load_means": "pandas.read_csv of distributors, orders and commissions",
            "prepare_means": "networkx DiGraph of sponsor links, per-distributor totals",
            **analytics_pandas.versions(),
        },
        "naive_timeout_s": naive_timeout,
        "skipped": skipped,
        "cases": results,
    }


# --- output ------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _times(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}×" if value >= 10 else f"{value:.2g}×"


def markdown(summary: dict) -> str:
    setup = summary["pandas_setup"]
    lines = [
        f"Analytics compared, size {summary['size']}, {summary['machine']}, {summary['date']}; "
        f"ms; warm p50/p95 over {summary['runs']} calls"
        + (
            f" (fewer once they took {summary['budget_s']:g} s; at least one)."
            if summary.get("budget_s")
            else "."
        ),
        f"Cold: {summary['cold_means']}.",
        f"pandas + networkx set-up: CSV load {_ms(setup['load_ms'])} ms, DiGraph and "
        f"per-distributor totals {_ms(setup['prepare_ms'])} ms (both in 'pandas + load').",
        "",
        "| case | distributors | downline cold | downline p50 | downline p95 "
        "| pandas + load | pandas p50 | naive Cypher p50 | pandas ÷ downline "
        "| naive ÷ downline |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, case in summary["cases"].items():
        ours, theirs, naive = case["downline"], case["pandas"], case["naive_cypher"]
        if naive is None:
            naive_text = "–"
        elif naive["status"] == "ok":
            naive_text = _ms(naive["p50_ms"])
        else:
            naive_text = naive["status"]
        ratios = case["ratios"]
        lines.append(
            f"| {name} | {case['distributors']:,} | {_ms(ours['cold_ms'])} | "
            f"{_ms(ours['p50_ms'])} | {_ms(ours['p95_ms'])} | {_ms(theirs['with_load_ms'])} | "
            f"{_ms(theirs['p50_ms'])} | {naive_text} | "
            f"{_times(ratios['pandas_p50_over_downline_p50'])} | "
            f"{_times(ratios['naive_p50_over_downline_p50'])} |"
        )
    for name, why in summary["skipped"].items():
        lines.append(f"\n{name}: skipped, {why}.")
    return "\n".join(lines)


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
