"""Money flow and earnings pages in a real headless Chromium against the real Neo4j: the Sankey's
links, the generation-gap bars, the income disclosure, the Lorenz curve and the grids checked
against the CLI's JSON over the same data, before and after the filters change."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dashboard.app import create_app
from downline.output import money
from tests.support.browser import (
    choose,
    cli_json,
    downloaded_csv,
    grid_data,
    grid_rows,
    largest_leg,
    money_cents,
    plotly_data,
)
from tests.support.servers import settings_env

pytestmark = pytest.mark.browser

PERIOD = ("2026-01-01", "2026-06-30")  # within the generated 18 months, which end 2026-10
FILTERED = ("--active-only", "--from", PERIOD[0], "--to", PERIOD[1])

_SANKEY = """
const plot = document.querySelector('#flow-sankey .js-plotly-plot');
if (!plot || !plot.data || !plot.data.length) { return null; }
const trace = plot.data[0];
return {
  label: trace.node.label,
  link: Array.from(trace.link.source).map((s, i) => [s, trace.link.target[i], trace.link.value[i]]),
};
"""


def _settles(read, expected, timeout: float = 20):
    """What `read()` answers once it equals `expected`, or its last answer after `timeout`."""
    deadline = time.monotonic() + timeout
    while (found := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def _links_shown(dash_duo) -> dict[tuple[str, str], int] | None:
    """The Sankey's links as (from label, to label) -> cents."""
    trace = dash_duo.driver.execute_script(_SANKEY)
    if trace is None:
        return None
    label = trace["label"]
    return {(label[s], label[t]): round(value * 100) for s, t, value in trace["link"]}


def _links_expected(found: dict) -> dict[tuple[str, str], int]:
    """The links `downline flows` implies: kind and level -> level volume -> earners' level."""
    links = {
        (f"{r['kind'].replace('_', ' ')}, level {r['level']}", f"level {r['level']} volume"): r[
            "cents"
        ]
        for r in found["entering"]
    }
    for r in found["by_level"]:
        level = r["source_level"]
        payer = "no source named" if level is None else f"level {level} volume"
        links[(payer, f"earners at level {r['earner_level']}")] = money_cents(r["commission"])
    return links


def _check_flows(dash_duo, found: dict) -> None:
    expected = _links_expected(found)
    assert _settles(lambda: _links_shown(dash_duo), expected) == expected
    nodes = {label for pair in expected for label in pair}
    drawn = _settles(lambda: len(dash_duo.find_elements("#flow-sankey .sankey-node")), len(nodes))
    assert drawn == len(nodes)

    gaps = found["by_generation_gap"]
    bars = _settles(lambda: plotly_data(dash_duo, "flow-gap")[0]["x"], [g["gap"] for g in gaps])
    assert bars == [g["gap"] for g in gaps]
    shares = plotly_data(dash_duo, "flow-gap")[0]["y"]
    assert shares == pytest.approx([g["share"] * 100 for g in gaps], abs=0.006)
    assert len(dash_duo.find_elements("#flow-gap .bars .point")) == len(gaps)

    assert (
        _settles(lambda: grid_data(dash_duo, "flow-grid"), found["by_level"]) == found["by_level"]
    )
    shown = grid_rows(dash_duo, "#flow-grid")
    as_text = lambda value: "" if value is None else str(value)  # noqa: E731
    assert [(r["source_level"], r["earner_level"], r["commission"]) for r in shown] == [
        (as_text(r["source_level"]), str(r["earner_level"]), r["commission"])
        for r in found["by_level"][: len(shown)]
    ]


def test_money_flow_matches_the_cli_and_follows_the_filters(
    dash_duo, dashboard_network, dashboard_settings
):
    env = settings_env(dashboard_settings)
    whole = cli_json(env, "flows")
    assert whole["entering"] and whole["by_level"] and whole["by_generation_gap"]
    dash_duo.start_server(create_app(dashboard_settings))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/money-flow")
    entering = money(sum(r["cents"] for r in whole["entering"]))
    dash_duo.wait_for_contains_text("#flow-status", f"whole network: {entering} entering", 30)
    _check_flows(dash_duo, whole)

    root = largest_leg(env, dashboard_network)
    subtree = cli_json(env, "flows", "--root", root, *FILTERED)
    assert subtree["by_level"] != whole["by_level"]
    choose(dash_duo, "flow-root", root[:-1], root)
    dash_duo.find_element("#flow-active input[value='active']").click()
    dash_duo.find_element("#flow-from").send_keys(f"{PERIOD[0]}\n")
    dash_duo.find_element("#flow-to").send_keys(f"{PERIOD[1]}\n")
    entering = money(sum(r["cents"] for r in subtree["entering"]))
    dash_duo.wait_for_contains_text("#flow-status", f"downline of {root}: {entering} entering", 30)
    _check_flows(dash_duo, subtree)
    assert dash_duo.get_logs() == []


def _kpi(dash_duo, key: str) -> str:
    return dash_duo.find_element(f"#earnings-{key}").text


def _check_earnings(dash_duo, found: dict, periods: list[dict]) -> None:
    assert _kpi(dash_duo, "mean") == found["mean"]
    assert _kpi(dash_duo, "median") == found["median"]
    assert float(_kpi(dash_duo, "gini")) == found["gini"]
    for key, share in (("top-1", "top_1_percent_share"), ("top-10", "top_10_percent_share")):
        assert float(_kpi(dash_duo, key).removesuffix(" %")) == pytest.approx(
            found[share] * 100, abs=0.051
        )

    bands = [(b["band"], str(b["participants"]), b["total"]) for b in found["bands"]]
    shown = _settles(
        lambda: [
            (r["band"], r["participants"], r["total"])
            for r in grid_rows(dash_duo, "#earnings-bands")
        ],
        bands,
    )
    assert shown == bands
    histogram = plotly_data(dash_duo, "earnings-histogram")[0]
    assert histogram["x"] == [b["band"] for b in found["bands"]]
    assert histogram["y"] == [b["participants"] for b in found["bands"]]
    assert dash_duo.find_elements("#earnings-histogram .bars")

    curve, equality = plotly_data(dash_duo, "earnings-lorenz")
    assert curve["x"] == pytest.approx([p["participants"] for p in found["lorenz"]])
    assert curve["y"] == pytest.approx([p["commissions"] for p in found["lorenz"]])
    assert (equality["x"], equality["y"]) == ([0, 1], [0, 1])
    title = dash_duo.driver.execute_script(
        "return document.querySelector('#earnings-lorenz .js-plotly-plot').layout.title.text"
    )
    assert f"Gini {found['gini']:.4f}" in title

    assert (
        _settles(lambda: grid_data(dash_duo, "earnings-ranks"), found["by_rank"])
        == found["by_rank"]
    )
    shown = _settles(
        lambda: [r["cohort"] for r in grid_data(dash_duo, "earnings-cohorts")],
        [c["cohort"] for c in periods],
    )
    assert shown == [c["cohort"] for c in periods]
    for row, cohort in zip(grid_data(dash_duo, "earnings-cohorts"), periods, strict=True):
        assert (row["recruits"], row["median_commission"]) == (
            cohort["recruits"],
            cohort["median_commission"],
        )
        for months in (3, 6, 12):
            key = f"active_after_{months}"
            assert (row[key] is None) == (cohort[key] is None)
            assert row[key] == pytest.approx(cohort[key], abs=5e-5)


def test_earnings_match_the_cli_filter_and_export(dash_duo, dashboard_network, dashboard_settings):
    env = settings_env(dashboard_settings)
    whole = cli_json(env, "earnings")
    cohorts = cli_json(env, "cohorts")["cohorts"]
    dash_duo.start_server(create_app(dashboard_settings))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/earnings")
    dash_duo.wait_for_text_to_equal("#earnings-participants", f"{whole['participants']:,}", 30)
    _check_earnings(dash_duo, whole, cohorts)

    root = largest_leg(env, dashboard_network)
    subtree = cli_json(env, "earnings", "--root", root, *FILTERED)
    young = cli_json(env, "cohorts", "--root", root, *FILTERED)["cohorts"]
    assert subtree["participants"] < whole["participants"]
    choose(dash_duo, "earnings-root", root[:-1], root)
    dash_duo.find_element("#earnings-active input[value='active']").click()
    dash_duo.find_element("#earnings-from").send_keys(f"{PERIOD[0]}\n")
    dash_duo.find_element("#earnings-to").send_keys(f"{PERIOD[1]}\n")
    dash_duo.wait_for_contains_text(
        "#earnings-status",
        f"downline of {root}: {subtree['participants']:,} participants, {subtree['total']}",
        30,
    )
    assert _kpi(dash_duo, "participants") == f"{subtree['participants']:,}"
    _check_earnings(dash_duo, subtree, young)

    # CSV export: the file holds the disclosure on screen.
    dash_duo.find_element("#earnings-bands-csv").click()
    exported = downloaded_csv(Path(dash_duo.download_path) / "income-disclosure.csv")
    assert [(r["band"], r["participants"], r["total"]) for r in exported] == [
        (b["band"], str(b["participants"]), b["total"]) for b in subtree["bands"]
    ]
    assert dash_duo.get_logs() == []
