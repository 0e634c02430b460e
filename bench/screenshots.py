"""The README's screenshots, taken from the real dashboard (`make screenshots`: the demo's
20,000 generated distributors): one PNG per page in docs/screenshots/."""

from __future__ import annotations

import argparse
from pathlib import Path

from pages import PAGES, browser_with_network_log, render, status_id

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8050")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    from downline.connection import driver_for
    from downline.settings import Settings
    from queries.explore import first_root

    settings = Settings()
    with driver_for(settings) as driver:
        root = first_root(driver, settings.neo4j_database)
    args.out.mkdir(parents=True, exist_ok=True)
    browser = browser_with_network_log(height=1600)
    try:
        for page in [*PAGES, f"/distributor/{root}"]:
            render(browser, args.url + page, status_id(page))
            name = page.strip("/").split("/")[0] or "overview"
            browser.save_screenshot(str(args.out / f"{name}.png"))
            print(f"{name}.png")
    finally:
        browser.quit()


if __name__ == "__main__":
    main()
