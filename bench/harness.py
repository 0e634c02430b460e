"""What the ingest benchmarks share: sizes, a generated data set, a fresh local Neo4j, and
timing a child process with its peak memory.

A size's data is generated once into .downline/bench/<size>/data/ by `downline demo generate`
and reused. Each benchmark gives its local server its own home (DOWNLINE_DATA_DIR) and port
through the environment of the `downline` processes it runs, so a password or heap size set
for another server does not leak in.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchlib import bench_dir

# size -> (distributors, the most commission rows kept). "target" is the ingest issue's shape:
# 1,000,000 distributors, their ~6.7 million orders and the first 3,000,000 commissions.
# small, medium and target are the benchmark's scaling steps (10k, 100k, 1M).
SIZES = {
    "small": (10_000, None),
    "medium": (100_000, None),
    "large": (1_000_000, None),
    "target": (1_000_000, 3_000_000),
}
# The files of a data set, in the order they are loaded (each refers only to earlier ones).
KINDS = ("distributors", "customers", "orders", "commissions")
CLI = (sys.executable, "-m", "downline")


def add_size_and_port(parser: argparse.ArgumentParser, port: int) -> None:
    """--size (of SIZES, default small) and --port (default `port`), as the ingest benchmarks
    take them."""
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument("--port", type=int, default=port)


def generated_data(size: str) -> Path:
    """The size's CSV files, generated on first use (a pyramid-profile network, seed 1)."""
    n, commission_limit = SIZES[size]
    data = bench_dir(size) / "data"
    if _data_rows(data / "distributors.csv") != n:  # absent, or generated for another size
        shutil.rmtree(data, ignore_errors=True)
        subprocess.run(
            [
                *CLI,
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
            check=True,
        )
    if commission_limit is not None:
        _keep_first_commissions(data, commission_limit)
    return data


def _data_rows(path: Path) -> int | None:
    """Lines after the header (the generator writes no multi-line fields)."""
    try:
        with open(path, "rb") as handle:
            return sum(1 for _ in handle) - 1
    except OSError:
        return None


def _keep_first_commissions(data: Path, limit: int) -> None:
    """Cut the generated commissions file to its header and first `limit` rows, once."""
    path = data / "commissions.csv"
    marker = data / f".commissions-first-{limit}"
    if marker.exists():
        return
    cut = path.with_suffix(".cut")
    with open(path, encoding="utf-8") as source, open(cut, "w", encoding="utf-8") as out:
        for number, line in enumerate(source):
            if number > limit:
                break
            out.write(line)
    os.replace(cut, path)
    marker.touch()


def stop_server(env: dict[str, str]) -> None:
    subprocess.run([*CLI, "db", "stop"], env=env, check=False)


def fresh_server(env: dict[str, str]) -> None:
    """Stop the server of env's DOWNLINE_DATA_DIR, delete its home (store, configuration and
    generated password) and start it again on an empty database."""
    stop_server(env)
    shutil.rmtree(env["DOWNLINE_DATA_DIR"], ignore_errors=True)
    subprocess.run([*CLI, "db", "start"], env=env, check=True)


def server_peak_rss_mb(env: dict[str, str]) -> int | None:
    """The running local server's peak resident memory so far (its JVM's VmHWM), if running."""
    pid_file = Path(env["DOWNLINE_DATA_DIR"]) / "run" / "downline-neo4j.pid"
    try:
        status = Path(f"/proc/{int(pid_file.read_text())}/status").read_text()
    except (OSError, ValueError):
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return None


@dataclass(frozen=True)
class Measured:
    exit_code: int
    seconds: float
    peak_rss_mb: int  # the largest resident set of the child or any child it waited for


def run_measured(command: list[str], env: dict[str, str], output: Path | None = None) -> Measured:
    """Run a command to its end; its wall time and peak memory (os.wait4's ru_maxrss).

    With `output`, its stdout and stderr go to that file instead of the terminal.
    """
    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(open(output, "w", encoding="utf-8")) if output else None
        began = time.monotonic()
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
        seconds = time.monotonic() - began
    process.returncode = exit_code = os.waitstatus_to_exitcode(status)  # reaped above
    return Measured(exit_code, round(seconds, 3), round(usage.ru_maxrss / 1024))


def tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
