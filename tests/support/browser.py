"""Reading what a page shows, in the browser, the way a user sees it."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.expected import read
from tests.support.servers import run_cli

_GRID_ROWS = """
const rows = [...document.querySelectorAll(arguments[0] + ' .ag-center-cols-container .ag-row')];
rows.sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')));
return rows.map(row => Object.fromEntries(
  [...row.querySelectorAll('.ag-cell')]
    .map(c => [c.getAttribute('col-id'), c.textContent.trim()])));
"""


def grid_rows(dash_duo, selector: str, timeout: float = 20) -> list[dict]:
    """The rows a grid renders, first to last: {column: text shown}; waits for at least one."""
    WebDriverWait(dash_duo.driver, timeout).until(
        lambda driver: driver.execute_script(_GRID_ROWS, selector)
    )
    return dash_duo.driver.execute_script(_GRID_ROWS, selector)


def cli_json(env, *args: str):
    result = run_cli(*args, "--format", "json", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def choose(dash_duo, dropdown_id: str, typed: str, value: str, timeout: float = 15) -> None:
    """Open a Dash 4 dropdown, type into its search box, click the option for `value` (its
    label starts with the value and a space)."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    dash_duo.find_element(".dash-dropdown-search").send_keys(typed)

    def click_option(driver) -> bool:
        try:  # the options are drawn again when the type-ahead answers: look again if so
            for found in driver.find_elements("css selector", ".dash-dropdown-option"):
                if found.text == value or found.text.startswith(value + " "):
                    found.click()
                    return True
        except StaleElementReferenceException:
            pass
        return False

    WebDriverWait(dash_duo.driver, timeout).until(click_option)


def grid_data(dash_duo, grid_id: str, timeout: float = 20) -> list[dict]:
    """Every row a grid holds (rendered or not), through AG Grid's API, in display order."""
    script = """
    const api = window.dash_ag_grid && dash_ag_grid.getApi(arguments[0]);
    if (!api) { return null; }
    const rows = [];
    api.forEachNodeAfterFilterAndSort(node => rows.push(node.data));
    return rows.length ? rows : null;
    """

    def ready(driver):
        try:
            return driver.execute_script(script, grid_id)
        except Exception:  # the grid is not mounted yet
            return None

    return WebDriverWait(dash_duo.driver, timeout).until(ready)


def plotly_data(dash_duo, graph_id: str, timeout: float = 20) -> list[dict]:
    """The traces a dcc.Graph drew (its figure's data, as plotly holds it)."""
    script = """
    const plot = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
    if (!plot || !plot.data || !plot.data.length) { return null; }
    // numpy arrays arrive as typed arrays, which plotly may wrap in {_inputArray}
    const plain = v => (ArrayBuffer.isView(v) ? Array.from(v)
      : v && v._inputArray ? Array.from(v._inputArray) : v);
    return plot.data.map(t => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, plain(v)])));
    """
    return WebDriverWait(dash_duo.driver, timeout).until(
        lambda driver: driver.execute_script(script, graph_id)
    )


def money_cents(text: str) -> int:
    """'1234.50' -> 123450 cents, exactly."""
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int(cents or 0)


def largest_leg(env, folder) -> str:
    """The frontline distributor of the first root with the largest downline."""
    distributors = read(folder, "distributors")
    top = distributors[distributors.sponsor_id == ""].distributor_id.iloc[0]
    return cli_json(env, "query", "run", "largest-legs", "--param", f"id={top}")[0]["leg"]


def downloaded_csv(path: Path, timeout: float = 10) -> list[dict]:
    deadline = time.monotonic() + timeout
    while not path.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    with path.open(newline="", encoding="utf-8-sig") as handle:  # AG Grid writes a BOM
        return list(csv.DictReader(handle))
