"""The oracle (tests/support/expected.py, plain Python over the CSV files) and the Cypher-based
views agree on one generated network loaded in three runs: the generated export, then two
later exports that move distributors (one of them twice) and add orders and commissions, for
a handful of filter combinations, each view compared whole."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from downline import snapshot
from downline.errors import DownlineError
from queries.cohorts import cohorts
from queries.cypher_source import CypherSource
from queries.earnings import earnings
from queries.engine import staleness
from queries.filters import Filters
from queries.flows import flows
from queries.indicators import RATIOS, read_inputs
from queries.levels import levels
from queries.overview import overview
from queries.snapshot_source import SnapshotSource
from tests.support.expected import Network, NoSuchDistributor, NotJoinedYet, read
from tests.support.servers import load_generated, run_cli, settings_env

SIZE, MONTHS, SEED = 400, 18, 29
JUNE, SEPTEMBER = date(2026, 6, 15), date(2026, 9, 1)  # the later runs' --as-of days


def _frontline(folder: Path) -> list[str]:
    """Level 1 as generated, the largest legs first."""
    tree = Network.load([folder]).covered().tree
    return sorted(
        (d for d, s in tree.sponsor.items() if s is not None and tree.sponsor[s] is None),
        key=lambda d: (-len(tree.subtree(d)), d),
    )


def _moves(folder: Path) -> list[tuple[str, str]]:
    """(distributor, new sponsor): three distributors two or more levels down who joined
    before May 2026, each moved under the largest frontline leg it is not already in."""
    network = Network.load([folder])
    tree, people = network.covered().tree, network.store.people
    frontline = _frontline(folder)
    movable = sorted(
        d
        for d, depth in tree.depth.items()
        if depth >= 2 and people[d].joined_on < date(2026, 5, 1)
    )
    moves = []
    for did in movable[::40][:3]:
        new = next(f for f in frontline if did not in tree.subtree(f))
        moves.append((did, new))
    return moves


def _later_export(folder: Path, first: Path, moves: list[tuple[str, str]], day: str) -> Path:
    """The moved distributors' rows with their new sponsors, and one new order of the first
    of them, ordered on `day`, with a level commission on it to its new sponsor."""
    rows = read(first, "distributors").set_index("distributor_id")
    moved = rows.loc[[d for d, _ in moves]].assign(sponsor_id=[s for _, s in moves])
    moved.reset_index().to_csv(folder / "distributors.csv", index=False)
    did, sponsor = moves[0]
    (folder / "orders.csv").write_text(
        f"order_id,distributor_id,ordered_on,amount,kind\nX{day},{did},{day},123.45,personal\n"
    )
    (folder / "commissions.csv").write_text(
        "commission_id,earner_id,period,amount,type,source_id,order_id\n"
        f"KX{day},{sponsor},{day[:7]},12.34,level,{did},X{day}\n"
    )
    return folder


@pytest.fixture(scope="module")
def oracle(driver, server_settings, tmp_path_factory) -> Network:
    first = tmp_path_factory.mktemp("generated")
    load_generated(driver, server_settings, first, SIZE, MONTHS, seed=SEED, profile="pyramid")
    moves = _moves(first)
    june = _later_export(tmp_path_factory.mktemp("june"), first, moves, "2026-07-02")
    first_leg = moves[0][1]
    again = [(moves[0][0], next(f for f in _frontline(first) if f != first_leg))]  # moved twice
    september = _later_export(tmp_path_factory.mktemp("september"), first, again, "2026-09-20")
    env = settings_env(server_settings)
    for folder, day in ((june, JUNE), (september, SEPTEMBER)):
        result = run_cli("ingest", str(folder), "--as-of", day.isoformat(), env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    records, _, _ = driver.execute_query(
        "MATCH (x:SponsorChange) RETURN count(x) AS n", database_=server_settings.neo4j_database
    )
    # The first run was `downline ingest` without --as-of: today, as Network.load's default.
    network = Network.load([first, (june, JUNE), (september, SEPTEMBER)])
    assert records[0]["n"] == len(network.store.transfers) == 4
    return network


@pytest.fixture(params=["cypher", "snapshot"])
def source(request, driver, server_settings, oracle):
    """Each engine: Cypher, and the read model as the last run left it (up to date, so
    the analytics would use it, and built by the runs, not read back)."""
    cypher = CypherSource(driver, server_settings.neo4j_database)
    if request.param == "cypher":
        return cypher
    version = snapshot.current(server_settings.snapshot_dir)
    assert staleness(cypher, version) is None
    assert version.meta["made_by"] == "run"
    return SnapshotSource(version, cypher)


def _plain(value):
    """A cell as a plain Python value: None for any missing value, numbers as int or float."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _same(a, b) -> bool:
    a, b = _plain(a), _plain(b)
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    """Same columns (an empty answer may have none), same rows in the same order."""
    if got.empty and want.empty:
        return
    assert list(got.columns) == list(want.columns), what
    rows = [list(r) for r in got.itertuples(index=False)]
    expected = [list(r) for r in want.itertuples(index=False)]
    assert len(rows) == len(expected), f"{what}: {len(rows)} rows, the oracle {len(expected)}"
    for i, (have, wanted) in enumerate(zip(rows, expected, strict=True)):
        same = all(_same(a, b) for a, b in zip(have, wanted, strict=True))
        assert same, f"{what}, row {i}: {have} != oracle {wanted}"


def assert_same_value(got, want, what: str) -> None:
    assert _same(got, want), f"{what}: {got} != oracle {want}"


FAR_LEG = "far-leg"  # placeholder for the largest frontline leg, resolved per network
CASES = [
    (None, {}),
    (None, {"active_only": True}),
    (None, {"date_from": date(2026, 1, 1), "date_to": date(2026, 6, 30)}),
    (None, {"as_of": date(2026, 5, 1)}),  # before both transfers
    (None, {"as_of": date(2026, 8, 1), "active_only": True, "date_from": date(2026, 2, 10)}),
    (FAR_LEG, {}),
    (FAR_LEG, {"as_of": date(2026, 7, 1), "date_to": date(2026, 9, 30)}),  # to after as-of
    (FAR_LEG, {"active_only": True, "date_from": date(2026, 3, 1)}),
]


def _cases(oracle: Network):
    leg = _biggest_leg(oracle)
    return [(leg if root == FAR_LEG else root, ask) for root, ask in CASES]


def _biggest_leg(oracle: Network) -> str:
    tree = oracle.covered().tree
    frontline = [d for d, s in tree.sponsor.items() if s is not None and tree.sponsor[s] is None]
    return max(frontline, key=lambda d: (len(tree.subtree(d)), d))


def _ids(case) -> str:
    root, ask = case
    return f"{root or 'all'}:" + ",".join(f"{k}={v}" for k, v in ask.items())


@pytest.fixture(params=range(len(CASES)), ids=lambda i: _ids(CASES[i]))
def case(request, oracle):
    return _cases(oracle)[request.param]


def test_levels(source, oracle, case):
    root, ask = case
    got = levels(source, root, Filters(**ask)).table
    assert_same_frame(got, oracle.levels(root, **ask), f"levels {case}")


def test_flows(source, oracle, case):
    root, ask = case
    got = flows(source, root, Filters(**ask))
    want = oracle.flows(root, **ask)
    assert_same_frame(got.by_level, want.by_level, f"flows by level {case}")
    assert_same_frame(got.entering, want.entering, f"flows entering {case}")
    assert_same_frame(got.by_gap, want.by_gap, f"flows by gap {case}")


def test_earnings(source, oracle, case):
    root, ask = case
    got = earnings(source, root, Filters(**ask))
    want = oracle.earnings(root, **ask)
    for field in ("participants", "total_cents", "mean_cents", "median_cents", "gini"):
        assert_same_value(getattr(got, field), getattr(want, field), f"{field} {case}")
    for field in ("top_1_share", "top_10_share"):
        assert_same_value(getattr(got, field), getattr(want, field), f"{field} {case}")
    assert_same_frame(got.bands, want.bands, f"bands {case}")
    assert_same_frame(got.by_rank, want.by_rank, f"by rank {case}")
    assert len(got.lorenz) == len(want.lorenz)
    for (x, y), (wx, wy) in zip(got.lorenz, want.lorenz, strict=True):
        assert_same_value(x, wx, f"lorenz {case}")
        assert_same_value(y, wy, f"lorenz at {x} {case}")


def test_cohorts(source, oracle, case):
    root, ask = case
    got = cohorts(source, root, Filters(**ask))
    assert_same_frame(got, oracle.cohorts(root, **ask), f"cohorts {case}")


def test_indicators_their_details_and_every_ratio_by_subtree(source, oracle, case):
    root, ask = case
    inputs = read_inputs(source, root, Filters(**ask))
    got = {i.key: i for i in inputs.indicators().items}
    values, crossed = oracle.indicators(root, **ask), oracle.crossed(root, **ask)
    assert list(got) == list(values)
    for key, item in got.items():
        assert_same_value(item.value, values[key], f"{key} {case}")
        assert item.crossed == crossed[key], f"{key} crossed {case}"
    details = oracle.indicator_details(root, **ask)
    low, earners = details["low_share_earners"]
    assert got["low_customer_share_pay"].detail == f"{low} of {earners} earners"
    assert got["top_1_percent_share"].detail == f"Gini {details['gini']:.3f}"
    for key, figure in (
        ("retail_reward_share", "participant_tied_share"),
        ("net_loss_rate", "kit_not_recouped_share"),
    ):
        share = details[figure]
        assert got[key].detail.endswith("no data" if share is None else f"{share * 100:.1f} %")
    for key in RATIOS:
        want = oracle.by_subtree(key, root, **ask)
        assert_same_frame(inputs.by_subtree(key), want, f"{key} by subtree {case}")


def test_one_row_per_earner(source, oracle, case):
    root, ask = case
    got = read_inputs(source, root, Filters(**ask))
    table = got.by_earner()  # equal commissions come in no set order
    table = table.sort_values(["commission_cents", "earner_id"], ascending=[False, True])
    want = oracle.by_earner(root, **ask)
    assert_same_frame(table.reset_index(drop=True), want, f"by earner {case}")


def test_the_overview(source, oracle):
    want = oracle.overview()
    got = overview(source)
    assert got.totals.__dict__ == want.totals.__dict__
    assert_same_frame(got.growth, want.growth, "growth")


def test_an_unknown_root_and_one_not_joined_by_the_day(source, oracle):
    with pytest.raises(DownlineError, match="no distributor NOPE"):
        levels(source, "NOPE")
    with pytest.raises(NoSuchDistributor, match="no distributor NOPE"):
        oracle.levels("NOPE")
    people = oracle.store.people
    late = max(people, key=lambda d: (people[d].joined_on, d))  # the last to join
    day = people[late].joined_on - timedelta(days=1)
    with pytest.raises(DownlineError, match=f"{late} had not joined by {day}"):
        levels(source, late, Filters(as_of=day))
    with pytest.raises(NotJoinedYet, match=f"{late} had not joined by {day}"):
        oracle.levels(late, as_of=day)
