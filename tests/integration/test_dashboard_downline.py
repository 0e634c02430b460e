"""The downline page in a real headless Chromium: the summarised sunburst and the neighbourhood,
each checked against the same answer computed with pandas from the generated CSVs."""

from __future__ import annotations

from collections import defaultdict, deque

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.app import create_app
from queries.explore import kept_per_parent
from tests.support.browser import grid_data, plotly_data
from tests.support.expected import read

pytestmark = pytest.mark.browser


# Clicks a point inside the sunburst sector of a distributor (its bounding box's centre can lie
# on another sector), once that point is on top (the sector or its label); false until then.
CLICK_SECTOR = """
const plot = document.querySelector('#downline-chart .js-plotly-plot');
const path = plot && [...plot.querySelectorAll('path.surface')]
  .find(p => p.__data__?.data?.id === arguments[0]);
if (!path) { return false; }
path.scrollIntoView({block: 'center'});  // elementFromPoint sees only the viewport
const length = path.getTotalLength();
for (const [u, v] of [[0.3, 0.8], [0.2, 0.7], [0.4, 0.9]]) {
  const a = path.getPointAtLength(length * u), b = path.getPointAtLength(length * v);
  const at = new DOMPoint((a.x + b.x) / 2, (a.y + b.y) / 2).matrixTransform(path.getScreenCTM());
  const hit = document.elementFromPoint(at.x, at.y);  // the sector, or its own label
  if (!hit || !(hit === path || path.parentNode.contains(hit))) { continue; }
  for (const type of ['mousedown', 'mouseup', 'click']) {
    path.dispatchEvent(new MouseEvent(type, {bubbles: true, clientX: at.x, clientY: at.y}));
  }
  return true;
}
return false;
"""


class Tree:
    def __init__(self, folder):
        dist = read(folder, "distributors")
        self.sponsor = dict(zip(dist.distributor_id, dist.sponsor_id, strict=True))
        self.children = defaultdict(list)
        for did, sponsor in self.sponsor.items():
            if sponsor:
                self.children[sponsor].append(did)

    def size(self, did: str) -> int:
        total, stack = 0, [did]
        while stack:
            node = stack.pop()
            total += 1
            stack.extend(self.children[node])
        return total

    def within(self, centre: str, hops: int) -> set[str]:
        seen, queue = {centre: 0}, deque([centre])
        while queue:
            node = queue.popleft()
            if seen[node] == hops:
                continue
            near = list(self.children[node]) + ([self.sponsor[node]] if self.sponsor[node] else [])
            for other in near:
                if other not in seen:
                    seen[other] = seen[node] + 1
                    queue.append(other)
        return set(seen)


def test_sunburst_keeps_the_largest_legs_and_drills_down(
    dash_duo, dashboard_network, dashboard_settings
):
    tree = Tree(dashboard_network)
    root = next(d for d, s in tree.sponsor.items() if not s)
    legs = sorted(tree.children[root], key=lambda d: (-tree.size(d), d))
    keep = kept_per_parent(3)

    dash_duo.start_server(create_app(dashboard_settings))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/downline?root={root}")
    trace = plotly_data(dash_duo, "downline-chart")[0]
    value = dict(zip(trace["ids"], trace["values"], strict=True))
    parent = dict(zip(trace["ids"], trace["parents"], strict=True))
    assert value[root] == tree.size(root)
    shown_legs = [i for i in trace["ids"] if parent[i] == root and not i.startswith("others:")]
    assert shown_legs == legs[:keep]
    assert [value[leg] for leg in shown_legs] == [tree.size(leg) for leg in legs[:keep]]
    if len(legs) > keep:
        assert value[f"others:{root}"] == sum(tree.size(leg) for leg in legs[keep:])
    assert sum(value[i] for i in trace["ids"] if parent[i] == root) == tree.size(root) - 1

    # Fewer levels: the root and its frontline (kept and others) only.
    dash_duo.find_element("#downline-depth input[value='1']").click()
    WebDriverWait(dash_duo.driver, 20).until(
        lambda d: (
            len(plotly_data(dash_duo, "downline-chart")[0]["ids"])
            == 1 + min(len(legs), kept_per_parent(1)) + (len(legs) > kept_per_parent(1))
        )
    )
    dash_duo.find_element("#downline-depth input[value='3']").click()
    # A click on the largest leg's sector makes it the centre.
    WebDriverWait(dash_duo.driver, 20).until(
        lambda d: d.execute_script(CLICK_SECTOR, legs[0]), "no clickable sector"
    )
    dash_duo.wait_for_contains_text("#downline-status", f"({legs[0]})", timeout=20)
    trace = plotly_data(dash_duo, "downline-chart")[0]
    assert trace["ids"][0] == legs[0] and trace["values"][0] == tree.size(legs[0])

    # The icicle shows the same sectors.
    dash_duo.find_element("#downline-kind input[value='icicle']").click()
    WebDriverWait(dash_duo.driver, 20).until(
        lambda d: plotly_data(dash_duo, "downline-chart")[0]["type"] == "icicle"
    )
    assert plotly_data(dash_duo, "downline-chart")[0]["ids"] == trace["ids"]
    assert dash_duo.get_logs() == []


def test_neighbourhood_holds_everyone_within_the_hops(
    dash_duo, dashboard_network, dashboard_settings
):
    tree = Tree(dashboard_network)
    root = next(d for d, s in tree.sponsor.items() if not s)
    centre = sorted(tree.children[root], key=lambda d: (-tree.size(d), d))[0]
    expected = tree.within(centre, 2)
    assert 1 < len(expected) <= 300

    dash_duo.start_server(create_app(dashboard_settings))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/downline?root={centre}")
    shown = grid_data(dash_duo, "downline-grid")
    assert {row["id"] for row in shown} == expected
    hop = {row["id"]: row["hop"] for row in shown}
    assert hop[centre] == 0 and hop[root] == 1
    assert dash_duo.find_elements("#downline-network canvas")

    # One hop: the sponsor and the frontline.
    dash_duo.find_element("#downline-hops input[value='1']").click()
    WebDriverWait(dash_duo.driver, 20).until(
        lambda d: (
            {row["id"] for row in grid_data(dash_duo, "downline-grid")} == tree.within(centre, 1)
        )
    )
    assert dash_duo.get_logs() == []
