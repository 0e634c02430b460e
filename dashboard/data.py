"""Every figure a page shows, through the `queries/` functions, cached across requests and
worker processes. A cache key holds the newest finished ingest run, so a run that finishes
makes every cached answer stale at once.

The read model answers a view in well under a second; the Cypher engine, which answers when
the snapshot is stale, takes minutes at 1,000,000 distributors. So an answer is computed once:
the first request takes a lock file per key, later ones wait for it and read the cache, in any
worker; and a warmer thread computes the pages' default views whenever a run has finished.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import flask
import neo4j
from flask_caching import Cache

from dashboard.context import current
from downline.settings import Settings
from queries.engine import choose
from queries.explore import data_version
from queries.filters import NO_FILTERS, Filters

T = TypeVar("T")
log = logging.getLogger("downline.dashboard")


def make_cache(server: flask.Flask, settings: Settings) -> Cache:
    folder = Path(settings.dashboard_cache_dir)
    (folder / "locks").mkdir(parents=True, exist_ok=True)
    return Cache(
        server,
        config={
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": str(folder),
            "CACHE_DEFAULT_TIMEOUT": settings.dashboard_cache_seconds,
            "CACHE_THRESHOLD": 2000,
        },
    )


def cached(name: str, compute: Callable[[neo4j.Driver, str], T], *key) -> T:
    """`compute(driver, database)`, or its answer from the cache for this data version."""
    context = current()
    version = data_version(context.driver, context.database)
    text = json.dumps([name, context.database, version, key], default=str)
    cache_key = "downline:" + hashlib.sha256(text.encode()).hexdigest()
    found = context.cache.get(cache_key)
    if found is not None:
        return found
    lock = Path(context.settings.dashboard_cache_dir) / "locks" / f"{cache_key[-40:]}.lock"
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # one computation per key across workers
        try:
            found = context.cache.get(cache_key)
            if found is None:
                found = compute(context.driver, context.database)
                context.cache.set(cache_key, found)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return found


def uncached(compute: Callable[[neo4j.Driver, str], T]) -> T:
    """For answers that are cheap or must be fresh (search, saved queries)."""
    context = current()
    return compute(context.driver, context.database)


def view(function: Callable[..., T], root: str | None = None, filters: Filters = NO_FILTERS) -> T:
    """A `queries/` metric, `function(source, root, filters)`, cached; the read model answers
    when it is up to date, else Neo4j (logged once per reason)."""
    name = f"{function.__module__}.{function.__name__}"

    def compute(driver: neo4j.Driver, _database: str) -> T:
        choice = choose(driver, current().settings)
        if choice.warning and choice.warning not in _WARNED:
            _WARNED.add(choice.warning)
            log.warning("%s", choice.warning)
        return function(choice.source, root, filters)

    return cached(name, compute, root, filters)


_WARNED: set[str] = set()


def fact(function: Callable[[neo4j.Driver, str], T]) -> T:
    """A whole-network figure, `function(driver, database)`, cached."""
    return cached(f"{function.__module__}.{function.__name__}", function)


# What the pages show before anyone touches a filter, by name: computed again by the warmer
# after every ingest run, so that the first visitor does not wait for it. (Dash imports the page
# modules once per app, so the names keep one entry each.)
DEFAULT_VIEWS: dict[str, Callable[[], object]] = {}


def warm(name: str, call: Callable[[], object]) -> None:
    DEFAULT_VIEWS[name] = call


def start_warmer(server: flask.Flask, every_seconds: float) -> threading.Thread | None:
    """A daemon thread that, whenever the data version changes, computes every default view
    into the shared cache (a view another worker is computing is waited for, not repeated)."""
    if every_seconds <= 0:
        return None

    def run() -> None:
        seen = None
        while True:
            with server.app_context():
                try:
                    context = current()
                    version = data_version(context.driver, context.database)
                    if version != seen:
                        began = time.monotonic()
                        for call in DEFAULT_VIEWS.values():
                            call()
                        seen = version
                        log.info(
                            "warmed %d views in %.1f s",
                            len(DEFAULT_VIEWS),
                            time.monotonic() - began,
                        )
                except Exception as error:  # Neo4j down, busy or empty: try again later
                    log.info("warming skipped: %s", type(error).__name__)
            time.sleep(every_seconds)

    thread = threading.Thread(target=run, name="downline-warmer", daemon=True)
    thread.start()
    return thread
