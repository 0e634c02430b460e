"""`ingest --bulk` (the offline importer) ends in exactly the graph, report and rejects of a
transactional load of the same files."""

from __future__ import annotations

import json
from datetime import date

from downline import snapshot as read_model
from downline.connection import driver_for
from downline.localdb import LocalNeo4j
from ingest.generate import generate
from queries.cypher_source import CypherSource
from queries.snapshot_source import SnapshotSource
from tests.support.engines import assert_engines_agree, questions
from tests.support.expected import read
from tests.support.graph import snapshot
from tests.support.servers import ingest_reported, run_cli, settings_env

# Rows appended to a generated network: every kind of reject a first load can meet, exact
# repeats, and values the importer's CSV dialect must keep (comma, quote, line break).
EXTRA = {
    "distributors": [
        'X1,D0000000,2025-12-01,"Ro, ""the root""\nof all",CA,member,active,',
        "X2,X3,2025-12-01,,,,,",
        "X3,X2,2025-12-01,,,,,",
        "X4,NOPE,2025-12-01,,,,,",
        "X5,X4,2025-12-01,,,,,",
        "X6,D0000000,2025-13-01,,,,,",
        "X7,D0000000,2025-12-01,,,,,",
        "X7,D0000000,2025-12-01,,,,,",
    ],
    "customers": [
        "CX1,X4,2025-12-01",
        "CX2,D0000001,2025-12-01",
        "CX2,D0000002,2025-12-01",
        "CX3,X1,2025-12-02",
        "CX3,X1,2025-12-02",
    ],
    "orders": [
        "OX1,X5,2025-12-02,10.00,retail,",
        "OX2,X1,2025-12-02,10.00,retail,CX1",
        "OX3,X1,2025-12-02,10.00,retail,CX2",
        "OX4,X1,2025-12-02,12.34,retail,CX3",
        "OX4,X1,2025-12-02,12.34,retail,CX3",
        "OX5,X1,2025-12-02,1.00,personal,",
        "OX5,X1,2025-12-02,2.00,personal,",
        "OX6,X7,2025-12-03,0.5,gift,",
        "OX7,NOPE,2025-12-03,5.00,retail,",
        "OX7,NOPE,2025-12-03,5.00,retail,",
    ],
    "commissions": [
        "KX1,X1,2025-12,1.00,level,X7,OX4",
        "KX2,X1,2025-12,1.00,level,,OX5",
        "KX3,X6,2025-12,1.00,level,,",
        "KX4,X1,2025-12,1.00,level,X2,",
        "KX5,X7,2025-12,3.21,retail_margin,,OX4",
        "KX5,X7,2025-12,3.21,retail_margin,,OX4",
    ],
}
COUNTED = ("read", "loaded", "rejected", "created", "existing", "collapsed", "transfers")


def _network(folder):
    generate(folder, 600, 12, seed=21, profile="pyramid")
    for kind, rows in EXTRA.items():
        with open(folder / f"{kind}.csv", "a", encoding="utf-8") as handle:
            handle.write("\n".join(rows) + "\n")
    return folder


def _rejects(folder) -> dict:
    found = {}
    for kind in EXTRA:
        if (folder / f"{kind}.rejects.csv").exists():
            frame = read(folder, f"{kind}.rejects")
            found[kind] = sorted(zip(frame.line.astype(int), frame.reason, strict=True))
    return found


def _load(env, data, out, *extra):
    return ingest_reported(data, out, "--as-of", "2026-11-01", *extra, env=env)


def test_a_bulk_load_equals_a_transactional_load(
    clean_db, server_settings, cli_env, spare_settings, tmp_path
):
    data = _network(tmp_path / "net")
    (tmp_path / "tx").mkdir()
    (tmp_path / "bulk").mkdir()
    tx_result, tx_report = _load(cli_env, data, tmp_path / "tx")
    assert tx_result.returncode == 1, tx_result.stdout + tx_result.stderr
    expected = snapshot(clean_db, server_settings.neo4j_database)

    spare_env = settings_env(spare_settings)
    result, report = _load(spare_env, data, tmp_path / "bulk", "--bulk")
    assert result.returncode == 1, result.stdout + result.stderr
    server = LocalNeo4j(spare_settings, log=lambda message: None)
    assert server.status().running
    with driver_for(spare_settings) as driver:
        assert snapshot(driver, spare_settings.neo4j_database) == expected
        names = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name")[0]}
        assert {"distributor_id", "order_id", "commission_id"} <= names
        # The analytics snapshot is read back from the staged files, and answers as Neo4j
        # does and as the transactional load's snapshot does.
        assert report["derived"]["snapshot"]["made_by"] == "bulk"
        assert report["derived"]["snapshot"]["reconciled"]
        bulk_cypher = CypherSource(driver, spare_settings.neo4j_database)
        bulk = SnapshotSource(read_model.current(spare_settings.snapshot_dir), bulk_cypher)
        tx = SnapshotSource(
            read_model.current(server_settings.snapshot_dir),
            CypherSource(clean_db, server_settings.neo4j_database),
        )
        asked = questions([None, "D0000000", "X1"], [date(2026, 6, 1)])
        assert assert_engines_agree(bulk_cypher, bulk, asked) == 3 * 7 * 7
        assert assert_engines_agree(tx, bulk, asked) == 3 * 7 * 7

    for bulk_file, tx_file in zip(report["files"], tx_report["files"], strict=True):
        assert {k: bulk_file[k] for k in COUNTED} == {k: tx_file[k] for k in COUNTED}
        assert bulk_file["loaded"] + bulk_file["rejected"] == bulk_file["read"]
    assert _rejects(tmp_path / "bulk" / "rejects") == _rejects(tmp_path / "tx" / "rejects")
    order_reasons = [reason for _, reason in _rejects(tmp_path / "bulk" / "rejects")["orders"]]
    assert order_reasons.count("unknown distributor NOPE") == 2  # a repeat shares its fate
    assert "distributor X5 was rejected: upline rejected: X5 -> X4" in " ".join(order_reasons)

    history = json.loads(run_cli("ingest", "history", "--format", "json", env=spare_env).stdout)
    assert [run["status"] for run in history] == ["finished_with_rejects"]
    assert history[0]["read"] == report["read"]

    again = run_cli("ingest", str(data), "--bulk", env=spare_env)
    assert again.returncode == 2
    assert "--bulk loads only into an empty database" in again.stdout + again.stderr
