"""Ingest against the real Neo4j, checked against pandas over the same CSV files."""

from __future__ import annotations

import gzip
import json
import shutil
from bisect import bisect_left, bisect_right

import pytest

from ingest.generate import generate
from tests.support.expected import cents, depths, per_distributor_totals, read
from tests.support.graph import snapshot
from tests.support.servers import run_cli

COUNTS = """
RETURN COUNT { (:Distributor) } AS distributors, COUNT { (:Customer) } AS customers,
       COUNT { (:Order) } AS orders, COUNT { (:Commission) } AS commissions,
       COUNT { ()-[:SPONSORED_BY]->() } AS sponsorships, COUNT { ()-[:FOR]->() } AS sold_to
"""
SUMS = "MATCH (o:Order) RETURN o.kind AS kind, sum(o.amount_cents) AS cents"
COMMISSION_SUM = "MATCH (c:Commission) RETURN sum(c.amount_cents) AS cents"
DERIVED = """
MATCH (d:Distributor)
RETURN d.id AS id, d.depth AS depth, d.pre AS pre, d.post AS post, d.retail_cents AS retail,
       d.personal_cents AS personal, d.starter_kit_cents AS starter_kit,
       d.order_count AS orders, d.commission_cents AS earned
"""


@pytest.fixture(scope="module", params=["pyramid", "retail"])
def network(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"net-{request.param}")
    generate(folder, 800, 18, seed=11 if request.param == "pyramid" else 12, profile=request.param)
    return folder


def _query(driver, settings, statement, **params):
    records, _, _ = driver.execute_query(statement, database_=settings.neo4j_database, **params)
    return [r.data() for r in records]


def _ingest(env, *args):
    result = run_cli("ingest", *map(str, args), env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_a_load_matches_the_csv_exactly_to_the_cent(
    clean_db, server_settings, cli_env, network, tmp_path
):
    report_path = tmp_path / "report.json"
    result = _ingest(cli_env, network, "--report", report_path)
    assert result.returncode == 0, result.stdout + result.stderr

    dist, cust = read(network, "distributors"), read(network, "customers")
    orders, comms = read(network, "orders"), read(network, "commissions")
    counts = _query(clean_db, server_settings, COUNTS)[0]
    assert counts == {
        "distributors": len(dist),
        "customers": len(cust),
        "orders": len(orders),
        "commissions": len(comms),
        "sponsorships": int((dist.sponsor_id != "").sum()),
        "sold_to": int((orders.customer_id != "").sum()),
    }
    sums = {r["kind"]: r["cents"] for r in _query(clean_db, server_settings, SUMS)}
    expected = orders.assign(c=cents(orders.amount)).groupby("kind").c.sum().to_dict()
    assert sums == expected
    assert (
        _query(clean_db, server_settings, COMMISSION_SUM)[0]["cents"] == cents(comms.amount).sum()
    )

    report = json.loads(report_path.read_text())
    assert report["status"] == "succeeded" and report["exit_code"] == 0
    for file_report in report["files"]:
        assert file_report["loaded"] + file_report["rejected"] == file_report["read"]
        assert file_report["rejected"] == 0

    derived = {r["id"]: r for r in _query(clean_db, server_settings, DERIVED)}
    totals = per_distributor_totals(network)
    want_depth = depths(dist)
    for did, row in derived.items():
        assert row["depth"] == want_depth[did]
        for column in ("retail", "personal", "starter_kit", "orders", "earned"):
            assert row[column] == totals.loc[did, column], (did, column)
    # Every pre-order interval holds exactly the distributor's subtree (numbers have gaps).
    sponsor = dict(zip(dist.distributor_id, dist.sponsor_id, strict=True))
    subtree = {did: {did} for did in sponsor}
    for did in sponsor:
        up = sponsor[did]
        while up:
            subtree[up].add(did)
            up = sponsor[up]
    by_pre = sorted(derived, key=lambda d: derived[d]["pre"])
    starts = [derived[d]["pre"] for d in by_pre]
    for did, row in derived.items():
        inside = by_pre[bisect_left(starts, row["pre"]) : bisect_right(starts, row["post"])]
        assert set(inside) == subtree[did], did


def test_loading_the_same_files_again_changes_nothing(
    clean_db, server_settings, cli_env, network, tmp_path
):
    assert _ingest(cli_env, network).returncode == 0
    before = snapshot(clean_db, server_settings.neo4j_database)
    again = _ingest(cli_env, network, "--report", tmp_path / "again.json")
    assert again.returncode == 0
    assert snapshot(clean_db, server_settings.neo4j_database) == before
    report = json.loads((tmp_path / "again.json").read_text())
    assert all(f["created"] == 0 and f["existing"] == f["read"] for f in report["files"])


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


BASE = """distributor_id,sponsor_id,joined_on
R,,2024-01-01
A,R,2024-01-02
B,R,2024-01-03
A1,A,2024-02-01
A2,A1,2024-02-02
"""


def test_a_transfer_moves_the_subtree_and_keeps_history(
    clean_db, server_settings, cli_env, tmp_path
):
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir(), second.mkdir()
    _write(first / "distributors.csv", BASE)
    _write(second / "distributors.csv", BASE.replace("A1,A,2024-02-01", "A1,B,2024-02-01"))
    assert _ingest(cli_env, first).returncode == 0
    assert _ingest(cli_env, second, "--as-of", "2025-06-30").returncode == 0

    rows = _query(
        clean_db,
        server_settings,
        """
        MATCH (d:Distributor {id: 'A1'})-[:SPONSORED_BY]->(s) RETURN s.id AS sponsor""",
    )
    assert rows == [{"sponsor": "B"}]
    history = _query(
        clean_db,
        server_settings,
        """
        MATCH (:Distributor {id: 'A1'})-[:TRANSFERRED]->(c:SponsorChange)
        RETURN c.from_id AS from_id, c.to_id AS to_id, toString(c.changed_on) AS on""",
    )
    assert history == [{"from_id": "A", "to_id": "B", "on": "2025-06-30"}]
    # The subtree moved with it: B's interval now holds A1 and A2, A's holds only A.
    derived = {r["id"]: r for r in _query(clean_db, server_settings, DERIVED)}
    inside = {
        top: {
            d for d, r in derived.items() if derived[top]["pre"] <= r["pre"] <= derived[top]["post"]
        }
        for top in ("A", "B")
    }
    assert inside == {"A": {"A"}, "B": {"B", "A1", "A2"}}
    assert (derived["A1"]["depth"], derived["A2"]["depth"]) == (2, 3)
    # A third load of the same export records no further change.
    assert _ingest(cli_env, second, "--as-of", "2025-07-31").returncode == 0
    assert len(_query(clean_db, server_settings, "MATCH (c:SponsorChange) RETURN c")) == 1


BAD_DISTRIBUTORS = """distributor_id,sponsor_id,joined_on,status,extra
A,,2024-01-01,active,x
B,A,2024-02-01,,x
D,E,2024-03-01,active,x
E,F,2024-03-01,active,x
F,D,2024-03-01,active,x
G,F,2024-03-01,active,x
H,ZZ,2024-03-01,active,x
I,H,2024-03-01,active,x
J,J,2024-03-01,active,x
K,A,2024-13-01,active,x
L,A,2024-05-01,active,x
L,A,2024-05-01,active,x
M,A,2024-05-01,active,x
M,B,2024-05-01,active,x
N,A,2099-05-01,active,x
P,A,2024-05-01,retired,x
Q,A
"""
BAD_ORDERS = """order_id,distributor_id,ordered_on,amount,kind
O1,A,2024-04-01,10.50,retail
O2,B,2024-04-02,20,personal
O3,D,2024-04-03,30,retail
O4,B,2024-04-03,1.999,retail
O5,B,2024-04-03,-5,retail
O6,B,2024-04-03,5,gift
O7,QQ,2024-04-03,5,retail
O8,B,,5,retail
"""
EXPECTED_REASONS = {
    ("distributors", "D"): "sponsor cycle: D -> E -> F -> D",
    ("distributors", "E"): "sponsor cycle: D -> E -> F -> D",
    ("distributors", "F"): "sponsor cycle: D -> E -> F -> D",
    ("distributors", "G"): "upline rejected: G -> F (F: sponsor cycle: D -> E -> F -> D)",
    ("distributors", "H"): "unknown sponsor ZZ",
    ("distributors", "I"): "upline rejected: I -> H (H: unknown sponsor ZZ)",
    ("distributors", "J"): "self-sponsorship: J names itself as sponsor",
    ("distributors", "K"): "joined_on '2024-13-01' is not a calendar date",
    ("distributors", "P"): "status 'retired' is not one of active, inactive, terminated",
    ("distributors", "Q"): "has 2 fields, the header has 5",
    ("orders", "O3"): "distributor D was rejected: sponsor cycle: D -> E -> F -> D",
    ("orders", "O4"): "amount 1.999 has fractions of a cent",
    ("orders", "O5"): "amount -5 is negative",
    ("orders", "O6"): "kind 'gift' is not one of retail, personal, starter_kit",
    ("orders", "O7"): "unknown distributor QQ",
    ("orders", "O8"): "missing ordered_on",
}


def test_each_bad_row_is_rejected_with_its_reason_and_nothing_is_lost(
    clean_db, server_settings, cli_env, tmp_path
):
    _write(tmp_path / "distributors.csv", BAD_DISTRIBUTORS)
    _write(tmp_path / "orders.csv", BAD_ORDERS)
    rejects_dir = tmp_path / "rejects"
    result = _ingest(cli_env, tmp_path, "--rejects", rejects_dir, "--report", tmp_path / "r.json")
    assert result.returncode == 1
    assert "ignored unknown column(s): extra" in result.stderr

    found = {}
    for kind in ("distributors", "orders"):
        rejects = read(rejects_dir, f"{kind}.rejects")
        assert list(rejects.columns[-3:]) == ["source_file", "line", "reason"]
        assert set(rejects.source_file) == {f"{kind}.csv"}
        for row in rejects.itertuples():
            key = row.distributor_id if kind == "distributors" else row.order_id
            found.setdefault((kind, key), []).append((int(row.line), row.reason))
    for key, reason in EXPECTED_REASONS.items():
        assert [r for _, r in found[key]] == [reason], key
    assert [line for line, _ in found[("distributors", "M")]] == [14, 15]
    assert found[("distributors", "M")][0][1].startswith(
        "duplicate distributor_id M with conflicting values (lines 14, 15)"
    )
    assert found[("distributors", "N")][0][1].startswith("joined_on 2099-05-01 is in the future")

    report = json.loads((tmp_path / "r.json").read_text())
    by_kind = {f["kind"]: f for f in report["files"]}
    assert by_kind["distributors"]["read"] == 17 and by_kind["distributors"]["rejected"] == 13
    assert by_kind["distributors"]["collapsed"] == 1  # L twice, identical
    assert by_kind["orders"]["read"] == 8 and by_kind["orders"]["rejected"] == 6
    for f in report["files"]:
        assert f["loaded"] + f["rejected"] == f["read"]
    ids = _query(clean_db, server_settings, "MATCH (d:Distributor) RETURN d.id AS id")
    assert sorted(r["id"] for r in ids) == ["A", "B", "L"]


def test_an_unreadable_file_fails_the_run_and_writes_nothing_of_it(
    clean_db, server_settings, cli_env, tmp_path
):
    _write(tmp_path / "distributors.csv", BASE)
    lines = ["order_id,distributor_id,ordered_on,amount,kind"]
    lines += [f"O{i},A,2024-04-01,1.00,retail" for i in range(60)]
    data = ("\n".join(lines) + "\n").encode() + b"O99,A,2024-04-01,1\xff00,retail\n"
    with gzip.open(tmp_path / "orders.csv.gz", "wb") as handle:
        handle.write(data)
    result = _ingest(cli_env, tmp_path / "distributors.csv", tmp_path / "orders.csv.gz")
    assert result.returncode == 2
    assert "orders.csv.gz: line 62: not UTF-8 (invalid start byte" in result.stdout
    counts = _query(clean_db, server_settings, COUNTS)[0]
    assert (counts["distributors"], counts["orders"]) == (5, 0)

    _write(tmp_path / "commissions.csv", "earner_id,period,amount\nA,2024-01,1\n")
    missing = _ingest(cli_env, tmp_path / "commissions.csv")
    assert missing.returncode == 2
    assert "required column(s) missing: type" in missing.stdout
    history = run_cli("ingest", "history", "--format", "json", env=cli_env)
    runs = json.loads(history.stdout)
    assert [r["status"] for r in runs[:2]] == ["failed", "failed"]
    assert "required column(s) missing" in runs[0]["error"]


def test_bom_gzip_and_quoted_fields_are_read(clean_db, server_settings, cli_env, tmp_path):
    text = (
        '\ufeffdistributor_id,sponsor_id,joined_on,name\nR,,2024-01-01,"Ro, ""the root""\nof all"\n'
    )
    with gzip.open(tmp_path / "distributors-nov.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(text)
    assert _ingest(cli_env, tmp_path).returncode == 0
    rows = _query(clean_db, server_settings, "MATCH (d:Distributor) RETURN d.name AS name")
    assert rows == [{"name": 'Ro, "the root"\nof all'}]


def test_the_watch_worker_takes_two_drops_and_skips_a_repeated_file(
    clean_db, server_settings, cli_env, network, tmp_path
):
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(network / "distributors.csv", drop)
    shutil.copy(network / "customers.csv", drop)

    def tick():
        import os
        import time

        for path in drop.glob("*.csv"):
            old = time.time() - 10
            os.utime(path, (old, old))
        result = run_cli("ingest", "watch", str(drop), "--once", env=cli_env)
        assert result.returncode == 0, result.stderr

    tick()
    assert sorted(p.name for p in (drop / "processed").glob("*.csv")) == [
        "customers.csv",
        "distributors.csv",
    ]
    assert (drop / "processed" / "distributors.csv.report.json").is_file()

    shutil.copy(network / "orders.csv", drop)
    shutil.copy(network / "distributors.csv", drop / "distributors-again.csv")
    tick()
    assert list(drop.glob("*.csv")) == []
    skipped = json.loads((drop / "processed" / "distributors-again.csv.report.json").read_text())
    assert skipped["skipped"] is True and "already loaded" in skipped["reason"]
    loaded = json.loads((drop / "processed" / "orders.csv.report.json").read_text())
    assert loaded["status"] == "succeeded"
    counts = _query(clean_db, server_settings, COUNTS)[0]
    assert counts["orders"] == len(read(network, "orders"))
    statuses = [
        r["status"]
        for r in json.loads(run_cli("ingest", "history", "--format", "json", env=cli_env).stdout)
    ]
    assert statuses[:3] == ["succeeded"] * 3


HOLD_LOCK = """
MERGE (l:IngestLock {name: 'ingest'})
SET l.holder = 'elsewhere:1:run-x', l.host = 'elsewhere', l.pid = 1, l.run_id = 'run-x',
    l.heartbeat = datetime() - duration({seconds: $age})
MERGE (:IngestRun {id: 'run-x', status: 'running'})
"""


def test_one_ingest_at_a_time_and_a_dead_holder_is_taken_over(
    clean_db, server_settings, cli_env, tmp_path
):
    export = _write(tmp_path / "export-2024.csv", BASE)
    _query(clean_db, server_settings, HOLD_LOCK, age=5)
    busy = _ingest(cli_env, export, "--kind", "distributors")
    assert busy.returncode == 2
    assert "another ingest is running (run run-x on elsewhere" in busy.stderr
    assert _query(clean_db, server_settings, COUNTS)[0]["distributors"] == 0

    _query(clean_db, server_settings, HOLD_LOCK, age=3600)  # its heartbeat stopped long ago
    taken = _ingest(cli_env, export, "--kind", "distributors")
    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert _query(clean_db, server_settings, COUNTS)[0]["distributors"] == 5
    status = _query(
        clean_db, server_settings, "MATCH (r:IngestRun {id: 'run-x'}) RETURN r.status AS status"
    )
    assert status == [{"status": "interrupted"}]

    unnamed = _ingest(cli_env, export)
    assert unnamed.returncode == 2 and "cannot tell what it holds" in unnamed.stderr


LEFT_BY_A_KILLED_RUN = """
CREATE (r:Distributor {id: 'R'}), (a:Distributor:TreeStale:TotalsStale {id: 'A'})
CREATE (a)-[:SPONSORED_BY]->(r)
"""


def test_a_distributor_left_by_a_killed_run_is_relinked_without_a_transfer(
    clean_db, server_settings, cli_env, tmp_path
):
    _query(clean_db, server_settings, LEFT_BY_A_KILLED_RUN)
    _write(
        tmp_path / "distributors.csv",
        "distributor_id,sponsor_id,joined_on\nR,,2024-01-01\nB,R,2024-01-02\nA,B,2024-01-03\n",
    )
    assert _ingest(cli_env, tmp_path).returncode == 0
    links = _query(
        clean_db,
        server_settings,
        """
        MATCH (d:Distributor)-[:SPONSORED_BY]->(s) RETURN d.id AS d, s.id AS s ORDER BY d""",
    )
    assert links == [{"d": "A", "s": "B"}, {"d": "B", "s": "R"}]
    assert _query(clean_db, server_settings, "MATCH (c:SponsorChange) RETURN c") == []
