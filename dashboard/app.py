"""Builds the Dash app around a driver that the caller owns."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import dcc, html

from dashboard.auth import require_login
from dashboard.context import AppContext, attach
from dashboard.data import make_cache, start_warmer
from downline.connection import driver_for
from downline.settings import Settings

PAGES_FOLDER = Path(__file__).parent / "pages"
# Seconds a page's query keeps retrying before the page says that Neo4j is unreachable.
PAGE_RETRY_SECONDS = 2.0


def create_app(settings: Settings, driver=None) -> dash.Dash:
    """A Dash app reading through `driver` (one is built from settings if none is given)."""
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        title="downline",
        suppress_callback_exceptions=True,  # each page's components exist only on that page
    )
    require_login(app.server, settings)
    driver = driver or driver_for(settings, retry_seconds=PAGE_RETRY_SECONDS)
    attach(app.server, AppContext(settings, driver, make_cache(app.server, settings)))
    start_warmer(app.server, settings.dashboard_warm_seconds)
    app.layout = html.Div(
        [
            html.Header(
                [
                    dcc.Link(html.Strong("downline"), href="/", className="brand"),
                    html.Nav(
                        [
                            dcc.Link(page["name"], href=page["relative_path"])
                            for page in dash.page_registry.values()
                            if page.get("path_template") is None
                        ],
                        id="nav",
                    ),
                ],
                className="topbar",
            ),
            html.Main(dash.page_container),
        ]
    )
    _set_up_before_serving(app)
    return app


def _set_up_before_serving(app: dash.Dash) -> None:
    """Dash sets itself up on its first request, and under threaded workers the requests that
    arrive meanwhile find its component registry empty (plotly/dash#3971): their JavaScript
    bundles fail and the browser's page stays on "Loading...". One request here, before the
    server takes any, does the set-up."""
    app.server.test_client().get("/_dash-layout")


def __getattr__(name: str):
    """`dashboard.app:server` for gunicorn: a Flask server built from the environment."""
    if name == "server":
        return create_app(Settings()).server
    raise AttributeError(name)
