"""Dashboard benchmark: page render time in headless Chromium and callback latency with 1 and
20 concurrent users, on the database an ingest benchmark left (`make bench-ingest` first).

The dashboard runs as in production: gunicorn, `dashboard.app:server`, 2 workers with 8 threads
each, on loopback. First every page is opened once with an empty cache and the warmer off
(cold: the first visitor after an ingest run, had the warmer not run), then again several times
(warm). Every callback request the browser sent while rendering is recorded from Chromium's
network log and replayed over HTTP by 1 and by 20 concurrent users.

Writes bench/results/dashboard-<size>-<date>.json and prints a Markdown table. Part of
`make bench`; alone: `python bench/dashboard_bench.py --size ...`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

from benchlib import REPO, machine, percentile, use_bench_server, write_result
from pages import PAGES, browser_with_network_log, render, status_id, type_ahead


def callback_requests(browser) -> list[tuple[str, bytes]]:
    """The callback POSTs the browser sent since the last call: (url, body)."""
    found = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        request = message["params"]["request"]
        if "/_dash-update-component" in request["url"] and request.get("postData"):
            found.append((request["url"], request["postData"].encode()))
    return found


def _replay(
    requests: list[tuple[str, bytes]], users: int, rounds: int, choices: dict | None = None
) -> list[float]:
    """Each user sends every request `rounds` times; latencies in ms. With `choices`, each
    request's filter inputs are drawn at random from them first (`vary`), so the users ask
    for views no one asked before rather than the defaults."""
    latencies: list[float] = []
    lock = threading.Lock()

    def user(seed: int) -> None:
        mine = []
        rng = random.Random(seed)
        for _ in range(rounds):
            for url, body in requests:
                data = vary(body, choices, rng) if choices else body
                ask = urllib.request.Request(
                    url, data=data, headers={"Content-Type": "application/json"}
                )
                began = time.perf_counter()
                with urllib.request.urlopen(ask, timeout=600) as answer:
                    answer.read()
                mine.append((time.perf_counter() - began) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user, args=(seed,)) for seed in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def vary(body: bytes, choices: dict, rng: random.Random) -> bytes:
    """A callback request with its filter bar's inputs (`<page>-root`, `-from`, `-to`,
    `-active`) set to a random root, period and status from `choices`."""
    request = json.loads(body)
    start, end = rng.choice(choices["periods"])
    pick = {
        "root": rng.choice(choices["roots"]),
        "from": start,
        "to": end,
        "active": rng.choice(["all", "active"]),
    }
    for item in request.get("inputs", []):
        part = str(item.get("id", "")).rsplit("-", 1)[-1]
        if part in pick and item.get("property") == "value":
            item["value"] = pick[part]
    return json.dumps(request).encode()


def filter_choices(driver, database: str) -> dict:
    """Roots of every size (whole network, and subtrees from a handful of distributors to the
    largest) and periods (none, a month, a quarter, a year, all time) to draw from."""
    from queries.tree import read

    found = read(
        driver,
        database,
        "MATCH (d:Distributor) WHERE d.downline_size >= $least "
        "RETURN d.id AS id, d.downline_size AS size ORDER BY d.id",
        least=10,
    )
    sizes = found.sort_values("size")
    picks = [sizes.iloc[int(q * (len(sizes) - 1))].id for q in (0, 0.5, 0.9, 0.99, 0.999, 1)]
    last = read(driver, database, "MATCH (o:Order) RETURN max(o.ordered_on) AS day").day.iloc[0]
    month = date(last.year, last.month, 1)
    periods = [
        (None, None),
        (month.isoformat(), last.isoformat()),
        (
            date(month.year - (month.month <= 2), (month.month - 3) % 12 + 1, 1).isoformat(),
            last.isoformat(),
        ),
        (date(last.year - 1, last.month, 1).isoformat(), last.isoformat()),
        ("1970-01-01", last.isoformat()),
    ]
    return {"roots": [None, *picks], "periods": periods}


def wait_for_http(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def serve(web_port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """The dashboard as in production: gunicorn, 2 workers x 8 threads, on loopback."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            "2",
            "--threads",
            "8",
            "--timeout",
            "1800",
            "--bind",
            f"127.0.0.1:{web_port}",
            "dashboard.app:server",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(web: subprocess.Popen) -> None:
    web.terminate()  # SIGTERM: gunicorn's graceful stop
    web.wait(timeout=60)


def measure(size: str, port: int, web_port: int, runs: int, rounds: int) -> dict:
    """Serve the size's bench database with gunicorn; render every page, replay callbacks."""
    use_bench_server(size, port)
    cache = Path(tempfile.mkdtemp(prefix="downline-dashboard-cache-"))
    os.environ.update(DASHBOARD_CACHE_DIR=str(cache), DASHBOARD_WARM_SECONDS="0")
    from downline.connection import driver_for
    from downline.localdb import LocalNeo4j
    from downline.schema import init_schema
    from downline.settings import Settings
    from queries.overview import graph_counts
    from queries.tree import read

    settings = Settings()
    server = LocalNeo4j(settings, log=lambda message: None)
    server.start()
    web = serve(web_port)
    base = f"http://127.0.0.1:{web_port}"
    browser = None
    try:
        with driver_for(settings) as driver:
            init_schema(driver, settings.neo4j_database)  # the search index of older stores
            counts = graph_counts(driver, settings.neo4j_database).__dict__
            deepest = read(
                driver,
                settings.neo4j_database,
                "MATCH (x:Distributor) RETURN x.id AS id ORDER BY x.depth DESC, x.id LIMIT 1",
            ).id.iloc[0]
        pages = [*PAGES, f"/distributor/{deepest}"]
        wait_for_http(base + "/_dash-layout")
        browser = browser_with_network_log()
        status = {page: status_id(page) for page in pages}
        cold = {page: render(browser, base + page, status[page]) for page in pages}
        callback_requests(browser)  # the cold round's requests are not replayed
        warm: dict[str, list[float]] = {page: [] for page in pages}
        for run in range(runs):
            for page in pages:
                warm[page].append(render(browser, base + page, status[page]))
                if run == 0 and page == "/levels":
                    type_ahead(browser, "levels-root", "D00001")
            if run == 0:  # one round's callbacks, the search included, are what users replay
                requests = callback_requests(browser)
        latency = {users: _replay(requests, users, rounds) for users in (1, 20)}
        with driver_for(settings) as driver:
            choices = filter_choices(driver, settings.neo4j_database)
        varied = _replay(requests, 20, rounds, choices)
    finally:
        if browser is not None:
            browser.quit()
        stop(web)
        server.stop()
        shutil.rmtree(cache, ignore_errors=True)

    return {
        "date": date.today().isoformat(),
        "machine": machine(),
        "size": size,
        "graph": counts,
        "server": "gunicorn, 2 workers x 8 threads, loopback; Neo4j on the same machine",
        "runs": runs,
        "page_render_s": {
            page: {
                "cold": round(cold[page], 2),
                "warm_median": round(statistics.median(warm[page]), 2),
                "warm_max": round(max(warm[page]), 2),
            }
            for page in pages
        },
        "callbacks_replayed": len(requests),
        "callback_latency_ms": {
            f"{users}_users": {
                "requests": len(values),
                "p50": round(percentile(values, 0.5), 1),
                "p95": round(percentile(values, 0.95), 1),
                "max": round(max(values), 1),
            }
            for users, values in latency.items()
        },
        "random_filters_20_users_ms": {
            "requests": len(varied),
            "p50": round(percentile(varied, 0.5), 1),
            "p95": round(percentile(varied, 0.95), 1),
            "max": round(max(varied), 1),
            "roots": choices["roots"],
            "periods": choices["periods"],
        },
    }


def markdown(summary: dict) -> str:
    lines = [
        f"Dashboard, size {summary['size']} ({summary['graph']['distributors']:,} "
        f"distributors), {summary['date']}, {summary['machine']}",
        "",
        "| page | cold render (s) | warm render, median (s) | warm, max (s) |",
        "|---|---:|---:|---:|",
    ]
    for page, row in summary["page_render_s"].items():
        lines.append(f"| `{page}` | {row['cold']} | {row['warm_median']} | {row['warm_max']} |")
    lines += [
        "",
        "| concurrent users | callback requests | p50 (ms) | p95 (ms) |",
        "|---:|---:|---:|---:|",
    ]
    for users, row in summary["callback_latency_ms"].items():
        lines.append(f"| {users.split('_')[0]} | {row['requests']} | {row['p50']} | {row['p95']} |")
    varied = summary.get("random_filters_20_users_ms")
    if varied:
        lines.append(
            f"| 20, random roots, periods and statuses | {varied['requests']} | "
            f"{varied['p50']} | {varied['p95']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="target")
    parser.add_argument("--port", type=int, default=7699)
    parser.add_argument("--web-port", type=int, default=8799)
    parser.add_argument("--runs", type=int, default=5, help="warm renders of each page")
    parser.add_argument("--rounds", type=int, default=3, help="replays per simulated user")
    args = parser.parse_args()
    summary = measure(args.size, args.port, args.web_port, args.runs, args.rounds)
    out = write_result(f"dashboard-{args.size}-{summary['date']}.json", summary)
    print(markdown(summary))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
