"""The Indicators page in a real headless Chromium against the real Neo4j: the indicators and
risk summary checked against the CLI's JSON, and the subtrees that cross an indicator most
against a brute force over the generated CSV files, one subtree at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.app import create_app
from queries.indicators import MIN_SUBTREE, NOT_BY_SUBTREE, RATIOS, TOP
from tests.integration.test_analytics import Expected
from tests.support.browser import choose, cli_json, downloaded_csv, grid_rows
from tests.support.expected import per_distributor_totals
from tests.support.servers import settings_env

pytestmark = pytest.mark.browser

SUBTREE_ROWS = "#indicators-subtrees .ag-center-cols-container .ag-row"


def _pct(value: float | None) -> str:
    return "no data" if value is None else f"{value * 100:.1f} %"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _cli_rows(found: dict) -> list[dict]:
    """The indicators as the page should show them."""
    return [
        {
            "name": i["name"],
            "value": _pct(i["value"]),
            "threshold": i["threshold"],
            "crossed": _yes(i["crossed"]),
            "source": i["source"],
            "detail": i["detail"],
        }
        for i in found["indicators"]
    ]


class Network(Expected):
    """The generated network as its CSV files hold it, with two indicators counted by hand."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.ids = list(self.sponsor)
        self.roots = [did for did, above in self.sponsor.items() if not above]
        self.totals = per_distributor_totals(folder)
        comms, orders = self.comms, self.orders
        kind = comms.order_id.map(dict(zip(orders.order_id, orders.kind, strict=True)))
        recruiting = (comms.type == "recruitment") | (kind == "starter_kit")
        self.paid = comms.groupby("earner_id").cents.sum().to_dict()
        self.recruiting = comms[recruiting].groupby("earner_id").cents.sum().to_dict()

    def ratio(self, key: str, members: list[str]) -> tuple[int, int]:
        if key == "net_loss_rate":
            own = self.totals.loc[members]
            return int((own.earned < own.personal + own.starter_kit).sum()), len(members)
        if key == "recruitment_payout_share":
            part = sum(self.recruiting.get(d, 0) for d in members)
            return part, sum(self.paid.get(d, 0) for d in members)
        raise AssertionError(key)

    def subtrees(self, key: str) -> list[dict]:
        """The subtrees furthest above the 50 % threshold, as the page should show them."""
        ranked = []
        for root in self.ids:
            members = self.subtree(root)
            part, whole = self.ratio(key, members)
            if len(members) >= MIN_SUBTREE and whole:
                value = part / whole
                ranked.append((-(value - 0.5), -len(members), root, value))
        ranked.sort()
        return [
            {"root": root, "distributors": str(-size), "value": _pct(v), "crossed": _yes(v > 0.5)}
            for _, size, root, v in ranked[:TOP]
        ]


def _eventually(dash_duo, read_rows, expected, timeout: float = 20):
    """Wait until the grid shows `expected`, then compare (so a failure shows the difference)."""
    try:
        WebDriverWait(dash_duo.driver, timeout).until(lambda _: read_rows() == expected)
    except TimeoutException:  # the assertion below says what differs
        pass
    assert read_rows() == expected


def test_indicators_page_matches_the_cli_and_names_the_subtrees(
    dash_duo, dashboard_network, dashboard_settings
):
    env = settings_env(dashboard_settings)
    whole = cli_json(env, "indicators")
    names = {i["key"]: i["name"] for i in whole["indicators"]}
    network = Network(dashboard_network)

    dash_duo.start_server(create_app(dashboard_settings))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/indicators")
    shown = lambda: grid_rows(dash_duo, "#indicators-grid")  # noqa: E731
    _eventually(dash_duo, shown, _cli_rows(whole))
    risks = [li.text for li in dash_duo.find_elements("#indicators-summary li")]
    assert risks == whole["summary"]
    crossed = sum(i["crossed"] for i in whole["indicators"])
    dash_duo.wait_for_text_to_equal(
        "#indicators-status", f"whole network: {crossed} of {len(names)} thresholds crossed"
    )

    # The first breakdown is shown at once; then each picked indicator's.
    dash_duo.wait_for_contains_text("#indicators-note", names[next(iter(RATIOS))], timeout=20)
    assert grid_rows(dash_duo, "#indicators-subtrees")
    subtrees = lambda: grid_rows(dash_duo, "#indicators-subtrees")  # noqa: E731
    for key in ("net_loss_rate", "recruitment_payout_share"):
        expected = network.subtrees(key)
        choose(dash_duo, "indicators-pick", names[key][:12], names[key])
        dash_duo.wait_for_contains_text("#indicators-note", names[key], timeout=20)
        _eventually(dash_duo, subtrees, expected)
        assert f"{sum(r['crossed'] == 'yes' for r in expected)} cross it" in (
            dash_duo.find_element("#indicators-note").text
        )
    # Roots link to their distributor's page; the export holds the plain ids.
    link = dash_duo.find_element("#indicators-subtrees .ag-row[row-index='0'] a")
    assert link.get_attribute("href").endswith(f"/distributor/{expected[0]['root']}")
    dash_duo.find_element("#indicators-subtrees-csv").click()
    exported = downloaded_csv(Path(dash_duo.download_path) / "indicator-subtrees.csv")
    assert exported == expected

    # An indicator that is not a sum over distributors says so, with no rows.
    key = "top_1_percent_share"
    choose(dash_duo, "indicators-pick", names[key][:12], names[key])
    dash_duo.wait_for_text_to_equal("#indicators-note", NOT_BY_SUBTREE[key], timeout=20)
    WebDriverWait(dash_duo.driver, 10).until(lambda d: not dash_duo.find_elements(SUBTREE_ROWS))

    dash_duo.find_element("#indicators-grid-csv").click()
    assert downloaded_csv(Path(dash_duo.download_path) / "indicators.csv") == _cli_rows(whole)
    assert dash_duo.get_logs() == []


def test_indicators_follow_the_filter_bar(dash_duo, dashboard_network, dashboard_settings):
    env = settings_env(dashboard_settings)
    network = Network(dashboard_network)
    # A root by type-ahead: the frontline distributor with the largest downline.
    root = max(network.children[network.roots[0]], key=lambda d: (len(network.subtree(d)), d))
    found = cli_json(env, "indicators", "--root", root, "--active-only", "--from", "2025-01-01")
    crossed = sum(i["crossed"] for i in found["indicators"])

    dash_duo.start_server(create_app(dashboard_settings))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/indicators")
    grid_rows(dash_duo, "#indicators-grid")
    choose(dash_duo, "indicators-root", root[:-1], root)
    dash_duo.find_element("#indicators-active input[value='active']").click()
    start = dash_duo.find_element("#indicators-from")
    start.send_keys("2025-01-01\n")
    status = f"downline of {root}: {crossed} of {len(found['indicators'])} thresholds crossed"
    dash_duo.wait_for_text_to_equal("#indicators-status", status, timeout=20)
    shown = lambda: grid_rows(dash_duo, "#indicators-grid")  # noqa: E731
    _eventually(dash_duo, shown, _cli_rows(found))
    risks = [li.text for li in dash_duo.find_elements("#indicators-summary li")]
    assert risks == found["summary"]
    team = set(network.subtree(root))
    for row in grid_rows(dash_duo, "#indicators-subtrees"):
        assert row["root"] in team and int(row["distributors"]) <= len(team)

    # A bad date says so and keeps what was shown.
    start.clear()
    start.send_keys("2025-13-01\n")
    dash_duo.wait_for_contains_text("#indicators-status", "is not a date", timeout=10)
    assert shown() == _cli_rows(found)
    assert dash_duo.get_logs() == []
