"""One throwaway Neo4j for the whole session: own port, own data folder, stopped at the end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from downline import snapshot
from downline.connection import driver_for
from downline.localdb import LocalNeo4j
from downline.schema import init_schema
from queries.cypher_source import CypherSource
from queries.engine import staleness
from queries.snapshot_source import SnapshotSource
from tests.support.servers import (
    free_port,
    load_generated,
    mark_created,
    settings_env,
    throwaway_settings,
    wipe,
)


@pytest.fixture(scope="session")
def server_settings(tmp_path_factory):
    settings = throwaway_settings(tmp_path_factory.mktemp("neo4j"), free_port())
    mark_created(settings)
    server = LocalNeo4j(settings, log=lambda message: None)
    try:
        seconds = server.start()
    except Exception:
        server.stop(timeout=30)
        raise
    print(f"\nthrowaway Neo4j answered Bolt after {seconds:.1f} s at {settings.neo4j_uri}")
    yield settings
    server.stop()


@pytest.fixture(scope="session")
def driver(server_settings) -> Iterator[neo4j.Driver]:
    with driver_for(server_settings) as drv:
        init_schema(drv, server_settings.neo4j_database)
        yield drv


@pytest.fixture
def clean_db(driver, server_settings) -> neo4j.Driver:
    """The session's driver over an empty database (schema kept)."""
    wipe(driver, server_settings)
    return driver


@pytest.fixture(params=["cypher", "snapshot"])
def engine(request, driver, server_settings):
    """Each engine in turn, as a function to call once the test's data is loaded: Cypher, and
    the read model as the last ingest run wrote it (up to date, so the analytics use it)."""

    def make():
        cypher = CypherSource(driver, server_settings.neo4j_database)
        if request.param == "cypher":
            return cypher
        version = snapshot.current(server_settings.snapshot_dir)
        assert staleness(cypher, version) is None
        return SnapshotSource(version, cypher)

    return make


@pytest.fixture
def cli_env(server_settings) -> dict[str, str]:
    return settings_env(server_settings)


@pytest.fixture
def spare_settings(tmp_path):
    """Settings of a second server (not started) that a test may start and must leave stopped."""
    settings = throwaway_settings(tmp_path, free_port())
    yield settings
    LocalNeo4j(settings, log=lambda message: None).stop(timeout=60)


@pytest.fixture(scope="module")
def dashboard_network(driver, server_settings, tmp_path_factory):
    """A generated pyramid of 600 distributors over 18 months, loaded by `downline ingest`:
    the data of the dashboard's browser tests (one load per test module)."""
    folder = tmp_path_factory.mktemp("dashboard-network")
    return load_generated(driver, server_settings, folder, 600, 18, seed=7, profile="pyramid")


@pytest.fixture
def dashboard_settings(server_settings, tmp_path):
    """The test server's settings with a cache of the test's own."""
    return server_settings.model_copy(
        update={"dashboard_cache_dir": tmp_path / "cache", "dashboard_warm_seconds": 0}
    )


def pytest_collection_modifyitems(items):
    """Everything under tests/integration/ talks to the real Neo4j: `-m "not integration"`
    leaves it out."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.integration)
