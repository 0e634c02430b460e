"""The read model (docs/read-model.md): every ingest run leaves a snapshot that answers every
view as the Cypher engine does, to the cent; a snapshot that does not reflect the newest
finished run is never used; a mismatch with Neo4j is rebuilt; `downline snapshot` says and
mends its state."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from downline import snapshot
from ingest.generate import generate
from queries.cypher_source import CypherSource
from queries.engine import staleness
from queries.snapshot_source import SnapshotSource
from tests.support.engines import assert_engines_agree, questions
from tests.support.expected import read
from tests.support.servers import run_cli, settings_env, wipe

TRANSFERRED_ON = "2026-06-15"


def _ingest(env, folder, out, *extra):
    result = run_cli("ingest", str(folder), "--report", str(out), *extra, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(out.read_text())


def _later_run(folder, first):
    """Six distributors moved: three under other frontline legs, three cut loose as roots
    of their own; two new distributors, one under a moved one, and their orders."""
    people = read(first, "distributors")
    deep = people[people.sponsor_id != ""].iloc[40::90].head(6).copy()
    front = people[people.sponsor_id == people.distributor_id.iloc[0]].distributor_id
    deep["sponsor_id"] = [front.iloc[-1], front.iloc[-2], front.iloc[-1], "", "", ""]
    new = deep.head(2).copy()
    new["distributor_id"] = ["N1", "N2"]
    new["sponsor_id"] = [deep.distributor_id.iloc[3], "N1"]
    pd.concat([deep, new]).to_csv(folder / "distributors.csv", index=False)
    (folder / "orders.csv").write_text(
        "order_id,distributor_id,ordered_on,amount,kind\n"
        "NO1,N1,2026-10-02,40.00,starter_kit\nNO2,N2,2026-10-03,19.99,retail\n"
    )
    (folder / "commissions.csv").write_text(
        "commission_id,earner_id,period,amount,type,source_id,order_id\n"
        f"NK1,{deep.distributor_id.iloc[3]},2026-10,8.00,recruitment,N1,NO1\n"
    )
    return folder, deep.distributor_id.tolist()


@pytest.fixture(scope="module")
def loaded(driver, server_settings, tmp_path_factory):
    """A retail network, then a later run with transfers, new roots and new distributors."""
    wipe(driver, server_settings)
    env = settings_env(server_settings)
    first = tmp_path_factory.mktemp("first")
    generate(first, 700, 18, seed=12, profile="retail")
    reports = [_ingest(env, first, first / "report.json", "--as-of", "2026-01-10")]
    later, moved = _later_run(tmp_path_factory.mktemp("later"), first)
    reports.append(_ingest(env, later, later / "report.json", "--as-of", TRANSFERRED_ON))
    return first, moved, reports


def _engines(driver, settings):
    cypher = CypherSource(driver, settings.neo4j_database)
    version = snapshot.current(settings.snapshot_dir)
    assert staleness(cypher, version) is None
    return cypher, SnapshotSource(version, cypher)


def test_every_run_leaves_a_reconciled_snapshot_of_what_it_wrote(loaded):
    _, _, reports = loaded
    first, later = (r["derived"]["snapshot"] for r in reports)
    assert first["made_by"] == later["made_by"] == "run"  # on top of the one before
    assert first["reconciled"] and later["reconciled"] and not later["problems"]
    assert later["rows"]["distributors"] == first["rows"]["distributors"] + 2
    assert later["rows"]["changes"] == 6 and later["rows"]["orders"] == first["rows"]["orders"] + 2


def test_both_engines_answer_every_view_alike(driver, server_settings, loaded):
    first, moved, _ = loaded
    cypher, read_model = _engines(driver, server_settings)
    people = read(first, "distributors")
    root = people.distributor_id.iloc[0]
    leaf = people[~people.distributor_id.isin(people.sponsor_id)].distributor_id.iloc[0]
    roots = [None, root, moved[0], moved[3], "N1", leaf]  # moved[3] is a root of its own now
    days = [date(2026, 3, 1), date(2026, 9, 1)]  # before and after the transfers
    assert assert_engines_agree(cypher, read_model, questions(roots, days)) == 6 * 9 * 7


def test_a_snapshot_that_is_not_up_to_date_is_not_used(driver, server_settings, loaded):
    env = settings_env(server_settings)
    ask = ["levels", "--from", "2026-01-01", "--format", "json"]
    fresh = run_cli(*ask, env=env)
    assert fresh.returncode == 0 and "warning" not in fresh.stderr
    current = (server_settings.snapshot_dir / snapshot.CURRENT).read_text()
    snapshot.remove(server_settings.snapshot_dir)
    gone = run_cli(*ask, env=env)
    assert gone.returncode == 0, gone.stderr
    assert gone.stderr.startswith("warning: there is no analytics snapshot yet: answering from")
    assert json.loads(gone.stdout) == json.loads(fresh.stdout)
    (server_settings.snapshot_dir / snapshot.CURRENT).write_text(current)

    # A run newer than the snapshot's (here one that was interrupted) makes it stale.
    driver.execute_query(
        "CREATE (:IngestRun {id: 'killed', started_at: datetime(), status: 'interrupted'})",
        database_=server_settings.neo4j_database,
    )
    stale = run_cli(*ask, env=env)
    assert "not the newest finished one (killed)" in stale.stderr
    assert json.loads(stale.stdout) == json.loads(fresh.stdout)
    status = run_cli("snapshot", "status", env=env)
    assert status.returncode == 1 and "not the newest finished one" in status.stdout

    rebuilt = run_cli("snapshot", "rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "snapshot rebuilt for run killed" in rebuilt.stdout
    version = snapshot.current(server_settings.snapshot_dir)
    assert version.meta["made_by"] == "rebuild" and version.run_id == "killed"
    after = run_cli(*ask, env=env)
    assert "warning" not in after.stderr and json.loads(after.stdout) == json.loads(fresh.stdout)
    assert run_cli("snapshot", "status", env=env).returncode == 0


def test_the_run_after_an_interrupted_one_reads_everything_back(
    driver, server_settings, loaded, tmp_path
):
    env = settings_env(server_settings)
    driver.execute_query(
        "CREATE (:IngestRun {id: 'cut-short', started_at: datetime(), status: 'interrupted'})",
        database_=server_settings.neo4j_database,
    )
    (tmp_path / "orders.csv").write_text(
        "order_id,distributor_id,ordered_on,amount,kind\nNO3,N2,2026-10-05,7.00,personal\n"
    )
    report = _ingest(env, tmp_path, tmp_path / "report.json")
    assert report["derived"]["snapshot"]["made_by"] == "rebuild"
    cypher, read_model = _engines(driver, server_settings)
    assert assert_engines_agree(cypher, read_model, questions([None, "N1"], [])) == 2 * 5 * 7


def test_a_snapshot_that_disagrees_with_neo4j_is_rebuilt(driver, server_settings, loaded, tmp_path):
    env = settings_env(server_settings)
    version = snapshot.current(server_settings.snapshot_dir)
    tables = dict(version.tables)
    tables["orders"] = tables["orders"].slice(1)  # one order lost
    snapshot.write(server_settings.snapshot_dir, tables, version.meta)
    (tmp_path / "orders.csv").write_text(
        "order_id,distributor_id,ordered_on,amount,kind\nNO4,N1,2026-10-06,3.00,personal\n"
    )
    report = _ingest(env, tmp_path, tmp_path / "report.json")
    made = report["derived"]["snapshot"]
    assert made["made_by"].startswith("rebuild after a mismatch (orders: ")
    assert made["reconciled"]
    cypher, read_model = _engines(driver, server_settings)
    assert assert_engines_agree(cypher, read_model, questions([None], [])) == 5 * 7


def test_reset_withdraws_the_snapshot(driver, server_settings, loaded):
    env = settings_env(server_settings)
    assert run_cli("db", "reset", "--yes", env=env).returncode == 0
    assert snapshot.current(server_settings.snapshot_dir) is None
    status = run_cli("snapshot", "status", env=env)
    assert status.returncode == 1 and "there is no analytics snapshot yet" in status.stdout
