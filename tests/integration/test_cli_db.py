"""`downline db ...` as a user runs it: a real server started, stopped, started again."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from downline.connection import driver_for
from downline.localdb import LocalNeo4j
from queries.overview import graph_counts
from tests.support.servers import REPO, free_port, run_cli, settings_env

CREATE = "CREATE (:Distributor {id: $id})"


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_start_stop_start_keeps_the_data_and_status_follows(spare_settings):
    # No NEO4J_PASSWORD: `db start` must generate one and keep it private.
    settings = spare_settings.model_copy(update={"neo4j_password": None})
    env = settings_env(settings)
    outputs = []

    def cli(*args):
        result = run_cli(*args, env=env)
        outputs.append(result.stdout + result.stderr)
        _no_traceback(result)
        return result

    before = cli("db", "status")
    assert (before.returncode, before.stdout.split()[0]) == (3, "stopped")

    assert cli("db", "start").returncode == 0
    running = cli("db", "status")
    assert running.returncode == 0
    assert running.stdout.startswith("running") and f":{settings.bolt_port}" in running.stdout

    password_file = settings.password_file
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = settings.password()
    assert password and len(password) >= 8

    assert cli("db", "init").returncode == 0
    with driver_for(settings) as driver:
        driver.execute_query(CREATE, id="persisted", database_=settings.neo4j_database)

    assert cli("db", "stop").stdout.strip() == "stopped"
    after_stop = cli("db", "status")
    assert (after_stop.returncode, after_stop.stdout.split()[0]) == (3, "stopped")

    assert cli("db", "start").returncode == 0
    assert cli("db", "status").returncode == 0
    with driver_for(settings) as driver:
        assert graph_counts(driver, settings.neo4j_database).distributors == 1

        refused = cli("db", "reset")
        assert refused.returncode == 2 and "--yes" in refused.stderr
        assert graph_counts(driver, settings.neo4j_database).distributors == 1

        assert cli("db", "reset", "--yes").returncode == 0
        assert graph_counts(driver, settings.neo4j_database).distributors == 0

    assert cli("db", "stop").returncode == 0

    # The secret appears in no output and no log line.
    logs = "".join(p.read_text(errors="replace") for p in settings.log_dir.glob("*.log"))
    for text in [*outputs, logs, (settings.data_dir / "conf" / "neo4j.conf").read_text()]:
        assert password not in text


def test_wrong_password_is_one_plain_line(cli_env):
    env = {**cli_env, "NEO4J_PASSWORD": "definitely-wrong-password"}
    result = run_cli("db", "counts", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: Neo4j at ")
    assert "refused the credentials" in result.stderr
    assert "definitely-wrong-password" not in result.stdout + result.stderr
    _no_traceback(result)


def test_start_refuses_a_port_that_another_process_holds(server_settings, spare_settings):
    clash = spare_settings.model_copy(update={"neo4j_uri": server_settings.neo4j_uri})
    result = run_cli("db", "start", env=settings_env(clash))
    assert result.returncode == 2
    assert f"port {server_settings.bolt_port}" in result.stderr and "taken" in result.stderr
    assert not LocalNeo4j(clash).status().running
    _no_traceback(result)


def test_unreachable_server_is_reported_without_traceback(cli_env):
    env = {**cli_env, "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}"}
    result = run_cli("db", "counts", env=env)
    assert result.returncode == 2
    assert re.match(r"error: Neo4j is not reachable at bolt://127\.0\.0\.1:\d+", result.stderr)
    _no_traceback(result)


def _quick_example_commands() -> list[list[str]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- quick-example -->\s*```(?:bash|sh)\n(.*?)```", readme, re.S)
    assert block, "README.md has no quick example block"
    commands = []
    for line in block.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            commands.append(line.split())
    return commands


def test_readme_quick_example_runs(spare_settings, tmp_path):
    env = settings_env(spare_settings)
    commands = _quick_example_commands()
    assert commands and all(words[0] == "downline" for words in commands)
    outputs = {}
    for words in commands:
        result = run_cli(*words[1:], env=env, cwd=tmp_path)
        _no_traceback(result)
        assert result.returncode == 0, f"{' '.join(words)}: {result.stderr}"
        outputs[" ".join(words[1:3])] = result.stdout
    assert Path(spare_settings.data_dir, "data", "databases", "neo4j").is_dir()
    assert "distributors: 2000" in outputs["db counts"]
    assert "succeeded" in outputs["ingest history"]
    per_level = json.loads(outputs["levels --format"])["levels"]
    assert sum(row["distributors"] for row in per_level) == 2000
