"""How pages reach the driver, settings and cache: through the Flask app, never a module
global, so several apps (tests, gunicorn workers) live side by side."""

from __future__ import annotations

from dataclasses import dataclass

import flask
import neo4j
from flask_caching import Cache

from downline.settings import Settings

EXTENSION_KEY = "downline"


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    driver: neo4j.Driver
    cache: Cache

    @property
    def database(self) -> str:
        return self.settings.neo4j_database


def attach(server: flask.Flask, context: AppContext) -> None:
    server.extensions[EXTENSION_KEY] = context


def current() -> AppContext:
    """The context of the app serving this request (pages call this inside layout/callbacks)."""
    return flask.current_app.extensions[EXTENSION_KEY]
