"""Analytics against the real Neo4j, each figure checked against pandas over the same CSVs."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import pandas as pd
import pytest

from ingest.generate import generate
from queries.cohorts import cohorts
from queries.distributor import distributor_profile
from queries.earnings import earnings
from queries.filters import NO_FILTERS, Filters
from queries.flows import flows
from queries.indicators import indicators, read_inputs
from queries.levels import levels
from tests.support.expected import cents, depths, read
from tests.support.servers import run_cli, settings_env, wipe

NETWORKS = [("pyramid", 11, 900), ("retail", 12, 700), ("pyramid", 5, 400)]


@pytest.fixture(scope="module", params=NETWORKS, ids=lambda p: f"{p[0]}-{p[1]}")
def network(request, driver, server_settings, tmp_path_factory):
    profile, seed, size = request.param
    folder = tmp_path_factory.mktemp(f"net-{profile}-{seed}")
    generate(folder, size, 18, seed=seed, profile=profile)
    wipe(driver, server_settings)
    env = _env(server_settings)
    result = run_cli("ingest", str(folder), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def _env(settings):
    return settings_env(settings)


class Expected:
    """The network as pandas sees it in the CSV files."""

    def __init__(self, folder, filters: Filters = NO_FILTERS):
        self.dist = read(folder, "distributors")
        self.level = depths(self.dist)
        orders = read(folder, "orders").assign(cents=lambda f: cents(f.amount))
        comms = read(folder, "commissions").assign(cents=lambda f: cents(f.amount))
        p = filters.params()
        orders = orders[
            (orders.ordered_on >= p["date_from"].isoformat())
            & (orders.ordered_on <= p["date_to"].isoformat())
        ]
        comms = comms[(comms.period >= p["period_from"]) & (comms.period <= p["period_to"])]
        self.orders, self.comms = orders, comms
        self.sponsor = dict(zip(self.dist.distributor_id, self.dist.sponsor_id, strict=True))
        self.children = defaultdict(list)
        for did, sponsor in self.sponsor.items():
            if sponsor:
                self.children[sponsor].append(did)

    def subtree(self, root: str) -> list[str]:
        found, stack = [], [root]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(self.children[node])
        return found

    def levels(self, root: str | None = None, active_only=False) -> pd.DataFrame:
        ids = self.subtree(root) if root else list(self.sponsor)
        base = self.level[root] if root else 0
        table = pd.DataFrame({"id": ids})
        status = dict(zip(self.dist.distributor_id, self.dist.status, strict=True))
        table["recruits"] = table.id.map(lambda d: len(self.children[d]))
        if active_only:
            table = table[table.id.map(status) == "active"]
        table["level"] = table.id.map(self.level) - base
        table["revenue"] = table.id.map(self.orders.groupby("distributor_id").cents.sum())
        table["commissions"] = table.id.map(self.comms.groupby("earner_id").cents.sum())
        return (
            table.fillna(0)
            .groupby("level")
            .agg(
                distributors=("id", "size"),
                revenue=("revenue", "sum"),
                commissions=("commissions", "sum"),
                avg=("recruits", "mean"),
                max=("recruits", "max"),
            )
            .reset_index()
        )


def _check_levels(got, want):
    assert got.level.tolist() == want.level.tolist()
    assert got.distributors.tolist() == want.distributors.tolist()
    assert got.revenue_cents.tolist() == want.revenue.astype(int).tolist()
    assert got.commission_cents.tolist() == want.commissions.astype(int).tolist()
    assert got.max_recruits.tolist() == want["max"].tolist()
    assert got.avg_recruits.tolist() == pytest.approx(want["avg"].tolist())
    total = want.revenue.sum()
    assert got.revenue_share.tolist() == pytest.approx((want.revenue / total).tolist())


def test_levels_of_the_whole_network_and_of_subtrees(engine, server_settings, network):
    expected = Expected(network)
    _check_levels(levels(engine()).table, expected.levels())
    _check_levels(
        levels(engine(), filters=Filters(active_only=True)).table,
        expected.levels(active_only=True),
    )
    frontline = [d for d, s in expected.sponsor.items() if s and not expected.sponsor[s]]
    biggest = max(frontline, key=lambda d: len(expected.subtree(d)))
    _check_levels(levels(engine(), biggest).table, expected.levels(biggest))


def test_levels_within_a_period(engine, server_settings, network):
    filters = Filters(date_from=date(2025, 3, 10), date_to=date(2025, 9, 20))
    got = levels(engine(), filters=filters).table
    _check_levels(got, Expected(network, filters).levels())


def test_the_levels_command_prints_json_in_currency_units(server_settings, network):
    result = run_cli("levels", "--format", "json", env=_env(server_settings))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    want = Expected(network).levels()
    assert document["root"] is None
    assert [row["distributors"] for row in document["levels"]] == want.distributors.tolist()
    revenue = [row["revenue"] for row in document["levels"]]
    assert revenue == [f"{int(c) // 100}.{int(c) % 100:02d}" for c in want.revenue]
    assert {"revenue_share", "commissions", "commission_share"} <= set(document["levels"][0])


def test_flows_by_source_and_earner_level(engine, server_settings, network):
    got = flows(engine())
    expected = Expected(network)
    comms = expected.comms.assign(
        earner_level=expected.comms.earner_id.map(expected.level),
        source_level=expected.comms.source_id.map(lambda s: expected.level.get(s, -1)),
    )
    want = comms.groupby(["source_level", "earner_level"]).cents.sum().to_dict()
    have = {
        (-1 if pd.isna(r.source_level) else int(r.source_level), int(r.earner_level)): int(
            r.commission_cents
        )
        for r in got.by_level.itertuples()
    }
    assert have == want
    sourced = comms[comms.source_level >= 0]
    gaps = (sourced.source_level - sourced.earner_level).groupby(
        sourced.source_level - sourced.earner_level
    )
    assert dict(zip(got.by_gap.gap, got.by_gap.commission_cents, strict=True)) == {
        gap: int(sourced.cents[group.index].sum()) for gap, group in gaps
    }
    orders = expected.orders.assign(level=expected.orders.distributor_id.map(expected.level))
    want_entering = orders.groupby(["level", "kind"]).cents.sum().to_dict()
    assert {(r.level, r.kind): r.cents for r in got.entering.itertuples()} == want_entering


def test_earnings_bands_and_concentration(engine, server_settings, network):
    got = earnings(engine())
    expected = Expected(network)
    per = expected.dist.distributor_id.map(expected.comms.groupby("earner_id").cents.sum())
    per = per.fillna(0).astype(int)
    edges = [-1, 0, 9_999, 99_999, 999_999, 9_999_999, float("inf")]
    counts = pd.cut(per, edges).value_counts(sort=False).tolist()
    assert got.bands.participants.tolist() == counts
    assert got.participants == len(per) and got.total_cents == per.sum()
    assert got.median_cents == per.median()
    top = per.sort_values(ascending=False)
    assert got.top_10_share == pytest.approx(
        top.iloc[: max(1, round(len(top) * 0.1))].sum() / top.sum()
    )


def test_one_distributor(driver, server_settings, network):
    expected = Expected(network)
    did = max(expected.sponsor, key=lambda d: (expected.level[d], d))
    profile = distributor_profile(driver, server_settings.neo4j_database, did)
    chain, node = [], expected.sponsor[did]
    while node:
        chain.append(node)
        node = expected.sponsor[node]
    assert profile.upline.id.tolist() == chain
    sponsor = expected.sponsor[did]
    assert profile.details["sponsor_id"] == sponsor
    mid = distributor_profile(driver, server_settings.neo4j_database, sponsor)
    assert mid.downline["size"] == len(expected.subtree(sponsor)) - 1
    own = expected.orders[expected.orders.distributor_id == did]
    personal = own[own.kind == "personal"].cents.sum()
    assert profile.details["personal_cents"] == personal


def _per_distributor(expected: Expected) -> pd.DataFrame:
    table = pd.DataFrame({"id": expected.dist.distributor_id})
    for kind in ("retail", "personal", "starter_kit"):
        own = expected.orders[expected.orders.kind == kind].groupby("distributor_id").cents.sum()
        table[kind] = table.id.map(own).fillna(0)
    table["earned"] = table.id.map(expected.comms.groupby("earner_id").cents.sum()).fillna(0)
    return table


def test_compliance_indicators(engine, server_settings, network):
    got = {i.key: i for i in indicators(engine()).items}
    expected = Expected(network)
    orders, comms = expected.orders, expected.comms
    per = _per_distributor(expected)

    assert got["end_user_sales_share"].value == pytest.approx(
        orders[orders.kind == "retail"].cents.sum() / orders.cents.sum()
    )
    kind_of = dict(zip(orders.order_id, orders.kind, strict=True))
    order_kind = comms.order_id.map(kind_of)
    recruiting = (comms.type == "recruitment") | (order_kind == "starter_kit")
    assert got["recruitment_payout_share"].value == pytest.approx(
        comms.cents[recruiting].sum() / comms.cents.sum()
    )
    retail = (comms.type == "retail_margin") | (order_kind == "retail")
    participant = ~retail & (
        (comms.type == "recruitment") | order_kind.isin(["personal", "starter_kit"])
    )
    assert got["retail_reward_share"].value == pytest.approx(
        comms.cents[retail].sum() / (comms.cents[retail].sum() + comms.cents[participant].sum())
    )
    assert got["zero_earner_share"].value == pytest.approx((per.earned == 0).mean())
    assert got["small_earner_share"].value == pytest.approx((per.earned <= 100_000).mean())
    assert got["net_loss_rate"].value == pytest.approx(
        (per.earned < per.personal + per.starter_kit).mean()
    )
    ranked = per.earned.sort_values(ascending=False)
    assert got["top_1_percent_share"].value == pytest.approx(
        ranked.iloc[: max(1, round(len(ranked) * 0.01))].sum() / ranked.sum()
    )
    personal = orders[orders.kind == "personal"]
    stamp = pd.to_datetime(personal.ordered_on)
    late = stamp.dt.day > stamp.dt.days_in_month - 5
    assert got["end_of_period_buying"].value == pytest.approx(
        personal.cents[late].sum() / personal.cents.sum()
    )
    for item in got.values():
        assert item.crossed == (item.key in _crossed(got))


def _crossed(got) -> set[str]:
    """The thresholds, applied independently to the reported values."""
    limits = {
        "retail_reward_share": lambda v: v < 2 / 3,
        "end_user_sales_share": lambda v: v < 0.8,
        "low_customer_share_pay": lambda v: v > 0.5,
        "recruitment_payout_share": lambda v: v > 0.5,
        "net_loss_rate": lambda v: v > 0.5,
        "zero_earner_share": lambda v: v > 0.5,
        "small_earner_share": lambda v: v > 0.5,
        "top_1_percent_share": lambda v: v >= 0.5,
        "retention_12_months": lambda v: v < 0.4,
        "end_of_period_buying": lambda v: v >= 2 * 5 / 30.44,
    }
    return {k for k, i in got.items() if i.value is not None and limits[k](i.value)}


def test_the_customer_share_of_an_earners_own_and_downline_revenue(
    engine, server_settings, network
):
    earners = read_inputs(engine()).by_earner()
    expected = Expected(network)
    orders = expected.orders
    top = earners.iloc[0]
    team = set(expected.subtree(top.earner_id))
    mine = orders[orders.distributor_id.isin(team)]
    assert top.customer_share == pytest.approx(
        mine[mine.kind == "retail"].cents.sum() / mine.cents.sum()
    )


def test_cohorts_by_join_month(engine, server_settings, network):
    got = cohorts(engine())
    dist = Expected(network).dist
    month = dist.joined_on.str[:7]
    assert dict(zip(got.cohort, got.recruits, strict=True)) == month.value_counts().to_dict()
    joined = pd.to_datetime(dist.joined_on)
    left = pd.to_datetime(dist.left_on.replace("", None))
    end = max(joined.max(), left.max())
    horizon = joined + pd.DateOffset(months=3)
    for row in got.itertuples():
        members = month == row.cohort
        if horizon[members].max() <= end:
            stayed = left[members].isna() | (left[members] > horizon[members])
            assert row.active_after_3 == pytest.approx(stayed.mean())
        else:
            assert row.active_after_3 is None or pd.isna(row.active_after_3)


def test_the_other_commands_print_json(server_settings, network):
    env = _env(server_settings)
    expected = Expected(network)
    did = max(expected.sponsor, key=lambda d: (len(expected.subtree(d)), d))
    profile = json.loads(run_cli("distributor", did, "--format", "json", env=env).stdout)
    assert profile["id"] == did and profile["downline"]["size"] == len(expected.subtree(did)) - 1
    found = json.loads(run_cli("indicators", "--format", "json", env=env).stdout)
    assert len(found["indicators"]) == 10 and found["summary"]
    for command in ("flows", "earnings", "cohorts"):
        result = run_cli(command, "--format", "csv", "--to", "2026-06-30", env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.count("\n") >= 2
    missing = run_cli("distributor", "NOPE", env=env)
    assert missing.returncode == 2 and missing.stderr == "error: no distributor NOPE\n"
