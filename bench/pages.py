"""The dashboard's pages as a headless Chromium sees them: open one, wait until every callback
has answered. Shared by the dashboard benchmark and the README's screenshots."""

from __future__ import annotations

import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options

PAGES = ["/", "/levels", "/money-flow", "/downline", "/earnings", "/indicators", "/queries"]
DONE = """
const store = window.store;
if (!store || !document.getElementById(arguments[0])) { return false; }
const callbacks = Object.assign({}, store.getState().callbacks);
delete callbacks.stored; delete callbacks.completed;
return [].concat(...Object.values(callbacks)).length === 0;
"""


def browser_with_network_log(height: int = 1000) -> webdriver.Chrome:
    options = Options()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size=1400,{height}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(options=options)


def render(browser, url: str, status_id: str, timeout: float = 1200) -> float:
    """Seconds from navigation until the page's callbacks have all answered (seen twice)."""
    began = time.monotonic()
    browser.get(url)
    settled = 0
    while time.monotonic() - began < timeout:
        settled = settled + 1 if browser.execute_script(DONE, status_id) else 0
        if settled == 2:
            return time.monotonic() - began - 0.05
        time.sleep(0.05)
    raise TimeoutError(url)


def type_ahead(browser, dropdown_id: str, text: str) -> None:
    """Type into a Dash 4 dropdown's search box, as a user looking for a distributor does."""
    browser.find_element("css selector", f"#{dropdown_id}").click()
    browser.find_element("css selector", ".dash-dropdown-search").send_keys(text)
    time.sleep(2)  # the type-ahead callback answers meanwhile


def status_id(page: str) -> str:
    """Every page has a status line `<prefix>-status`."""
    prefix = {
        "/": "overview",
        "/money-flow": "flow",
        "/queries": "queries",
    }.get(page, page.strip("/").split("/")[0])
    return f"{prefix}-status"
