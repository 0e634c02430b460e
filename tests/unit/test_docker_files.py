"""The Docker path is not run here (no engine): its files are checked as data instead."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.support.servers import REPO, clean_environ

COMPOSE = REPO / "docker" / "compose.yml"


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_runs_neo4j_526_with_a_healthcheck_and_the_app_waits_for_it():
    services = _compose()["services"]
    assert services["neo4j"]["image"] == "neo4j:5.26-community"
    assert "test" in services["neo4j"]["healthcheck"]
    for name in ("dashboard", "ingest-worker"):
        assert services[name]["depends_on"]["neo4j"]["condition"] == "service_healthy"
        assert services[name]["build"]["dockerfile"] == "docker/Dockerfile"
    assert services["ingest-worker"]["command"][:3] == ["downline", "ingest", "watch"]


def test_compose_publishes_only_on_loopback_and_holds_no_literal_password():
    services = _compose()["services"]
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port
    text = COMPOSE.read_text(encoding="utf-8")
    assert "${NEO4J_PASSWORD:?" in text and "DASHBOARD_PASSWORD: ${DASHBOARD_PASSWORD:?" in text
    assert "NEO4J_AUTH: neo4j/${NEO4J_PASSWORD" in text


def test_dockerfile_serves_the_gunicorn_entry_point_as_a_non_root_user():
    dockerfile = (REPO / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert "dashboard.app:server" in dockerfile
    assert "\nUSER downline\n" in dockerfile
    assert "ENV DASHBOARD_HOST=0.0.0.0" in dockerfile  # so the app refuses to run without login


def _compose_cli_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _compose_cli_available(), reason="no `docker compose` client here")
def test_docker_compose_config_accepts_the_file():
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
        env=clean_environ(
            NEO4J_PASSWORD="compose-check-password", DASHBOARD_PASSWORD="compose-check"
        ),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_worker_and_the_dashboard_share_the_analytics_snapshot():
    """The worker writes the read model and the dashboard reads it: one volume, one path."""
    compose = _compose()
    folder = compose["x-neo4j-client"]["DOWNLINE_SNAPSHOT_DIR"]
    for name in ("dashboard", "ingest-worker"):
        service = compose["services"][name]
        assert service["environment"]["DOWNLINE_SNAPSHOT_DIR"] == folder
        assert f"snapshot:{folder}" in service["volumes"]
    assert "snapshot" in compose["volumes"]
    dockerfile = (REPO / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert f"chown downline /drop {folder}" in dockerfile  # the image's user may write it
