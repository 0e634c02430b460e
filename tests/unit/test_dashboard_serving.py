"""The dashboard's login and its two ways of being served, without Neo4j: the login answers
before any query runs."""

from __future__ import annotations

import base64
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.app import create_app
from downline.errors import DownlineError
from downline.settings import Settings
from tests.support.servers import REPO, clean_environ, free_port

SECRET = "correct horse battery"


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _settings(tmp_path, **values) -> Settings:
    return Settings(
        _env_file=None,
        neo4j_password="unused",
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        dashboard_cache_dir=tmp_path / "cache",
        **values,
    )


def test_with_a_password_every_request_needs_the_login(tmp_path):
    app = create_app(_settings(tmp_path, dashboard_password=SECRET, dashboard_user="ana"))
    client = app.server.test_client()
    for path in ("/", "/levels", "/_dash-layout", "/assets/style.css"):
        refused = client.get(path)
        assert refused.status_code == 401 and "Basic" in refused.headers["WWW-Authenticate"]
        assert client.get(path, headers=_basic("ana", "wrong")).status_code == 401
        assert client.get(path, headers=_basic("bob", SECRET)).status_code == 401
        assert client.get(path, headers=_basic("ana", SECRET)).status_code == 200
    assert SECRET not in client.get("/", headers=_basic("ana", SECRET)).get_data(as_text=True)


def test_on_loopback_the_login_is_optional(tmp_path):
    app = create_app(_settings(tmp_path))
    assert app.server.test_client().get("/").status_code == 200


def test_any_other_address_needs_a_password(tmp_path):
    with pytest.raises(DownlineError, match="DASHBOARD_PASSWORD"):
        create_app(_settings(tmp_path, dashboard_host="0.0.0.0"))
    app = create_app(_settings(tmp_path, dashboard_host="0.0.0.0", dashboard_password=SECRET))
    assert app.server.test_client().get("/").status_code == 401


def _wait_for(url: str, headers: dict[str, str], process, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing answered at {url}")


@pytest.mark.parametrize("how", ["cli", "gunicorn"])
def test_served_on_all_addresses_only_behind_the_login(tmp_path, how):
    port = free_port()
    env = clean_environ(
        DASHBOARD_HOST="0.0.0.0",
        DASHBOARD_PASSWORD=SECRET,
        DASHBOARD_CACHE_DIR=str(tmp_path / "cache"),
        NEO4J_URI=f"bolt://127.0.0.1:{free_port()}",
        NEO4J_PASSWORD="unused",
    )
    if how == "cli":
        command = [sys.executable, "-m", "downline", "dashboard", "--port", str(port)]
    else:
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        command = [gunicorn, "--workers", "2", "--bind", f"0.0.0.0:{port}", "dashboard.app:server"]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}/levels"
        assert _wait_for(url, {}, process) == 401
        assert _wait_for(url, _basic("analyst", SECRET), process) == 200
    finally:
        process.terminate()  # SIGTERM: a job started in the background ignores SIGINT
        _, errors = process.communicate(timeout=30)
    assert SECRET not in errors


def test_without_a_password_the_cli_refuses_all_addresses():
    env = clean_environ(DASHBOARD_HOST="0.0.0.0")
    result = subprocess.run(
        [sys.executable, "-m", "downline", "dashboard"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "loopback" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_first_requests_to_a_threaded_worker_all_succeed(tmp_path):
    """Dash sets itself up on its first request; concurrent first requests used to find its
    component registry empty (plotly/dash#3971) and the browser's page stayed on "Loading..."."""
    app = create_app(_settings(tmp_path, dashboard_warm_seconds=0))
    index = app.server.test_client().get("/").get_data(as_text=True)
    bundles = re.findall(r'src="(/_dash-component-suites/[^"]+)"', index)
    assert len(bundles) >= 5
    port = free_port()
    env = clean_environ(
        DASHBOARD_CACHE_DIR=str(tmp_path / "cache"),
        NEO4J_URI=f"bolt://127.0.0.1:{free_port()}",
        NEO4J_PASSWORD="unused",
    )
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    command = [gunicorn, "--workers", "1", "--threads", "8", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "dashboard.app:server"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(port, process)
        with ThreadPoolExecutor(16) as pool:
            urls = [f"http://127.0.0.1:{port}{path}" for path in ["/", *bundles] * 2]
            statuses = list(pool.map(_status, urls))
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert statuses == [200] * len(urls)


def _wait_for_port(port: int, process, timeout: float = 60) -> None:
    """Until the port accepts connections, without sending a request."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
