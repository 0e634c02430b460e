"""The downline contender: one of its query functions called cold, then warm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import neo4j
from benchlib import BenchServer, summary_ms, timed, warm_ms


def timings(
    server: BenchServer,
    call: Callable[[neo4j.Driver], Any],
    runs: int,
    cold: str,
    budget_s: float | None,
    warm_up_s: float,
) -> tuple[dict, Any, float]:
    """(timings, the answer, seconds the restart took). Cold is the first call with a fresh
    driver, after a restart of the server or CALL db.clearQueryCaches() (`cold`), as the first
    user after an ingest or a server start would see it; warm calls follow warm-up calls."""
    restart_s = server.restart() if cold == "restart" else 0.0
    with server.driver() as driver:
        if cold == "clear-caches":
            driver.execute_query("CALL db.clearQueryCaches()", database_=server.database)
        cold_ms, answer = timed(lambda: call(driver))
        warm = warm_ms(lambda: call(driver), runs, budget_s, warm_up_s)
    return {"cold_ms": round(cold_ms, 1), **summary_ms(warm)}, answer, restart_s
