"""Every figure a page shows, through the `queries/` functions, cached across requests and
worker processes. A cache key holds the newest finished ingest run, so a run that finishes
makes every cached answer stale at once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import flask
import neo4j
from flask_caching import Cache

from dashboard.context import current
from downline.settings import Settings
from queries.explore import data_version

T = TypeVar("T")


def make_cache(server: flask.Flask, settings: Settings) -> Cache:
    folder = Path(settings.dashboard_cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
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
    value = compute(context.driver, context.database)
    context.cache.set(cache_key, value)
    return value


def uncached(compute: Callable[[neo4j.Driver, str], T]) -> T:
    """For answers that are cheap or must be fresh (search, saved queries)."""
    context = current()
    return compute(context.driver, context.database)
