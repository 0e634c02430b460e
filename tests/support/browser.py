"""Reading what a page shows, in the browser, the way a user sees it."""

from __future__ import annotations

import json

from selenium.webdriver.support.ui import WebDriverWait

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


def cli_json(run_cli, env, *args: str):
    result = run_cli(*args, "--format", "json", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def choose(dash_duo, dropdown_id: str, typed: str, value: str, timeout: float = 15) -> None:
    """Open a Dash 4 dropdown, type into its search box, click the option for `value` (its
    label starts with the value and a space)."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    dash_duo.find_element(".dash-dropdown-search").send_keys(typed)

    def option(driver):
        for found in driver.find_elements("css selector", ".dash-dropdown-option"):
            if found.text == value or found.text.startswith(value + " "):
                return found
        return False

    WebDriverWait(dash_duo.driver, timeout).until(option).click()
