"""CLI failures that need no database: one plain line, the documented exit code."""

from __future__ import annotations

from tests.support.servers import REPO, run_cli
from tests.support.servers import clean_environ as _env


def test_reset_without_yes_refuses_before_connecting():
    result = run_cli("db", "reset", env=_env(NEO4J_URI="bolt://127.0.0.1:1"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: this deletes every node")
    assert "Traceback" not in result.stderr


def test_an_invalid_setting_names_its_variable():
    result = run_cli("db", "status", env=_env(DASHBOARD_PORT="not-a-port"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: setting DASHBOARD_PORT:")
    assert "Traceback" not in result.stderr


def test_db_start_refuses_a_remote_uri():
    result = run_cli("db", "start", env=_env(NEO4J_URI="neo4j+s://x.databases.neo4j.io"))
    assert result.returncode == 2
    assert "managed elsewhere" in result.stderr


def test_settings_never_prints_the_password():
    result = run_cli("settings", env=_env(NEO4J_PASSWORD="a-very-secret-one"))
    assert result.returncode == 0
    assert "NEO4J_PASSWORD=(set)" in result.stdout
    assert "a-very-secret-one" not in result.stdout + result.stderr


def test_dashboard_refuses_a_public_address_without_login():
    result = run_cli("dashboard", "--host", "0.0.0.0", env=_env())
    assert result.returncode == 2 and "loopback" in result.stderr


def test_readme_says_why_not_py2neo():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "py2neo" in readme and "end-of-life" in readme
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert "py2neo" not in pyproject and '"neo4j-rust-ext' in pyproject


def test_bulk_refuses_a_server_it_does_not_manage(tmp_path):
    (tmp_path / "distributors.csv").write_text("distributor_id,sponsor_id,joined_on\n")
    env = _env(NEO4J_URI="neo4j+s://x.databases.neo4j.io")
    result = run_cli("ingest", str(tmp_path), "--bulk", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("error: --bulk replaces the database of the local server")
    assert "Traceback" not in result.stderr


def test_bulk_takes_one_file_per_kind(tmp_path):
    for name in ("orders-1.csv", "orders-2.csv"):
        (tmp_path / name).write_text("order_id,distributor_id,ordered_on,amount,kind\n")
    result = run_cli("ingest", str(tmp_path), "--bulk", env=_env(NEO4J_URI="bolt://127.0.0.1:1"))
    assert result.returncode == 2
    assert "--bulk takes one file per kind (orders given more than once)" in result.stderr


def test_a_period_that_ends_before_it_starts_is_refused_before_connecting():
    env = _env(NEO4J_URI="bolt://127.0.0.1:1", NEO4J_PASSWORD="unused")
    result = run_cli("levels", "--from", "2025-02-01", "--to", "2025-01-31", env=env)
    assert result.returncode == 2
    assert result.stderr == "error: --from 2025-02-01 is after --to 2025-01-31: no period\n"
    as_of = run_cli("earnings", "--from", "2025-02-01", "--as-of", "2025-01-31", env=env)
    assert as_of.stderr == "error: --from 2025-02-01 is after --as-of 2025-01-31: no period\n"
