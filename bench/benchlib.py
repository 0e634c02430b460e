"""What every benchmark shares: a size's bench folder, the environment of its local Neo4j and
that server in this process, timing and percentiles, the machine's description, result files.

A size's bench folder is .downline/bench/<size>/: the generated CSV files in data/
(`harness.generated_data`), the local server's home in neo4j/ and its logs in logs/. The
database there is the one `bench/ingest_bench.py` or the ingest part of `bench/run.py` loaded
last; the analytics and dashboard benchmarks read it. (`bench/ingest_compare.py` alone loads
into compare/ instead, and leaves that database alone.)
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def bench_dir(size: str) -> Path:
    return REPO / ".downline" / "bench" / size


def server_env(home: Path, logs: Path, port: int) -> dict[str, str]:
    """This process's environment for one that uses the local server in `home` on `port`: other
    NEO4J_* and DOWNLINE_* variables are dropped, so that a password or heap size set for another
    server does not leak in; the jar cache is the repository's shared one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "DOWNLINE_"))}
    env.update(
        NEO4J_URI=f"bolt://127.0.0.1:{port}",
        DOWNLINE_DATA_DIR=str(home),
        DOWNLINE_LOG_DIR=str(logs),
        DOWNLINE_NEO4J_LIB=str(REPO / ".downline" / "neo4j-lib"),
        DOWNLINE_SNAPSHOT_DIR=str(home / "snapshot"),  # beside the database, gone with it
    )
    return env


def use_bench_server(size: str, port: int) -> Path:
    """Replace this process's environment with server_env's for the size's bench folder, so that
    downline's Settings read from then on use that server. Returns the bench folder."""
    work = bench_dir(size)
    env = server_env(work / "neo4j", work / "logs", port)
    os.environ.clear()
    os.environ.update(env)
    return work


class BenchServer:
    """The local Neo4j of a size's bench folder, as a context manager.

    Started on entry unless it is running already; stopped on exit only if it was started here.
    Only a server started here may be restarted (for cold timings).
    """

    def __init__(self, size: str, port: int):
        self.size = size
        self.work = use_bench_server(size, port)
        from downline.localdb import LocalNeo4j
        from downline.settings import Settings

        self.settings = Settings()
        self.database = self.settings.neo4j_database
        self.local = LocalNeo4j(self.settings, log=lambda message: None)
        self.owned = False

    def __enter__(self) -> BenchServer:
        store = self.settings.data_dir / "data" / "databases" / self.database
        if not store.exists():
            raise SystemExit(
                f"no database in {self.settings.data_dir}: run "
                f"`make bench-ingest SIZE={self.size}` first"
            )
        self.owned = not self.local.status().running
        if self.owned:
            self.local.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.owned:
            self.local.stop()

    def restart(self) -> float:
        """Stop and start the server; returns the seconds that took."""
        if not self.owned:
            raise RuntimeError("the server was running before the benchmark: not restarting it")
        began = time.perf_counter()
        self.local.stop()
        self.local.start()
        return time.perf_counter() - began

    def driver(self, retry_seconds: float = 15.0):
        from downline.connection import driver_for

        return driver_for(self.settings, retry_seconds=retry_seconds)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """(milliseconds, result) of one call."""
    began = time.perf_counter()
    result = call()
    return (time.perf_counter() - began) * 1000, result


def repeat_ms(call: Callable[[], Any], runs: int, budget_s: float | None = None) -> list[float]:
    """Milliseconds of `runs` calls in a row; with a budget, fewer (at least one) once the calls
    so far took longer than it (the slowest answers of the largest network)."""
    times: list[float] = []
    while len(times) < runs and (budget_s is None or not times or sum(times) < budget_s * 1000):
        times.append(timed(call)[0])
    return times


WARM_UP_S = 3.0


def warm_ms(
    call: Callable[[], Any],
    runs: int,
    budget_s: float | None = None,
    warm_up_s: float = WARM_UP_S,
) -> list[float]:
    """Milliseconds of `runs` calls (fewer past the budget, as in repeat_ms) after untimed ones
    for `warm_up_s`, at least one: plans cached, pages in memory, and the server JVM's JIT done
    with the hot paths, which a server restarted for a cold call has not."""
    began = time.perf_counter()
    call()
    while time.perf_counter() - began < warm_up_s:
        call()
    return repeat_ms(call, runs, budget_s)


def percentile(values: list[float], share: float) -> float:
    """The sorted value at position share x (count - 1), rounded, not interpolated (share 0.5:
    the median of an odd count; of an even count, one of the two middle values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary_ms(values: list[float]) -> dict[str, float]:
    """p50 (the median, interpolated for an even count), p95 (`percentile`) and the count."""
    return {
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "runs": len(values),
    }


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.node()}: {os.cpu_count()} cores, {memory:.0f} GB, {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def write_result(name: str, summary: dict) -> Path:
    """bench/results/<name>, the summary as indented JSON."""
    out = RESULTS / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    return out
