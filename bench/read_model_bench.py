"""The read model at 1,000,000 distributors: every view, with every filter, warm and in a
fresh process, beside pandas over the same CSV files (docs/read-model.md).

The matrix: {whole network, subtrees of about 1k, 10k and 70k distributors, the largest} x
{no period, the last month, the last quarter, all time} x {all, active only}, and the tree as
of two days; for levels, flows, earnings, cohorts, indicators (with every ratio's subtrees)
and the overview. Downline answers through the `queries` functions over the snapshot the bulk
load wrote; pandas (bench/read_model_pandas.py) over the CSVs in one warm process, their load
timed apart. Also: how long the snapshot took to build beside the run it followed, its size,
and the memory it adds to a process that answers every view.

    python bench/read_model_bench.py --size small|medium|large [--runs 7]

Writes bench/results/read-model-<size>-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import numpy as np
from benchlib import REPO, bench_dir, machine, server_env, summary_ms, warm_ms, write_result
from harness import CLI, SIZES, fresh_server, generated_data, run_measured, stop_server

VIEWS = ("levels", "flows", "earnings", "cohorts", "indicators", "overview")
SUBTREES = {"1k": 1_000, "10k": 10_000, "70k": 70_000}


def view(name: str):
    """The downline function of a view: `function(source, root, filters)`."""
    from queries import cohorts, earnings, flows, indicators, levels, overview

    return {
        "levels": levels.levels,
        "flows": flows.flows,
        "earnings": earnings.earnings,
        "cohorts": cohorts.cohorts,
        "indicators": indicators.indicators_with_subtrees,
        "overview": overview.overview,
    }[name]


def load(size: str, port: int) -> tuple[dict, dict[str, str]]:
    """A fresh bulk load of the size's data (it writes the snapshot); its report and timing."""
    work = bench_dir(size)
    env = server_env(work / "neo4j", work / "logs", port)
    fresh_server(env)
    report_path = work / "read-model-report.json"
    run = run_measured(
        [*CLI, "ingest", str(generated_data(size)), "--bulk", "--report", str(report_path)],
        env,
        work / "read-model-load.log",
    )
    if run.exit_code not in (0, 1):
        raise SystemExit(f"the bulk load failed (exit {run.exit_code}): {work}/read-model-load.log")
    report = json.loads(report_path.read_text())
    snapshot = report["derived"]["snapshot"]
    return {
        "run_seconds": round(run.seconds, 1),
        "snapshot_seconds": snapshot["seconds"],
        "snapshot_share_of_run": round(snapshot["seconds"] / run.seconds, 3),
        "snapshot_rows": snapshot["rows"],
        "reconciled": snapshot["reconciled"],
    }, env


def cases(version) -> list[tuple[str, str | None, dict]]:
    """(label, root, filter keywords) of the matrix, from the snapshot's own tree and days."""
    people = version.tables["distributors"]
    sizes = people.column("post").to_numpy() - np.arange(people.num_rows) + 1
    ids = people.column("id")
    roots = {"whole": None}
    for label, wanted in SUBTREES.items():
        roots[label] = ids[int(np.argmin(np.abs(sizes - wanted)))].as_py()
    below_roots = np.where(people.column("sponsor").to_numpy() >= 0, sizes, 0)
    roots["largest"] = ids[int(np.argmax(below_roots))].as_py()
    last = _day(int(version.tables["orders"].column("day").to_numpy()[-1]))
    month = last.replace(day=1)
    quarter = (month - timedelta(days=62)).replace(day=1)
    periods = {
        "no period": {},
        "month": {"date_from": month, "date_to": last},
        "quarter": {"date_from": quarter, "date_to": last},
        "all time": {"date_from": date(1970, 1, 1), "date_to": last},
    }
    found = [
        (f"{root_label}, {period}, {status}", root, {**asked, "active_only": status == "active"})
        for root_label, root in roots.items()
        for period, asked in periods.items()
        for status in ("all", "active")
    ]
    for months_back in (12, 24):
        day = (month - timedelta(days=30 * months_back)).replace(day=1) - timedelta(days=1)
        found.append((f"whole, as of {day}", None, {"as_of": day}))
    return found


def _day(number: int) -> date:
    return date(1970, 1, 1) + timedelta(days=number)


def _roots_sizes(version, found) -> dict[str, int]:
    people = version.tables["distributors"]
    ids = people.column("id").to_pylist()
    post = people.column("post").to_numpy()
    at = {did: row for row, did in enumerate(ids)}
    return {root: int(post[at[root]] - at[root] + 1) for _, root, _ in found if root is not None}


def measure(size: str, port: int, runs: int = 7, warm_up_s: float = 1.0) -> dict:
    built, env = load(size, port)
    import os

    os.environ.clear()
    os.environ.update(env)
    from downline import snapshot
    from downline.connection import driver_for
    from downline.settings import Settings
    from queries.cypher_source import CypherSource
    from queries.snapshot_source import SnapshotSource

    settings = Settings()
    version = snapshot.current(settings.snapshot_dir)
    matrix = cases(version)
    result = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "size": size,
        "distributors": SIZES[size][0],
        "snapshot": {**built, "megabytes": _megabytes(version.folder)},
        "subtrees": _roots_sizes(version, matrix),
        "memory": _memory(env),
        "first_calls_ms": _first_calls(env, matrix),
    }
    with driver_for(settings) as driver:
        source = SnapshotSource(version, CypherSource(driver, settings.neo4j_database))
        downline = _timings(lambda name, *case: view(name)(source, *case), matrix, runs, warm_up_s)
    stop_server(env)
    result["downline"] = downline
    result["pandas"] = _pandas(size, matrix, runs, warm_up_s)
    return result


def _timings(answer, matrix, runs: int, warm_up_s: float) -> dict:
    """Warm p50/p95 of `answer(view, root, filters)` for every case and view."""
    from queries.filters import Filters

    found = {}
    for label, root, asked in matrix:
        case = (root, Filters(**asked))
        found[label] = {
            name: summary_ms(warm_ms(partial(answer, name, *case), runs, 30, warm_up_s))
            for name in VIEWS
        }
    return found


def _megabytes(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.iterdir()) / 2**20, 1)


def _memory(env: dict[str, str]) -> dict:
    """Resident memory of a fresh process before and after it answers every view of the
    whole network (`bench/read_model_memory.py`)."""
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / "read_model_memory.py")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def _first_calls(env: dict[str, str], matrix) -> dict:
    """Each view's first call, each in a fresh process (the snapshot opened, nothing warm),
    for the whole network and for the 70k subtree over the last quarter."""
    wanted = [c for c in matrix if c[0] in ("whole, no period, all", "70k, quarter, all")]
    script = str(REPO / "bench" / "read_model_memory.py")

    def first(name: str, root, asked) -> float:
        case = json.dumps([root, _plain(asked)])
        out = subprocess.run(
            [sys.executable, script, "--first", name, case],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout)

    return {label: {n: first(n, root, asked) for n in VIEWS} for label, root, asked in wanted}


def _plain(asked: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in asked.items()}


def _pandas(size: str, matrix, runs: int, warm_up_s: float) -> dict:
    """The same matrix from pandas over the CSV files in this process, the load apart."""
    from benchlib import timed
    from read_model_pandas import InMemory

    load_ms, memory = timed(lambda: InMemory.load(generated_data(size)))

    def answer(name, *case):
        return getattr(memory, _PANDAS[name])(*case)

    answers = _timings(answer, matrix, runs, warm_up_s)
    return {"csv_load_ms": round(load_ms), "cases": answers}


_PANDAS = {
    "levels": "levels",
    "flows": "flows",
    "earnings": "earnings",
    "cohorts": "cohorts",
    "indicators": "indicators_with_subtrees",
    "overview": "overview",
}


def targets(result: dict | None) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met): every case under 500 ms and faster than pandas, the snapshot
    under 10 % of the run it followed."""
    if not result:
        return []
    ours = [
        (label, v, row[v]["p95_ms"]) for label, row in result["downline"].items() for v in VIEWS
    ]
    slowest = max(ours, key=lambda item: item[2])
    slower = [
        f"{label} {v}"
        for label, v, ms in ours
        if ms >= result["pandas"]["cases"][label][v]["p95_ms"]
    ]
    share = result["snapshot"]["snapshot_share_of_run"]
    return [
        (
            "read model: every view and filter, warm p95 < 500 ms",
            f"slowest {slowest[2]:,.0f} ms ({slowest[0]}, {slowest[1]})",
            slowest[2] < 500,
        ),
        (
            "read model faster than pandas in every case",
            f"{len(ours) - len(slower)} of {len(ours)}",
            not slower,
        ),
        ("snapshot build < 10 % of the run it follows", f"{share * 100:.1f} %", share < 0.1),
    ]


def markdown(result: dict) -> str:
    """The matrix: downline's p95 beside pandas' per case and view, and the snapshot's cost."""
    snap = result["snapshot"]
    memory = result["memory"]
    lines = [
        f"Read model at {result['distributors']:,} distributors ({result['date']}):",
        f"snapshot built in {snap['snapshot_seconds']:.1f} s "
        f"({snap['snapshot_share_of_run'] * 100:.1f} % of the {snap['run_seconds']:.0f} s bulk "
        f"load), {snap['megabytes']:,.0f} MB; a process answering every view: resident "
        f"{memory['rss_mb']['before']:,.0f} -> {memory['rss_mb']['after']:,.0f} MB, of it "
        f"private {memory['private_mb']['after'] - memory['private_mb']['before']:,.0f} MB more "
        f"(the rest is the shared page cache of the mapped files). pandas' CSV load: "
        f"{result['pandas']['csv_load_ms'] / 1000:,.1f} s.",
        "",
        "Warm p95 in ms, downline / pandas; under 500 ms and faster than pandas in every cell "
        "is the target.",
        "",
        "| case | " + " | ".join(VIEWS) + " |",
        "|---|" + "---:|" * len(VIEWS),
    ]
    for label, row in result["downline"].items():
        theirs = result["pandas"]["cases"][label]
        cells = [f"{row[v]['p95_ms']:,.0f} / {theirs[v]['p95_ms']:,.0f}" for v in VIEWS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "First calls in a fresh process, ms:", ""]
    for label, times in result["first_calls_ms"].items():
        lines.append(f"- {label}: " + ", ".join(f"{v} {ms:,.0f}" for v, ms in times.items()))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument("--port", type=int, default=7698)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    result = measure(args.size, args.port, args.runs)
    write_result(f"read-model-{args.size}-{result['date']}.json", result)
    print(markdown(result))


if __name__ == "__main__":
    main()
