"""Runs that add, move and change a little of a loaded network update the derived tree values
from what they touched (ingest.incremental), and every stored value equals the oracle's walk of
the CSVs loaded so far and a numbering of the whole forest."""

from __future__ import annotations

import json
import random
from bisect import bisect_left, bisect_right
from datetime import date

from ingest.generate import generate
from tests.support.expected_load import Store
from tests.support.servers import run_cli

DERIVED = """
MATCH (d:Distributor)
RETURN d.id AS id, d.depth AS depth, d.pre AS pre, d.post AS post, d.root_id AS root_id,
       d.recruits AS recruits, d.downline_size AS size, d.downline_levels AS levels,
       d.downline_active AS active, d.downline_revenue_cents AS revenue,
       d.downline_commission_cents AS earned
"""
HEADER = "distributor_id,sponsor_id,joined_on,status\n"
AS_OF = date(2026, 11, 30)


def _oracle(store: Store) -> dict[str, dict]:
    """Per distributor, walked from the CSVs: depth, root, recruits, the sums below it, and the
    ids of its subtree."""
    sponsor = {did: p.sponsor_id for did, p in store.people.items()}
    revenue = dict.fromkeys(sponsor, 0)
    for order in store.orders.values():
        revenue[order["distributor_id"]] += order["cents"]
    earned = dict.fromkeys(sponsor, 0)
    for commission in store.commissions.values():
        earned[commission["earner_id"]] += commission["cents"]
    subtree = {did: {did} for did in sponsor}
    depth, root = {}, {}
    for did in sponsor:
        at, hops = did, 0
        while sponsor[at] is not None:
            at, hops = sponsor[at], hops + 1
            subtree[at].add(did)
        depth[did], root[did] = hops, at
    out = {}
    for did, members in subtree.items():
        below = members - {did}
        out[did] = {
            "depth": depth[did],
            "root_id": root[did],
            "recruits": sum(1 for s in sponsor.values() if s == did),
            "size": len(below),
            "levels": max(depth[m] for m in members) - depth[did],
            "active": sum(1 for m in below if store.people[m].status == "active"),
            "revenue": sum(revenue[m] for m in below),
            "earned": sum(earned[m] for m in below),
            "subtree": members,
        }
    return out


def _stored(driver, settings) -> dict[str, dict]:
    """The stored values, each interval turned into the ids it holds."""
    records, _, _ = driver.execute_query(DERIVED, database_=settings.neo4j_database)
    rows = {r["id"]: r.data() for r in records}
    by_pre = sorted(rows, key=lambda d: rows[d]["pre"])
    starts = [rows[d]["pre"] for d in by_pre]
    for row in rows.values():
        inside = by_pre[bisect_left(starts, row["pre"]) : bisect_right(starts, row["post"])]
        row["subtree"] = set(inside)
        del row["id"], row["pre"], row["post"]
    return rows


def _follow_on(folder, store: Store, rng: random.Random, night: int) -> None:
    """A night's export: new distributors (under a prolific sponsor, in chains, a new root),
    transfers of a big and small subtrees (one under a new distributor, one to no sponsor),
    status changes, and orders and commissions for new and old distributors."""
    people = store.people
    ids = sorted(people)
    recruits: dict[str, int] = {}
    for p in people.values():
        recruits[p.sponsor_id] = recruits.get(p.sponsor_id, 0) + 1
    prolific = max((d for d in recruits if d), key=recruits.get)
    size = {did: 1 for did in ids}
    for did in ids:
        up = people[did].sponsor_id
        while up:
            size[up] += 1
            up = people[up].sponsor_id

    def upline(did):
        while did:
            yield did
            did = people[did].sponsor_id

    rows, new = [], []
    for i in range(12):
        did = f"N{night}-{i:02d}"
        up = prolific if i < 4 else (new[-1] if i < 8 and new else rng.choice(ids))
        if i == 11:
            up = ""
        rows.append(f"{did},{up},2026-11-{i + 1:02d},active")
        new.append(did)
    big = max((d for d in ids if people[d].sponsor_id), key=lambda d: (size[d] < 60, size[d]))
    small = rng.choice([d for d in ids if size[d] == 1 and people[d].sponsor_id])
    moves = {big: rng.choice([d for d in ids if big not in upline(d)]), small: new[5]}
    rooted = rng.choice([d for d in ids if people[d].sponsor_id and d not in moves])
    moves[rooted] = ""
    for did, target in moves.items():
        p = people[did]
        rows.append(f"{did},{target},{p.joined_on},{p.status}")
    for did in rng.sample([d for d in ids if d not in moves], 6):
        p = people[did]
        status = "inactive" if p.status == "active" else "active"
        rows.append(f"{did},{p.sponsor_id or ''},{p.joined_on},{status}")
    folder.mkdir()
    (folder / "distributors.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    owners = new + rng.sample(ids, 10)
    orders = [f"O{night}-{k},{d},2026-11-20,{12 + k}.25,personal" for k, d in enumerate(owners)]
    (folder / "orders.csv").write_text(
        "order_id,distributor_id,ordered_on,amount,kind\n" + "\n".join(orders) + "\n",
        encoding="utf-8",
    )
    commissions = [f"K{night}-{k},{d},2026-11,{3 + k}.10,level" for k, d in enumerate(owners)]
    (folder / "commissions.csv").write_text(
        "commission_id,earner_id,period,amount,type\n" + "\n".join(commissions) + "\n",
        encoding="utf-8",
    )


def _ingest(env, folder, report):
    result = run_cli(
        "ingest", str(folder), "--as-of", AS_OF.isoformat(), "--report", str(report), env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    derived = json.loads(report.read_text())["derived"]
    assert derived["snapshot"]["reconciled"], derived["snapshot"]
    return derived["rewritten"]


LEVEL_TOTALS = """
MATCH (t:LevelTotals) WHERE NOT t.active_only
RETURN t.level AS level, [t.distributors, t.recruits, t.max_recruits] AS totals
"""


def _level_totals(driver, settings) -> dict[int, list[int]]:
    records, _, _ = driver.execute_query(LEVEL_TOTALS, database_=settings.neo4j_database)
    return {r["level"]: r["totals"] for r in records}


def _oracle_levels(expected: dict[str, dict]) -> dict[int, list[int]]:
    """Per level: distributors, their recruits, the most recruits of one."""
    levels: dict[int, list[int]] = {}
    for row in expected.values():
        n, recruits, most = levels.get(row["depth"], [0, 0, 0])
        levels[row["depth"]] = [n + 1, recruits + row["recruits"], max(most, row["recruits"])]
    return levels


def test_nightly_runs_update_what_they_touch_and_agree_with_the_csvs(
    clean_db, server_settings, cli_env, tmp_path
):
    base = tmp_path / "base"
    generate(base, 300, 6, seed=21, profile="pyramid")
    store = Store()
    first = _ingest(cli_env, base, tmp_path / "base.json")
    store.load(base, AS_OF)
    assert first["how"].startswith("whole forest")
    assert _stored(clean_db, server_settings) == _oracle(store)
    rng = random.Random(3)
    for night in range(1, 5):
        folder = tmp_path / f"night-{night}"
        _follow_on(folder, store, rng, night)
        rewritten = _ingest(cli_env, folder, tmp_path / f"night-{night}.json")
        store.load(folder, AS_OF)
        assert rewritten["how"] == "incremental"
        assert 0 < rewritten["nodes"] < len(store.people) // 2
        expected = _oracle(store)
        assert _stored(clean_db, server_settings) == expected, night
        assert _level_totals(clean_db, server_settings) == _oracle_levels(expected), night
    # A numbering of the whole forest (as after a run that stopped before settling) changes
    # no value but the intervals, and those hold the same subtrees.
    before = _stored(clean_db, server_settings)
    clean_db.execute_query(
        "MATCH (s:DerivedState) SET s.due = true", database_=server_settings.neo4j_database
    )
    again = _ingest(cli_env, folder, tmp_path / "again.json")
    assert again["how"].startswith("whole forest: a run stopped")
    assert _stored(clean_db, server_settings) == before


def test_a_run_stopped_before_settling_is_mended_by_the_next(
    clean_db, server_settings, cli_env, tmp_path
):
    base = tmp_path / "base"
    generate(base, 120, 4, seed=5, profile="retail")
    _ingest(cli_env, base, tmp_path / "base.json")
    store = Store()
    store.load(base, AS_OF)
    # What a run that stopped after its writes leaves: a new distributor, not numbered, a
    # moved one with its old numbers, and the derived values due.
    people = sorted(store.people)
    mover, target = people[7], people[0]
    database = server_settings.neo4j_database
    clean_db.execute_query(
        """
        MATCH (s:Distributor {id: $target}), (m:Distributor {id: $mover})
        MATCH (m)-[old:SPONSORED_BY]->()
        DELETE old
        CREATE (m)-[:SPONSORED_BY]->(s)
        CREATE (:Distributor:TreeStale:TotalsStale {id: 'LATE', status: 'active'})
                -[:SPONSORED_BY]->(m)
        SET m:TreeStale
        WITH 1 AS _
        MATCH (state:DerivedState) SET state.due = true
        """,
        target=target,
        mover=mover,
        database_=database,
    )
    night = tmp_path / "night"
    night.mkdir()
    rows = [f"{mover},{target},{store.people[mover].joined_on},active"]
    rows.append(f"LATE,{mover},2026-11-02,active")
    (night / "distributors.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    mended = _ingest(cli_env, night, tmp_path / "night.json")
    store.load(night, AS_OF)
    assert mended["how"].startswith("whole forest: a run stopped")
    assert _stored(clean_db, server_settings) == _oracle(store)


def test_a_small_file_is_checked_against_the_uplines_it_names(
    clean_db, server_settings, cli_env, tmp_path
):
    # A file naming a few distributors of a larger network reads only those and their
    # uplines: a transfer into its own downline is still a cycle through stored distributors,
    # an unknown sponsor is still unknown, and the rest loads.
    base = tmp_path / "base"
    generate(base, 300, 4, seed=8, profile="pyramid")
    _ingest(cli_env, base, tmp_path / "base.json")
    store = Store()
    store.load(base, AS_OF)
    people = store.people

    def upline(did):
        chain = []
        while people[did].sponsor_id:
            did = people[did].sponsor_id
            chain.append(did)
        return chain

    deep = max(people, key=lambda d: (len(upline(d)), d))
    top = upline(deep)[-2]  # a child of the root, above `deep`
    chain = upline(deep)[: upline(deep).index(top)]  # deep's sponsor .. top's child
    night = tmp_path / "night"
    night.mkdir()
    rows = [
        f"{top},{deep},{people[top].joined_on},active",
        "NEW1,NOBODY,2026-11-03,active",
        f"NEW2,{deep},2026-11-04,active",
    ]
    (night / "distributors.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects"
    result = run_cli(
        "ingest", str(night), "--as-of", AS_OF.isoformat(), "--rejects", str(rejects), env=cli_env
    )
    assert result.returncode == 1, result.stdout + result.stderr
    reasons = {
        line.split(",")[0]: line.rsplit(",", 1)[1]
        for line in (rejects / "distributors.rejects.csv").read_text().splitlines()[1:]
    }
    cycle = " -> ".join([top, deep, *chain, top])
    assert reasons == {top: f"sponsor cycle: {cycle}", "NEW1": "unknown sponsor NOBODY"}
    night_ok = tmp_path / "night-ok"
    night_ok.mkdir()
    (night_ok / "distributors.csv").write_text(HEADER + rows[2] + "\n", encoding="utf-8")
    store.load(night_ok, AS_OF)
    assert _stored(clean_db, server_settings) == _oracle(store)
