"""A killed ingest, re-run, ends exactly where an uninterrupted one does; the worker outlives
a Neo4j outage."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from downline import snapshot as read_model
from downline.localdb import LocalNeo4j
from ingest.generate import generate
from queries.cypher_source import CypherSource
from queries.engine import staleness
from queries.snapshot_source import SnapshotSource
from tests.support.engines import assert_engines_agree, questions
from tests.support.graph import snapshot
from tests.support.servers import REPO, run_cli, settings_env, wipe

# Kill points: part of the distributors written (sponsor links not all yet), or part of the
# orders and commissions. (statement counting what is written, threshold, batch size)
KILL_POINTS = {
    "distributors": ("RETURN COUNT { (:Distributor) } AS rows", 600, "100"),
    "orders": ("RETURN COUNT { (:Order) } + COUNT { (:Commission) } AS rows", 2000, "500"),
}


@pytest.mark.parametrize("phase", sorted(KILL_POINTS))
def test_a_killed_run_re_run_equals_an_uninterrupted_run(
    clean_db, server_settings, cli_env, tmp_path, phase
):
    statement, threshold, batch = KILL_POINTS[phase]

    def _written(driver, settings) -> int:
        records, _, _ = driver.execute_query(statement, database_=settings.neo4j_database)
        return records[0]["rows"]

    data = tmp_path / "net"
    generate(data, 2500, 24, seed=3, profile="pyramid")
    env = {**cli_env, "DOWNLINE_INGEST_BATCH_SIZE": batch}
    process = subprocess.Popen(
        [sys.executable, "-m", "downline", "ingest", str(data), "--as-of", "2026-11-01"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while _written(clean_db, server_settings) < threshold and time.monotonic() < deadline:
        assert process.poll() is None, "the load finished before it could be interrupted"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _written(clean_db, server_settings) >= threshold

    rerun = run_cli("ingest", str(data), "--as-of", "2026-11-01", env=env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    interrupted_state = snapshot(clean_db, server_settings.neo4j_database)
    # The re-run's analytics snapshot holds what the killed run wrote too.
    cypher = CypherSource(clean_db, server_settings.neo4j_database)
    version = read_model.current(server_settings.snapshot_dir)
    assert staleness(cypher, version) is None
    read = SnapshotSource(version, cypher)
    assert assert_engines_agree(cypher, read, questions([None], [])) == 5 * 7
    history = json.loads(run_cli("ingest", "history", "--format", "json", env=cli_env).stdout)
    assert [run["status"] for run in history[:2]] == ["succeeded", "interrupted"]

    wipe(clean_db, server_settings)
    clean = run_cli("ingest", str(data), "--as-of", "2026-11-01", env=env)
    assert clean.returncode == 0
    assert snapshot(clean_db, server_settings.neo4j_database) == interrupted_state


def test_the_worker_waits_for_neo4j_and_then_loads(spare_settings, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "distributors.csv").write_text("distributor_id,sponsor_id,joined_on\nR,,2024-01-01\n")
    old = time.time() - 10
    os.utime(drop / "distributors.csv", (old, old))
    env = settings_env(spare_settings)
    worker = subprocess.Popen(
        [sys.executable, "-m", "downline", "ingest", "watch", str(drop), "--every", "2s"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    try:
        for line in worker.stdout:  # until the worker says it found Neo4j down and waits
            seen.append(line)
            if "will retry" in line:
                break
        assert worker.poll() is None, "the worker died while Neo4j was down"
        assert list(drop.glob("*.csv")), "nothing can have been loaded yet"
        LocalNeo4j(spare_settings, log=lambda m: None).start()
        deadline = time.monotonic() + 90
        while not (drop / "processed" / "distributors.csv").exists():
            assert time.monotonic() < deadline, "the worker never loaded the file"
            assert worker.poll() is None
            time.sleep(0.5)
    finally:
        worker.terminate()  # SIGTERM: a job started in the background ignores SIGINT
        output, _ = worker.communicate(timeout=30)
    output = "".join(seen) + output
    assert "will retry" in output and "not reachable" in output
    assert "Traceback" not in output
