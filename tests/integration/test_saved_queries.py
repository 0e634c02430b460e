"""Saved queries against the real Neo4j: each runs, five agree with pandas, and writes or escapes
are refused with the database left exactly as it was."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from downline.errors import DownlineError
from queries.library import load_library, parse
from queries.runner import run_query
from tests.support.expected import cents, depths, read
from tests.support.graph import snapshot
from tests.support.servers import load_generated, run_cli, settings_env


@pytest.fixture(scope="module")
def network(driver, server_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved-net")
    return load_generated(driver, server_settings, folder, 600, 12, seed=3, profile="pyramid")


@pytest.fixture
def run(driver, server_settings, tmp_path):
    audit = tmp_path / "audit.jsonl"

    def _run(query, values=None, limit=10_000, timeout=60.0):
        return run_query(
            driver,
            server_settings.neo4j_database,
            query,
            values or {},
            limit=limit,
            timeout=timeout,
            audit_log=audit,
            user="tester",
        )

    _run.audit = audit
    return _run


def _ask(library, name, **given):
    query = library[name]
    return query, query.bind({k: str(v) for k, v in given.items()})


def test_every_shipped_query_runs(network, run):
    library = load_library()
    assert len(library) >= 15
    root = read(network, "distributors").distributor_id.iloc[0]
    needed = {"id": root, "from": "2025-01-01"}
    for name, query in library.items():
        given = {p.name: needed[p.name] for p in query.params if p.default is None}
        result = run(query, query.bind(given))
        assert list(result.rows.columns), name
    records = [json.loads(line) for line in run.audit.read_text().splitlines()]
    assert [r["query"] for r in records] == list(library)
    assert {r["outcome"] for r in records} == {"ok"} and {r["user"] for r in records} == {"tester"}


def test_five_queries_agree_with_pandas(network, run):
    library = load_library()
    dist, orders = read(network, "distributors"), read(network, "orders")
    comms = read(network, "commissions").assign(cents=lambda f: cents(f.amount))
    orders = orders.assign(cents=lambda f: cents(f.amount))

    earned = comms.groupby("earner_id").cents.sum().sort_values(ascending=False)
    top = run(*_ask(library, "top-earners", limit=5)).rows
    assert top.commission_cents.tolist() == earned.iloc[:5].tolist()

    kits = orders[orders.kind == "starter_kit"]
    by_month = kits.groupby(kits.ordered_on.str[:7]).cents.sum()
    got = run(*_ask(library, "starter-kit-revenue-by-month")).rows
    assert dict(
        zip(got.month.map(lambda d: d.isoformat()[:7]), got.revenue_cents, strict=True)
    ) == (by_month.to_dict())

    level = depths(dist)
    sourced = comms[comms.source_id != ""]
    gaps = sourced.source_id.map(level) - sourced.earner_id.map(level)
    got = run(*_ask(library, "commissions-by-generation-gap")).rows
    assert dict(zip(got.gap, got.commission_cents, strict=True)) == (
        sourced.cents.groupby(gaps).sum().to_dict()
    )

    per = pd.DataFrame({"id": dist.distributor_id})
    for kind in ("personal", "starter_kit"):
        own = orders[orders.kind == kind].groupby("distributor_id").cents.sum()
        per[kind] = per.id.map(own).fillna(0)
    per["earned"] = per.id.map(earned).fillna(0)
    short = per[per.personal + per.starter_kit > per.earned]
    got = run(*_ask(library, "purchases-exceed-commissions", limit=100_000)).rows
    assert sorted(got.id) == sorted(short.id)

    root = dist.distributor_id.iloc[0]
    below = {d: lvl for d, lvl in level.items() if lvl > 0}
    got = run(*_ask(library, "downline-by-level", id=root)).rows
    want = pd.Series(below).value_counts().sort_index()
    assert dict(zip(got.level, got.distributors, strict=True)) == want.to_dict()


# Each must be refused before anything runs, or (a parameter carrying Cypher) run harmlessly.
ATTEMPTS = [
    "CREATE (n:Intruder) RETURN n",
    "MERGE (n:Intruder {id: 1}) RETURN n",
    "MATCH (n:Distributor) SET n.name = 'x' RETURN n",
    "MATCH (n:Distributor) DELETE n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Distributor) REMOVE n.name RETURN n",
    "MATCH (n:Distributor) FOREACH (x IN [1] | SET n.hacked = true)",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS",
    "MATCH (n) WITH n CALL (n) { SET n.x = 1 } RETURN count(*)",
    "CALL db.createLabel('Intruder')",
    "CALL db.createProperty('x')",
    "CALL dbms.security.createUser('mallory', 'secret-pass', false)",
    "CALL dbms.killQueries(['query-1'])",
    "CALL apoc.create.node(['Intruder'], {}) YIELD node RETURN node",
    "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})",
    "CREATE INDEX intruder FOR (n:Intruder) ON (n.id)",
    "DROP CONSTRAINT distributor_id",
    "CREATE DATABASE intruder",
    "CREATE USER mallory SET PASSWORD 'secret-pass'",
    "SHOW USERS",
    "USE system SHOW DATABASES",
    "MATCH (n) RETURN n; MATCH (m) DETACH DELETE m",
    "MATCH (n) RETURN count(n) // harmless\nDETACH DELETE n",
    "MATCH (n) /* RETURN n */ DETACH DELETE n",
    "MATCH (n) RETURN n UNION MATCH (m) CREATE (k:Intruder) RETURN k",
    "EXPLAIN MATCH (n) DETACH DELETE n",
    "\u0421REATE (n:Intruder)",  # a Cyrillic capital Es for the C
    "MATCH (n) \uff24ETACH DELETE n",  # a full-width D
    "MATCH (n) RETURN n /* unterminated",
]


def test_writes_and_escapes_are_refused_and_change_nothing(network, run, driver, server_settings):
    before = snapshot(driver, server_settings.neo4j_database)
    for text in ATTEMPTS:
        with pytest.raises(DownlineError):
            run(parse(text))
    library = load_library()
    carried = "x'}) DETACH DELETE n //"
    assert run(*_ask(library, "upline", id=carried)).rows.empty  # a value, never Cypher
    assert snapshot(driver, server_settings.neo4j_database) == before
    records = [json.loads(line) for line in run.audit.read_text().splitlines()]
    assert len(records) == len(ATTEMPTS) + 1
    assert {r["outcome"] for r in records[:-1]} <= {"refused", "failed"}
    assert all(r["reason"] for r in records[:-1])


def test_timeouts_and_row_caps(network, run):
    slow = parse("UNWIND range(1, 500000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n")
    with pytest.raises(DownlineError, match="timeout"):
        run(slow, timeout=1.0)
    many = parse("UNWIND range(1, 100) AS x RETURN x")
    capped = run(many, limit=10)
    assert capped.truncated and capped.rows.x.tolist() == list(range(1, 11))
    assert not run(many, limit=100).truncated
    outcomes = [json.loads(line)["outcome"] for line in run.audit.read_text().splitlines()]
    assert outcomes == ["failed", "truncated", "ok"]


def test_the_query_commands(network, server_settings, tmp_path):
    env = {**settings_env(server_settings), "DOWNLINE_AUDIT_LOG": str(tmp_path / "a.jsonl")}
    listed = run_cli("query", "list", env=env)
    assert listed.returncode == 0 and "top-earners" in listed.stdout
    shown = run_cli("query", "show", "top-earners", env=env)
    assert "--param limit=<int>" in shown.stdout
    top = run_cli("query", "run", "top-earners", "--param", "limit=3", "--format", "json", env=env)
    assert top.returncode == 0, top.stderr
    rows = json.loads(top.stdout)
    assert isinstance(rows, list) and len(rows) == 3
    assert re.fullmatch(r"\d+\.\d\d", rows[0]["commissions"])  # money, from integer cents
    bad = run_cli("query", "run", "top-earners", "--param", "limit=many", env=env)
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: parameter limit (int): 'many' is not valid")
    out = tmp_path / "top.parquet"
    saved = run_cli(
        "query", "run", "top-earners", "--format", "parquet", "--out", str(out), env=env
    )
    assert saved.returncode == 0 and len(pd.read_parquet(out)) == 20
    attack = tmp_path / "attack.cypher"
    attack.write_text("MATCH (n) DETACH DELETE n\n")
    refused = run_cli("query", "run", "--file", str(attack), env=env)
    assert (
        refused.returncode == 2 and "DELETE" in refused.stderr and "Traceback" not in refused.stderr
    )
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == 3
