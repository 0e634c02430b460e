"""The dashboard's cache: answers are shared by every worker on the host and go stale the
moment an ingest run finishes."""

from __future__ import annotations

import logging
import time

import pytest

from dashboard.app import create_app
from dashboard.data import DEFAULT_VIEWS, cached
from tests.support.servers import run_cli, settings_env

pytestmark = pytest.mark.browser

EXTRA = "distributor_id,sponsor_id,joined_on,name,country,rank,status,left_on\n"


def _probe(app, calls: list) -> int:
    with app.server.app_context():
        return cached("probe", lambda driver, database: calls.append(1) or len(calls))


def _ingest_one_more(settings, folder, did: str) -> None:
    extra = folder.parent / f"extra-{did}"
    extra.mkdir()
    (extra / "distributors.csv").write_text(EXTRA + f"{did},,2024-01-01,New Root,BR,,active,\n")
    result = run_cli("ingest", str(extra), env=settings_env(settings))
    assert result.returncode == 0, result.stdout + result.stderr


def test_cached_across_workers_until_an_ingest_run_finishes(dashboard_network, dashboard_settings):
    worker_a, worker_b = create_app(dashboard_settings), create_app(dashboard_settings)
    calls: list = []
    assert _probe(worker_a, calls) == 1
    assert _probe(worker_b, calls) == 1  # the other worker reads the same cache folder
    _ingest_one_more(dashboard_settings, dashboard_network, "DCACHE1")
    assert _probe(worker_b, calls) == 2
    assert _probe(worker_a, calls) == 2


def test_the_overview_shows_new_data_after_a_run(dash_duo, dashboard_network, dashboard_settings):
    dash_duo.start_server(create_app(dashboard_settings))
    dash_duo.wait_for_element("#overview-distributors", timeout=20)
    before = int(dash_duo.find_element("#overview-distributors").text.replace(",", ""))
    dash_duo.driver.refresh()
    dash_duo.wait_for_text_to_equal("#overview-distributors", f"{before:,}", timeout=20)
    _ingest_one_more(dashboard_settings, dashboard_network, "DCACHE2")
    dash_duo.driver.refresh()
    dash_duo.wait_for_text_to_equal("#overview-distributors", f"{before + 1:,}", timeout=20)
    assert dash_duo.get_logs() == []


def _entries(folder) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("__")}


def _wait_for_warming(caplog, rounds: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if sum("warmed" in r.getMessage() for r in caplog.records) >= rounds:
            return
        time.sleep(0.3)
    raise AssertionError(f"the warmer did not finish round {rounds}")


def _all_views_are_cached(app, folder) -> bool:
    """Asking every default view adds nothing to the cache: each was there already."""
    before = _entries(folder)
    with app.server.app_context():
        for call in DEFAULT_VIEWS.values():
            call()
    return _entries(folder) == before


def test_the_warmer_fills_every_default_view_after_a_run(
    dashboard_network, dashboard_settings, caplog
):
    caplog.set_level(logging.INFO, logger="downline.dashboard")
    settings = dashboard_settings.model_copy(update={"dashboard_warm_seconds": 0.5})
    folder = settings.dashboard_cache_dir
    app = create_app(settings)
    _wait_for_warming(caplog, 1)
    first = _entries(folder)
    assert len(first) >= len(DEFAULT_VIEWS) >= 8  # the overview is one view since the read model
    assert _all_views_are_cached(app, folder)
    _ingest_one_more(settings, dashboard_network, "DCACHE3")
    _wait_for_warming(caplog, 2)
    assert len(_entries(folder) - first) >= len(DEFAULT_VIEWS)  # again, for the new version
    assert _all_views_are_cached(app, folder)
