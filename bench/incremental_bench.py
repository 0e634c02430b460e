"""Incremental-run benchmark: a generated network bulk-loaded into a fresh local Neo4j, then a
1 % follow-on export (bench/incremental_export.py) loaded by a transactional run, twice over
(the second export on top of the first), timing each run and its phases. While each run loads,
the dashboard (gunicorn, as in production) is asked for the Levels page's views with random
roots, periods and statuses by one user in a loop: the answers' latencies and any errors show
whether it kept answering.

Writes bench/results/incremental-<size>-<date>.json; the phase lines are in the run logs
beside the bench folder's data.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import threading
import time
import urllib.request
from datetime import date

from benchlib import bench_dir, machine, percentile, server_env, write_result
from dashboard_bench import callback_requests, filter_choices, serve, stop, vary, wait_for_http
from harness import (
    CLI,
    KINDS,
    add_size_and_port,
    fresh_server,
    generated_data,
    run_measured,
    stop_server,
)
from incremental_export import follow_on


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_size_and_port(parser, port=7698)
    parser.add_argument("--web-port", type=int, default=8697)
    parser.add_argument("--nights", type=int, default=2, help="follow-on runs, one after another")
    args = parser.parse_args()
    work = bench_dir(args.size)
    data = generated_data(args.size)
    env = server_env(work / "neo4j", work / "logs", args.port)
    fresh_server(env)
    runs = []
    try:
        bulk = run_measured(
            [
                *CLI,
                "ingest",
                "load",
                *(str(data / f"{k}.csv") for k in KINDS),
                "--bulk",
                "--report",
                str(work / "bulk-report.json"),
            ],
            env,
            work / "bulk.log",
        )
        assert bulk.exit_code == 0, (work / "bulk.log").read_text()[-2000:]
        bulk_report = json.loads((work / "bulk-report.json").read_text())
        base = data
        web = serve(args.web_port, {**env, "DASHBOARD_WARM_SECONDS": "0"})
        try:
            url = f"http://127.0.0.1:{args.web_port}"
            wait_for_http(url + "/_dash-layout")
            requests, choices = _levels_requests(url, env)
            for night in range(1, args.nights + 1):
                export = work / f"nightly-{night}"
                counts = follow_on(base, export, 0.01, 100, "2026-11", 15 + night)
                report_path = export / "report.json"
                with _Asking(requests, choices) as dashboard:
                    run = run_measured(
                        [*CLI, "ingest", "load", str(export), "--report", str(report_path)],
                        env,
                        work / f"nightly-{night}.log",
                    )
                report = json.loads(report_path.read_text())
                runs.append(
                    {
                        "night": night,
                        "added_moved_orders_commissions": counts,
                        "exit_code": run.exit_code,
                        "seconds": run.seconds,
                        "peak_rss_mb": run.peak_rss_mb,
                        "files": {f["kind"]: f["seconds"] for f in report["files"]},
                        "derived": report["derived"],
                        "dashboard_during_the_run": dashboard.summary(),
                        "phases": (work / f"nightly-{night}.log").read_text().splitlines(),
                    }
                )
                base = _merged(base, export, work / f"network-{night}")
        finally:
            stop(web)
    finally:
        stop_server(env)
    summary = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "size": args.size,
        "bulk": {
            "seconds": bulk.seconds,
            "peak_rss_mb_process_tree": bulk.peak_rss_mb,  # the importer's JVM included
            "peak_rss_mb_ingest_process": bulk_report.get("peak_rss_mb"),
            "rows": bulk_report["read"],
            "phases": (work / "bulk.log").read_text().splitlines(),
        },
        "runs": runs,
    }
    print(json.dumps(summary, indent=2))
    write_result(f"incremental-{args.size}-{date.today().isoformat()}.json", summary)


def _levels_requests(url: str, env: dict[str, str]):
    """The Levels page's callback requests, as Chromium sent them, and the roots and periods to
    vary them with."""
    from pages import browser_with_network_log, render, status_id

    from downline.connection import driver_for
    from downline.settings import Settings

    browser = browser_with_network_log()
    try:
        render(browser, url + "/levels", status_id("/levels"))
        requests = callback_requests(browser)
    finally:
        browser.quit()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        settings = Settings()
        with driver_for(settings) as driver:
            choices = filter_choices(driver, settings.neo4j_database)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return requests, choices


class _Asking:
    """One dashboard user in a loop while the block runs: every answer's latency, and errors."""

    def __init__(self, requests, choices):
        self.requests, self.choices = requests, choices
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._ask)

    def _ask(self) -> None:
        rng = random.Random(7)
        while not self.done.is_set():
            for target, body in self.requests:
                data = vary(body, self.choices, rng)
                ask = urllib.request.Request(
                    target, data=data, headers={"Content-Type": "application/json"}
                )
                began = time.perf_counter()
                try:
                    with urllib.request.urlopen(ask, timeout=600) as answer:
                        answer.read()
                    self.latencies.append((time.perf_counter() - began) * 1000)
                except OSError as error:
                    self.errors.append(str(error))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()

    def summary(self) -> dict:
        values = self.latencies or [float("nan")]
        return {
            "answers": len(self.latencies),
            "errors": len(self.errors),
            "first_errors": self.errors[:3],
            "p50_ms": round(percentile(values, 0.5), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "max_ms": round(max(values), 1),
        }


def _merged(base, export, out):
    """The network after the export: base distributors with the export's rows applied (what
    the next export's transfers and sponsors are drawn from)."""
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for folder in (base, export):
        with open(folder / "distributors.csv", encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            rows.update((r["distributor_id"], r) for r in reader)
    with open(out / "distributors.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows.values())
    return out


if __name__ == "__main__":
    main()
