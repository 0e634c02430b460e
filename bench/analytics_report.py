"""The analytics comparison's result: the JSON written to bench/results/ (its structure is what
`bench/run.py` and earlier result files read) and its Markdown table."""

from __future__ import annotations

import statistics
from datetime import date

import analytics_pandas
from analytics_cases import Case, Timing
from benchlib import machine

from downline.settings import Settings


def _ratio(slower: float | None, faster: float | None) -> float | None:
    return float(f"{slower / faster:.3g}") if slower and faster else None


def case_result(case: Case, ours: dict, in_memory: dict, naive: dict | None) -> dict:
    """One case's entry: each contender's timings and how they compare."""
    return {
        "root": case.root,
        "distributors": case.distributors,
        "downline": ours,
        "pandas": in_memory,
        "naive_cypher": naive,
        "ratios": {
            "pandas_p50_over_downline_p50": _ratio(in_memory["p50_ms"], ours["p50_ms"]),
            "pandas_with_load_over_downline_cold": _ratio(
                in_memory["with_load_ms"], ours["cold_ms"]
            ),
            "naive_p50_over_downline_p50": _ratio((naive or {}).get("p50_ms"), ours["p50_ms"]),
        },
    }


def _cold_means(cold: str, running_before: bool) -> str:
    if cold == "restart":
        return (
            "the first call after the local server restarted (fresh JVM: empty page cache, no "
            "plans, no JIT; the OS file cache kept), with a fresh driver"
        )
    means = (
        "the first call with a fresh driver after CALL db.clearQueryCaches(), the server "
        "not restarted (its page cache and JIT stay warm)"
    )
    return means + ("; it was running before the benchmark" if running_before else "")


def summary(
    size: str,
    timing: Timing,
    running_before: bool,
    settings: Settings,
    counts: dict,
    setup_ms: dict[str, float],
    restarts: list[float],
    skipped: dict[str, str],
    results: dict[str, dict],
) -> dict:
    """The whole result: what was measured how, on what, and each case's entry."""
    return {
        "date": date.today().isoformat(),
        "machine": machine(),
        "size": size,
        "runs": timing.runs,
        "budget_s": timing.budget_s,
        "warm_up_s": timing.warm_up_s,
        "graph": counts,
        "cold": timing.cold,
        "cold_means": _cold_means(timing.cold, running_before),
        "server": {
            "neo4j": settings.neo4j_version,
            "heap": settings.heap_size,
            "pagecache": settings.pagecache_size,
        },
        "restart_seconds_median": round(statistics.median(restarts), 1) if restarts else None,
        "pandas_setup": {
            "load_ms": round(setup_ms["load"], 1),
            "prepare_ms": round(setup_ms["prepare"], 1),
            "load_means": "pandas.read_csv of distributors, orders and commissions",
            "prepare_means": "networkx DiGraph of sponsor links, per-distributor totals",
            **analytics_pandas.versions(),
        },
        "naive_timeout_s": timing.naive_timeout,
        "skipped": skipped,
        "cases": results,
    }


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def progress(result: dict) -> str:
    """The line logged after a case."""
    ours, theirs = result["downline"]["p50_ms"], result["pandas"]["p50_ms"]
    return f"    downline p50 {_ms(ours)} ms, pandas {_ms(theirs)} ms"


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
