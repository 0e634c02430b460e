"""Analytics on hand-made trees: a chain thousands deep, a wide star, several roots, and the
tree as it stood before a transfer."""

from __future__ import annotations

from datetime import date

import pytest

from downline.errors import DownlineError
from queries.distributor import distributor_profile
from queries.filters import Filters
from queries.levels import levels
from tests.support.servers import run_cli, settings_env


def _load(tmp_path, env, rows, as_of=None):
    folder = tmp_path / f"load-{as_of or 'first'}"
    folder.mkdir()
    (folder / "distributors.csv").write_text(
        "distributor_id,sponsor_id,joined_on\n" + "\n".join(rows) + "\n"
    )
    args = ["ingest", str(folder)] + (["--as-of", as_of] if as_of else [])
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_chain_thousands_deep_a_wide_star_and_several_roots(
    engine, clean_db, server_settings, tmp_path
):
    env = settings_env(server_settings)
    chain = ["C0,,2024-01-01"] + [f"C{i},C{i - 1},2024-01-01" for i in range(1, 3000)]
    star = ["S,,2024-01-01"] + [f"S{i},S,2024-01-01" for i in range(20_000)]
    _load(tmp_path, env, chain + star + ["R,,2024-01-01"])
    db = server_settings.neo4j_database
    every_day = Filters(date_from=date(2000, 1, 1))  # a period: the engine's own path
    for asked in (Filters(), every_day):
        whole = levels(engine(), filters=asked).table
        assert whole.level.tolist() == list(range(3000))
        assert whole.distributors.tolist() == [3, 20_001] + [1] * 2998
        assert whole.max_recruits.tolist()[:2] == [20_000, 1]
        deep = levels(engine(), "C2000", asked).table
        assert deep.level.tolist() == list(range(1000)) and set(deep.distributors) == {1}
    roots = levels(engine(), "R", every_day).table
    assert roots.distributors.tolist() == [1] and roots.max_recruits.tolist() == [0]
    profile = distributor_profile(clean_db, db, "C2999")
    assert profile.upline.id.tolist() == [f"C{i}" for i in range(2998, -1, -1)]
    assert distributor_profile(clean_db, db, "S").downline["size"] == 20_000


def test_levels_as_the_tree_stood_before_a_transfer(engine, clean_db, server_settings, tmp_path):
    env = settings_env(server_settings)
    first = ["A,,2024-01-01", "B,A,2024-01-01", "C,B,2024-01-01", "D,C,2024-02-01"]
    _load(tmp_path, env, first)
    _load(
        tmp_path,
        env,
        ["A,,2024-01-01", "B,A,2024-01-01", "C,A,2024-01-01", "D,C,2024-02-01"],
        as_of="2024-06-01",
    )
    now = levels(engine()).table
    assert now.distributors.tolist() == [1, 2, 1]
    before = levels(engine(), filters=Filters(as_of=date(2024, 5, 1))).table
    assert before.distributors.tolist() == [1, 1, 1, 1]
    january = levels(engine(), filters=Filters(as_of=date(2024, 1, 15))).table
    assert january.distributors.tolist() == [1, 1, 1]
    under_b = levels(engine(), "B", Filters(as_of=date(2024, 5, 1))).table
    assert under_b.distributors.tolist() == [1, 1, 1]


def test_a_subtree_with_nobody_active_and_an_unknown_root(
    engine, clean_db, server_settings, tmp_path
):
    folder = tmp_path / "left"
    folder.mkdir()
    (folder / "distributors.csv").write_text(
        "distributor_id,sponsor_id,joined_on,left_on\n"
        "A,,2024-01-01,\nB,A,2024-01-01,2024-03-01\nC,B,2024-01-01,2024-03-01\n"
    )
    result = run_cli("ingest", str(folder), env=settings_env(server_settings))
    assert result.returncode == 0, result.stdout + result.stderr
    assert levels(engine(), "B").table.distributors.tolist() == [1, 1]
    assert levels(engine(), "B", Filters(active_only=True)).table.empty
    assert levels(engine(), "A", Filters(active_only=True)).table.distributors.tolist() == [1]
    with pytest.raises(DownlineError, match="no distributor Z"):
        levels(engine(), "Z")
