"""The dashboard's login: HTTP basic auth in front of every request, from settings.

Optional on a loopback address (a workstation), required on any other: the app refuses to be
built for a non-loopback address without a password.
"""

from __future__ import annotations

import hmac

import flask

from downline.errors import DownlineError
from downline.settings import LOOPBACK_HOSTS, Settings

CHALLENGE = {"WWW-Authenticate": 'Basic realm="downline", charset="UTF-8"'}


def require_login(server: flask.Flask, settings: Settings) -> None:
    if settings.dashboard_password is None:
        if settings.dashboard_host not in LOOPBACK_HOSTS:
            raise DownlineError(
                f"refusing to serve on {settings.dashboard_host} without a login: set "
                "DASHBOARD_PASSWORD (and DASHBOARD_USER), or bind to a loopback address"
            )
        return
    user = settings.dashboard_user.encode()
    password = settings.dashboard_password.get_secret_value().encode()

    @server.before_request
    def _check_login():
        given = flask.request.authorization
        if given is not None:
            same_user = hmac.compare_digest((given.username or "").encode(), user)
            same_password = hmac.compare_digest((given.password or "").encode(), password)
            if same_user and same_password:
                flask.g.user = given.username
                return None
        return flask.Response("Log in to see the downline dashboard.", 401, CHALLENGE)


def current_user() -> str | None:
    """The login of this request, or None when the dashboard runs without one."""
    return flask.g.get("user")
