"""A failed bulk load never strands the database: the importer writes while the live store is
set aside, a failure puts it back, and `db reset --yes` mends a store that cannot come online."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from downline.connection import driver_for
from downline.errors import DownlineError
from downline.localdb import LocalNeo4j
from downline.schema import database_status, existing_schema_names, schema_names
from ingest.generate import generate
from tests.support.servers import REPO, run_cli, settings_env

LABELS = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS nodes"


def _labels(settings) -> dict[str, int]:
    """Nodes per label (the query answers only when the database is online)."""
    with driver_for(settings) as driver:
        records = driver.execute_query(LABELS, database_=settings.neo4j_database)[0]
    return {r["label"]: r["nodes"] for r in records}


def _importer_pid(home: Path) -> int | None:
    """The pid of neo4j-admin's importer working on this home, if one runs."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"org.neo4j.cli.AdminTool" in command and b"import" in command:
            if any(str(home).encode() in part for part in command):
                return int(entry.name)
    return None


def test_an_import_refused_by_the_importer_leaves_the_store_as_it_was(spare_settings, tmp_path):
    """The issue's case: a relationship header naming an ID group no node file creates."""
    server = LocalNeo4j(spare_settings, log=lambda message: None)
    server.start()
    try:
        with driver_for(spare_settings) as driver:
            driver.execute_query("CREATE (:Kept {n: 1})", database_=spare_settings.neo4j_database)
        server.stop()
        rels = tmp_path / "placed.csv"
        rels.write_text(":START_ID(Customer),:END_ID(Order),:TYPE\nC1,O1,PLACED\n")
        with pytest.raises(DownlineError, match="the bulk importer failed"):
            server.import_full([f"--relationships={rels}"])
        assert not server.store.aside.exists()
        server.start()
        assert _labels(spare_settings) == {"Kept": 1}
    finally:
        server.stop()


def test_an_importer_killed_mid_load_leaves_a_usable_database_and_a_failed_run(
    spare_settings, tmp_path
):
    data = tmp_path / "net"
    generate(data, 3000, 12, seed=5, profile="pyramid")
    env = settings_env(spare_settings)
    home = spare_settings.data_dir.resolve()
    assert run_cli("db", "start", env=env).returncode == 0
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "downline", "ingest", str(data), "--bulk"],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        pid = None
        while pid is None:  # the importer's JVM appears after staging; kill it while it works
            assert process.poll() is None, "the load ended before its importer was seen"
            pid = _importer_pid(home)
            time.sleep(0.02)
        os.kill(pid, signal.SIGKILL)
        out, err = process.communicate(timeout=600)
        assert process.returncode == 2, out + err
        assert "Traceback" not in err
        assert "the bulk importer failed" in out + err
        # online, as empty as before the load but for the failed run's record, lock released
        assert _labels(spare_settings) == {"IngestRun": 1, "IngestLock": 1}
        with driver_for(spare_settings) as driver:
            holders = driver.execute_query(
                "MATCH (l:IngestLock) RETURN l.holder AS holder",
                database_=spare_settings.neo4j_database,
            )[0]
        assert [r["holder"] for r in holders] == [None]
        history = json.loads(run_cli("ingest", "history", "--format", "json", env=env).stdout)
        assert [run["status"] for run in history] == ["failed"]
        again = run_cli("ingest", str(data), "--bulk", env=env, timeout=600)
        assert again.returncode == 0, again.stdout + again.stderr
        with driver_for(spare_settings) as driver:
            found = driver.execute_query(
                "MATCH (d:Distributor) RETURN count(d) AS n",
                database_=spare_settings.neo4j_database,
            )[0][0]["n"]
        assert found == len((data / "distributors.csv").read_text().splitlines()) - 1
        history = json.loads(run_cli("ingest", "history", "--format", "json", env=env).stdout)
        assert sorted(run["status"] for run in history) == ["failed", "succeeded"]
    finally:
        run_cli("db", "stop", env=env)


def test_reset_recreates_a_store_that_cannot_come_online(spare_settings):
    env = settings_env(spare_settings)
    server = LocalNeo4j(spare_settings, log=lambda message: None)
    server.start()
    try:
        server.stop()
        store = server.store.data / "databases" / spare_settings.neo4j_database
        for part in store.iterdir():  # what a broken import leaves: stores Neo4j cannot open
            if part.name.startswith("neostore"):
                part.write_bytes(b"\0broken" * 100)
        server.start()
        with driver_for(spare_settings) as driver:
            assert database_status(driver, spare_settings.neo4j_database)[0] != "online"
        result = run_cli("db", "reset", "--yes", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "recreated database" in result.stdout
        assert "run history" in result.stdout
        assert _labels(spare_settings) == {}
        with driver_for(spare_settings) as driver:
            names = existing_schema_names(driver, spare_settings.neo4j_database)
        assert schema_names() <= names
    finally:
        server.stop()
