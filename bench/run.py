"""The benchmark, in one run: downline against what a user would pick instead, side by side.

For each size (small 10k, medium 100k, target 1M distributors; `all` is the three in turn),
on the same generated data:

1. ingest (bench/ingest_compare.py): a per-row MERGE script, LOAD CSV IN TRANSACTIONS,
   `downline ingest`, `downline ingest --bulk` and the bulk importer alone, each into a fresh
   database. The last, `--bulk`, leaves the database the next two parts read.
2. read-model (bench/read_model_bench.py): every view with every filter from the analytics
   snapshot, against pandas over the CSV files, on a bulk load of the size with every
   commission (at target size, the generator's whole 9.3 million), and what the snapshot costs.
3. analytics (bench/analytics_compare.py): levels (whole network, subtrees of 1k, 10k, 100k),
   flows, earnings and one distributor, cold and warm, against pandas + networkx over the CSV
   files and against naive variable-length Cypher.
4. dashboard (bench/dashboard_bench.py): page renders in headless Chromium, callback latency
   with 1 and 20 concurrent users on the defaults and on random filters; on the read-model
   part's database when that part runs.

Each part writes its own result file as well; this run gathers them into
bench/results/<date>.json (one entry per size, a later run of a size replacing the earlier)
and bench/results/<date>.md: each size's tables, how each cost grows with size, and the
issue's targets at 1,000,000 distributors. With more than one size in the day's file it also
draws bench/results/<date>-scaling.png. A part left out with --parts is taken from its newest
result file for that size, if there is one, and the gathered file names it.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import analytics_compare
import analytics_report
import dashboard_bench
import ingest_compare
import ingest_report
import read_model_bench
from benchlib import RESULTS, machine, write_result
from harness import SIZES, generated_data

PARTS = ("ingest", "read-model", "analytics", "dashboard")
STEPS = ("small", "medium", "target")  # the scaling steps, `--size all`
PREFIX = {
    "ingest": "ingest-compare",
    "read-model": "read-model",
    "analytics": "analytics-compare",
    "dashboard": "dashboard",
}
# The read model is measured with every commission the generator writes (SIZES' "large" keeps
# them all; "target" keeps the ingest issue's first 3,000,000).
FULL = {"small": "small", "medium": "medium", "target": "large"}


@dataclass(frozen=True)
class Plan:
    """How much of each part a size can afford: `small` must finish in under 5 minutes."""

    per_row_seconds: float  # the per-row script's sample, per file
    runs: int  # warm calls per analytics case
    budget_s: float | None  # warm calls stop once they took this long (at least one)
    naive_timeout: float
    cold: str  # analytics cold calls: "restart" the server before each case, or "clear-caches"
    page_runs: int  # warm renders of each dashboard page
    rounds: int  # callback replays per simulated user
    warm_up_s: float = 3.0  # untimed analytics calls before the warm ones


PLANS = {
    "small": Plan(3, 7, None, 30, "clear-caches", 1, 2, warm_up_s=1.0),
    "medium": Plan(15, 7, 30, 60, "restart", 3, 3),
    "target": Plan(20, 7, 60, 60, "restart", 5, 3),
}


def run_size(size: str, parts: tuple[str, ...], port: int, web_port: int) -> dict:
    plan = PLANS[size]
    began = time.monotonic()
    generated_data(size)
    found: dict[str, dict] = {}
    for part in PARTS:
        if part not in parts:
            found[part] = _newest(part, size)
            continue
        print(f"=== {size}: {part}", flush=True)
        if part == "ingest":
            result = ingest_compare.compare(
                size,
                port,
                sample_seconds=plan.per_row_seconds,
                keep=True,
            )
        elif part == "read-model":
            result = read_model_bench.measure(FULL[size], port + 1, plan.runs)
        elif part == "analytics":
            result = analytics_compare.compare(
                size,
                port,
                plan.runs,
                plan.cold,
                plan.naive_timeout,
                plan.budget_s,
                plan.warm_up_s,
            )
        else:  # on the read model's full data when that part loaded it, as a user's would be
            data, at = (FULL[size], port + 1) if "read-model" in parts else (size, port)
            result = dashboard_bench.measure(data, at, web_port, plan.page_runs, plan.rounds)
        write_result(f"{PREFIX[part]}-{size}-{result['date']}.json", result)
        found[part] = result
    return {
        "distributors": SIZES[size][0],
        "plan": plan.__dict__,
        "seconds": round(time.monotonic() - began, 1),
        **found,
    }


def _newest(part: str, size: str) -> dict | None:
    """The newest earlier result of a part for a size, marked with where it came from."""
    files = sorted(RESULTS.glob(f"{PREFIX[part]}-{size}-????-??-??.json"))
    if not files:
        return None
    return {**json.loads(files[-1].read_text()), "reused_from": f"bench/results/{files[-1].name}"}


# --- the gathered tables -----------------------------------------------------------------

INGEST_ROWS = ("per_row", "load_csv", "downline_transactional", "downline_bulk", "importer")
ANALYTICS_ROWS = (
    "levels_whole_network",
    "levels_subtree_1k",
    "levels_subtree_10k",
    "levels_subtree_100k",
    "flows_whole_network",
    "earnings_whole_network",
    "distributor_deepest",
)


def scaling(sizes: dict[str, dict]) -> list[tuple[str, dict[str, float | None]]]:
    """(what, {size: value}) for each cost that is measured at more than one size."""
    rows: list[tuple[str, dict[str, float | None]]] = []

    def add(what: str, value) -> None:
        rows.append((what, {size: value(entry) for size, entry in sizes.items()}))

    def get(entry: dict, *keys):
        for key in keys:
            if not isinstance(entry, dict):
                return None
            entry = entry.get(key)
        return entry

    for name in INGEST_ROWS:
        add(
            f"ingest {name}, rows/s",
            lambda e, n=name: get(e, "ingest", "contenders", n, "rows_per_s"),
        )
    add(
        "ingest downline_bulk, peak MB (ingest process)",
        lambda e: get(e, "ingest", "contenders", "downline_bulk", "peak_rss_mb_python"),
    )
    for name in ANALYTICS_ROWS:
        for who in ("downline", "pandas"):
            add(
                f"{name}, {who} p50 ms",
                lambda e, n=name, w=who: get(e, "analytics", "cases", n, w, "p50_ms"),
            )
    add("dashboard slowest warm page render, s", lambda e: _slowest_render(get(e, "dashboard")))
    for users in (1, 20):
        add(
            f"dashboard callbacks p95 ms, {users} user{'s' if users > 1 else ''}",
            lambda e, u=users: get(e, "dashboard", "callback_latency_ms", f"{u}_users", "p95"),
        )
    return rows


def _slowest_render(dashboard: dict | None) -> float | None:
    if not dashboard:
        return None
    return max(page["warm_max"] for page in dashboard["page_render_s"].values())


def targets(entry: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for the issue's targets, from one size's entry."""
    ingest = (entry.get("ingest") or {}).get("contenders", {})
    ratios = (entry.get("ingest") or {}).get("ratios_rows_per_s", {})
    found: list[tuple[str, str, bool | None]] = []

    def ratio(key: str, least: float, what: str) -> None:
        value = ratios.get(key)
        shown = "-" if value is None else f"{value:.2f}x"
        found.append((what, shown, None if value is None else value >= least))

    ratio("downline_bulk / per_row", 20, "ingest (--bulk, a first load) >= 20x the per-row script")
    ratio("downline_bulk / importer", 0.25, "ingest (--bulk) >= 1/4 of the bulk importer alone")
    if "downline_transactional" in ingest:
        ratio(
            "downline_transactional / per_row",
            20,
            "ingest (transactional, later loads) >= 20x the per-row script",
        )
    for name, case in ((entry.get("analytics") or {}).get("cases") or {}).items():
        if name.startswith("levels"):
            ours, theirs = case["downline"]["p50_ms"], case["pandas"]["p50_ms"]
            found.append(
                (
                    f"{name} faster than pandas + networkx (load left out)",
                    f"{ours:,.1f} vs {theirs:,.1f} ms",
                    ours < theirs,
                )
            )
    found += read_model_bench.targets(entry.get("read-model"))
    dashboard = entry.get("dashboard")
    if dashboard:
        slowest = _slowest_render(dashboard)
        found.append(("every page renders in < 2 s (warm)", f"{slowest:.2f} s", slowest < 2))
        for users, row in dashboard["callback_latency_ms"].items():
            found.append(
                (
                    f"callbacks p95 < 500 ms, {users.replace('_', ' ')}",
                    f"{row['p95']:,.1f} ms",
                    row["p95"] < 500,
                )
            )
    return found


def markdown(day: str, gathered: dict) -> str:
    sizes = gathered["sizes"]
    lines = [f"# Benchmark, {day}", "", f"Machine: {gathered['machine']}.", ""]
    if len(sizes) > 1:
        ordered = [s for s in STEPS if s in sizes]
        lines += [
            "## How each cost grows",
            "",
            "| | " + " | ".join(f"{sizes[s]['distributors']:,}" for s in ordered) + " |",
            "|---|" + "---:|" * len(ordered),
        ]
        for what, values in scaling({s: sizes[s] for s in ordered}):
            lines.append(f"| {what} | " + " | ".join(_cell(values[s]) for s in ordered) + " |")
        lines.append("")
    largest = max(sizes, key=lambda s: sizes[s]["distributors"])
    lines += [
        f"## Targets, at {sizes[largest]['distributors']:,} distributors",
        "",
        "| target | measured | met |",
        "|---|---:|---|",
    ]
    for what, measured, met in targets(sizes[largest]):
        lines.append(f"| {what} | {measured} | {'-' if met is None else 'yes' if met else 'NO'} |")
    for size in [s for s in STEPS if s in sizes]:
        entry = sizes[size]
        lines += ["", f"## {size}: {entry['distributors']:,} distributors", ""]
        for part, module in (
            ("ingest", ingest_report),
            ("read-model", read_model_bench),
            ("analytics", analytics_report),
            ("dashboard", dashboard_bench),
        ):
            result = entry.get(part)
            if result is None:
                lines += [f"{part}: not measured", ""]
                continue
            if "reused_from" in result:
                lines += [f"({part}: from {result['reused_from']})", ""]
            lines += [module.markdown(result), ""]
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def plot(path: Path, gathered: dict) -> None:
    """Three panels, log-log against distributors: ingest seconds, analytics p50, dashboard."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [s for s in STEPS if s in gathered["sizes"]]
    x = [gathered["sizes"][s]["distributors"] for s in sizes]
    rows = dict(scaling({s: gathered["sizes"][s] for s in sizes}))
    figure, axes = plt.subplots(1, 3, figsize=(16, 5))
    panels = (
        (axes[0], "ingest, rows/s", lambda what: what.startswith("ingest") and "rows/s" in what),
        (axes[1], "analytics, p50 ms", lambda what: "p50 ms" in what),
        (axes[2], "dashboard", lambda what: what.startswith("dashboard")),
    )
    for axis, title, chosen in panels:
        for what, values in rows.items():
            ys = [values[s] for s in sizes]
            if not chosen(what) or any(y is None for y in ys):
                continue
            style = "--" if "pandas" in what else "-"
            axis.plot(x, ys, style, marker="o", label=what)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("distributors")
        axis.set_title(title)
        axis.legend(fontsize=6)
    figure.suptitle(f"downline benchmark, {gathered['machine']}", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="all", choices=[*STEPS, "all"])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"of {', '.join(PARTS)}")
    parser.add_argument("--port", type=int, default=7698)
    parser.add_argument("--web-port", type=int, default=8798)
    args = parser.parse_args()
    parts = tuple(p for p in args.parts.split(",") if p)
    if set(parts) - set(PARTS):
        parser.error(f"--parts: of {', '.join(PARTS)}")
    day = date.today().isoformat()
    out = RESULTS / f"{day}.json"
    gathered = json.loads(out.read_text()) if out.exists() else {"date": day, "sizes": {}}
    gathered["machine"] = machine()
    for size in STEPS if args.size == "all" else (args.size,):
        gathered["sizes"][size] = run_size(size, parts, args.port, args.web_port)
        write_result(out.name, gathered)  # each size kept as soon as it is measured
        print(f"=== {size}: {gathered['sizes'][size]['seconds']:,.0f} s", flush=True)
    table = out.with_suffix(".md")
    table.write_text(markdown(day, gathered) + "\n")
    if len(gathered["sizes"]) > 1:
        plot(RESULTS / f"{day}-scaling.png", gathered)
    print(table.read_text())


if __name__ == "__main__":
    main()
