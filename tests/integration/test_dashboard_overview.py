"""Overview, levels and distributor pages in a real headless Chromium against the real Neo4j,
each figure on screen checked against the CLI's answer over the same data."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.app import create_app
from dashboard.context import EXTENSION_KEY
from tests.support.browser import (
    choose,
    cli_json,
    downloaded_csv,
    grid_rows,
    largest_leg,
    money_cents,
)
from tests.support.servers import free_port, settings_env

pytestmark = pytest.mark.browser


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def test_overview_numbers_match_the_cli(dash_duo, dashboard_network, dashboard_settings):
    env = settings_env(dashboard_settings)
    levels = cli_json(env, "levels")["levels"]
    active = cli_json(env, "levels", "--active-only")["levels"]
    indicators = {i["key"]: i for i in cli_json(env, "indicators")["indicators"]}
    summary = cli_json(env, "indicators")["summary"]

    dash_duo.start_server(create_app(dashboard_settings))
    dash_duo.wait_for_text_to_equal(
        "#overview-distributors", f"{sum(r['distributors'] for r in levels):,}", timeout=20
    )
    shown = lambda key: dash_duo.find_element(f"#overview-{key}").text  # noqa: E731
    assert shown("active") == f"{sum(r['distributors'] for r in active):,}"
    assert shown("depth") == str(max(r["level"] for r in levels))
    assert money_cents(shown("revenue")) == sum(money_cents(r["revenue"]) for r in levels)
    assert money_cents(shown("commissions")) == sum(money_cents(r["commissions"]) for r in levels)
    assert shown("retail-share") == _pct(indicators["end_user_sales_share"]["value"])
    assert shown("zero-share") == _pct(indicators["zero_earner_share"]["value"])
    dash_duo.wait_for_contains_text("#overview-risks", summary[0][:40], timeout=20)
    risks = dash_duo.find_elements("#overview-risks li")
    assert [li.text for li in risks] == summary
    assert dash_duo.find_elements("#overview-growth .bars")  # the growth chart drew its bars
    assert dash_duo.get_logs() == []


def test_levels_page_filters_exports_and_matches_the_cli(
    dash_duo, dashboard_network, dashboard_settings
):
    env = settings_env(dashboard_settings)
    whole = cli_json(env, "levels")["levels"]
    dash_duo.start_server(create_app(dashboard_settings))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/levels")
    shown = grid_rows(dash_duo, "#levels-grid")
    assert [(r["level"], r["distributors"], r["revenue"], r["commissions"]) for r in shown] == [
        (str(r["level"]), str(r["distributors"]), r["revenue"], r["commissions"]) for r in whole
    ]

    # A root by type-ahead: the frontline distributor with the largest downline.
    root = largest_leg(env, dashboard_network)
    subtree = cli_json(env, "levels", "--root", root, "--active-only", "--from", "2025-01-01")[
        "levels"
    ]
    choose(dash_duo, "levels-root", root[:-1], root)
    dash_duo.find_element("#levels-active input[value='active']").click()
    start = dash_duo.find_element("#levels-from")
    start.send_keys("2025-01-01\n")
    dash_duo.wait_for_contains_text(
        "#levels-status",
        f"downline of {root}: {sum(r['distributors'] for r in subtree):,}",
        timeout=20,
    )
    shown = grid_rows(dash_duo, "#levels-grid")
    assert [(r["level"], r["distributors"], r["revenue"]) for r in shown] == [
        (str(r["level"]), str(r["distributors"]), r["revenue"]) for r in subtree
    ]

    # A bad date says so and keeps the table.
    start.clear()
    start.send_keys("2025-13-01\n")
    dash_duo.wait_for_contains_text("#levels-status", "is not a date", timeout=10)
    assert len(grid_rows(dash_duo, "#levels-grid")) == len(subtree)

    # CSV export: the file holds the rows on screen.
    start.clear()
    start.send_keys("2025-01-01\n")
    dash_duo.wait_for_contains_text("#levels-status", f"downline of {root}", timeout=10)
    dash_duo.find_element("#levels-grid-csv").click()
    exported = downloaded_csv(Path(dash_duo.download_path) / "levels.csv")
    assert [(r["level"], r["distributors"], r["revenue"]) for r in exported] == [
        (str(r["level"]), str(r["distributors"]), r["revenue"]) for r in subtree
    ]

    # A period that ends before it starts is refused as the CLI refuses it.
    dash_duo.find_element("#levels-to").send_keys("2024-12-31\n")
    dash_duo.wait_for_contains_text("#levels-status", "from 2025-01-01 is after to", timeout=10)
    assert len(grid_rows(dash_duo, "#levels-grid")) == len(subtree)
    assert dash_duo.get_logs() == []


def test_distributor_page_matches_the_cli_and_links_up(
    dash_duo, dashboard_network, dashboard_settings
):
    env = settings_env(dashboard_settings)
    leg = largest_leg(env, dashboard_network)
    profile = cli_json(env, "distributor", leg)

    dash_duo.start_server(create_app(dashboard_settings))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/distributor/{leg}")
    dash_duo.wait_for_text_to_equal(
        "#distributor-downline-size", f"{profile['downline']['size']:,}", timeout=20
    )
    assert dash_duo.find_element("#distributor-commission_cents").text == profile["commissions"]
    assert dash_duo.find_element("#distributor-frontline").text == f"{profile['frontline']:,}"
    dash_duo.wait_for_element("#distributor-upline .ag-row a", timeout=10)
    upline = grid_rows(dash_duo, "#distributor-upline")
    assert [r["id"] for r in upline] == [u["id"] for u in profile["upline"]]

    # The sponsor's cell links to the sponsor's page.
    dash_duo.find_element("#distributor-upline .ag-row[row-index='0'] a").click()
    sponsor = profile["upline"][0]["id"]
    dash_duo.wait_for_text_to_equal("#distributor-title", f"Distributor {sponsor}", timeout=20)
    assert dash_duo.get_logs() == []


def test_unknown_distributor_and_neo4j_down_are_said_plainly(dash_duo, dashboard_settings):
    down = dashboard_settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}"})
    app = create_app(down)
    dash_duo.start_server(app)
    dash_duo.wait_for_contains_text("#overview-status", "not reachable", timeout=20)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/levels")
    dash_duo.wait_for_contains_text("#levels-status", "not reachable", timeout=20)
    text = dash_duo.find_element("body").text
    assert "Traceback" not in text and down.neo4j_password.get_secret_value() not in text
    assert dash_duo.get_logs() == []
    app.server.extensions[EXTENSION_KEY].driver.close()
