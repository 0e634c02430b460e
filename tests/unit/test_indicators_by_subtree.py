"""Indicators within each subtree, on a small hand-made tree: every expected value is counted by
brute force, one subtree at a time, following sponsor links in plain Python (never the
pre-order numbers the function relies on)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from downline.errors import DownlineError
from downline.snapshot import NEVER
from downline.vocabulary import COMMISSION_TYPES, ORDER_KINDS
from queries.cypher_source import codes, positions
from queries.facts import Network, Paid
from queries.indicators import NOT_BY_SUBTREE, RATIOS, Inputs, NotBySubtree

# id: (sponsor, retail, personal, starter kit) in cents; A and L are roots.
PEOPLE = {
    "A": (None, 90_000, 5_000, 0),
    "B": ("A", 2_000, 20_000, 5_000),
    "C": ("A", 40_000, 1_000, 0),
    "D": ("B", 0, 30_000, 5_000),
    "E": ("B", 0, 0, 5_000),
    "F": ("C", 30_000, 2_000, 0),
    "G": ("C", 0, 8_000, 5_000),
    "H": ("D", 0, 12_000, 5_000),
    "I": ("D", 0, 0, 0),
    "J": ("F", 5_000, 0, 5_000),
    "K": ("A", 10_000, 10_000, 0),  # customer share exactly 50 %
    "L": (None, 0, 40_000, 5_000),
    "M": ("L", 1_000, 9_000, 5_000),
}
# Commissions by (earner, type, order kind): retail-tied, participant-tied, other, recruiting.
TRIGGERS = [
    ("A", "retail_margin", None, 150_000),
    ("A", "level", "personal", 40_000),
    ("A", "recruitment", "starter_kit", 10_000),
    ("B", "level", "retail", 3_000),
    ("B", "recruitment", None, 25_000),
    ("C", "level", "retail", 60_000),
    ("C", "rank_bonus", None, 7_000),
    ("D", "level", "starter_kit", 12_000),
    ("F", "retail_margin", "retail", 9_000),
    ("F", "level", "personal", 1_000),
    ("K", "level", "personal", 4_000),
    ("L", "recruitment", "starter_kit", 80_000),
    ("L", "level", "personal", 30_000),
    ("ZZ", "retail_margin", "retail", 999_000),  # not a covered distributor: ignored
]


def _numbered(people: dict) -> pd.DataFrame:
    """One row per distributor with pre/post numbers from a depth-first walk."""
    children = {d: [c for c, row in people.items() if row[0] == d] for d in people}
    numbers: dict[str, list[int]] = {}

    def walk(node: str) -> None:
        numbers[node] = [len(numbers), 0]
        for child in children[node]:
            walk(child)
        numbers[node][1] = len(numbers) - 1

    for root in (d for d, row in people.items() if row[0] is None):
        walk(root)
    earned = {d: sum(t[3] for t in TRIGGERS if t[0] == d) for d in people}
    rows = [
        {
            "id": d,
            "sponsor_id": s,
            "pre": numbers[d][0],
            "post": numbers[d][1],
            "retail_cents": r,
            "personal_cents": p,
            "starter_kit_cents": k,
            "commission_cents": earned[d],
        }
        for d, (s, r, p, k) in people.items()
    ]
    return pd.DataFrame(rows).sample(frac=1, random_state=3).reset_index(drop=True)


def _triggers() -> pd.DataFrame:
    return pd.DataFrame(TRIGGERS, columns=["earner_id", "type", "order_kind", "cents"])


def _in_subtree(member: str, root: str) -> bool:
    """Plain sponsor links: is `root` on `member`'s chain up (itself included)?"""
    node = member
    while node is not None:
        if node == root:
            return True
        node = PEOPLE[node][0]
    return False


def _customer_share(earner: str, covered: set[str]) -> float:
    team = [d for d in covered if _in_subtree(d, earner)]
    revenue = sum(PEOPLE[d][1] + PEOPLE[d][2] + PEOPLE[d][3] for d in team)
    return sum(PEOPLE[d][1] for d in team) / revenue if revenue else 0.0


def _brute(key: str, root: str, covered: set[str]) -> tuple[int, int]:
    """(numerator, denominator) of indicator `key` over root's subtree, by hand."""
    members = [d for d in covered if _in_subtree(d, root)]
    mine = [t for t in TRIGGERS if t[0] in members]
    earned = {d: sum(t[3] for t in TRIGGERS if t[0] == d) for d in members}
    retail = [t for t in mine if t[1] == "retail_margin" or t[2] == "retail"]
    participant = [
        t
        for t in mine
        if t not in retail and (t[1] == "recruitment" or t[2] in ("personal", "starter_kit"))
    ]
    if key == "retail_reward_share":
        return sum(t[3] for t in retail), sum(t[3] for t in retail + participant)
    if key == "end_user_sales_share":
        revenue = sum(PEOPLE[d][1] + PEOPLE[d][2] + PEOPLE[d][3] for d in members)
        return sum(PEOPLE[d][1] for d in members), revenue
    if key == "low_customer_share_pay":
        earners = [d for d in members if earned[d] > 0]
        low = [d for d in earners if _customer_share(d, covered) <= 0.5]
        return sum(earned[d] for d in low), sum(earned[d] for d in earners)
    if key == "recruitment_payout_share":
        recruiting = [t for t in mine if t[1] == "recruitment" or t[2] == "starter_kit"]
        return sum(t[3] for t in recruiting), sum(t[3] for t in mine)
    if key == "net_loss_rate":
        return sum(earned[d] < PEOPLE[d][2] + PEOPLE[d][3] for d in members), len(members)
    if key == "zero_earner_share":
        return sum(earned[d] == 0 for d in members), len(members)
    if key == "small_earner_share":
        return sum(earned[d] <= 100_000 for d in members), len(members)
    raise AssertionError(key)


def _expected(key: str, covered: set[str], min_size: int, top: int) -> list[tuple]:
    """(root, distributors, value, crossed) rows, furthest past the threshold first."""
    ratio = RATIOS[key]
    found = []
    for root in covered:
        size = sum(_in_subtree(d, root) for d in covered)
        part, whole = _brute(key, root, covered)
        if size < min_size or whole == 0:
            continue
        value = part / whole
        past = ratio.limit - value if ratio.below else value - ratio.limit
        found.append((-past, -size, root, value, past > 0))
    found.sort()
    return [(root, -size, value, crossed) for _, size, root, value, crossed in found[:top]]


def _rows(table: pd.DataFrame) -> list[tuple]:
    return [
        (r.root, int(r.distributors), float(r.value), bool(r.crossed)) for r in table.itertuples()
    ]


@pytest.mark.parametrize("key", list(RATIOS))
def test_every_subtree_matches_brute_force(key):
    table = _inputs(_numbered(PEOPLE), _triggers()).by_subtree(key, min_size=1, top=100)
    assert list(table.columns) == ["root", "distributors", "value", "crossed"]
    assert _rows(table) == _expected(key, set(PEOPLE), 1, 100)


@pytest.mark.parametrize("key", ["net_loss_rate", "retail_reward_share", "end_user_sales_share"])
def test_min_size_and_top_keep_the_furthest_past_large_subtrees(key):
    table = _inputs(_numbered(PEOPLE), _triggers()).by_subtree(key, min_size=3, top=2)
    assert len(table) == 2 and (table.distributors >= 3).all()
    assert _rows(table) == _expected(key, set(PEOPLE), 3, 2)


def test_a_filtered_frame_counts_only_the_distributors_it_covers():
    """As with --active-only: rows drop out, the pre-order numbers keep their gaps."""
    frame = _numbered(PEOPLE)
    covered = set(PEOPLE) - {"D", "F", "K"}
    frame = frame[frame.id.isin(covered)].reset_index(drop=True)
    for key in RATIOS:
        got = _rows(_inputs(frame, _triggers()).by_subtree(key, min_size=1, top=100))
        assert got == _expected(key, covered, 1, 100), key


def test_the_network_value_is_the_whole_tree_subtree_value():
    """compute() and by_subtree use one definition: a single tree's root gives the network's."""
    people = {d: row for d, row in PEOPLE.items() if _in_subtree(d, "A")}
    frame = _numbered(people)
    triggers = _triggers()
    network = {i.key: i for i in _inputs(frame, triggers).indicators().items}
    for key in RATIOS:
        table = _inputs(frame, triggers).by_subtree(key, min_size=1, top=100)
        whole = table[table.root == "A"].iloc[0]
        assert whole.distributors == len(people)
        assert whole.value == network[key].value, key
        assert whole.crossed == network[key].crossed, key


def test_subtrees_with_nothing_to_judge_are_left_out():
    table = _inputs(_numbered(PEOPLE), _triggers()).by_subtree("retail_reward_share", 1, 100)
    assert "E" not in set(table.root)  # earned nothing: no rewards to share out
    table = _inputs(_numbered(PEOPLE), _triggers()).by_subtree("end_user_sales_share", 1, 100)
    assert "I" not in set(table.root)  # bought and sold nothing


def test_inputs_reused_for_every_key_give_what_fresh_ones_give():
    frame, triggers = _numbered(PEOPLE), _triggers()
    inputs = _inputs(frame, triggers)
    for key in RATIOS:
        pd.testing.assert_frame_equal(
            inputs.by_subtree(key, 2, 5), _inputs(frame, triggers).by_subtree(key, 2, 5)
        )


@pytest.mark.parametrize("key", sorted(NOT_BY_SUBTREE))
def test_indicators_that_are_not_sums_say_so(key):
    with pytest.raises(NotBySubtree) as raised:
        _inputs(_numbered(PEOPLE), _triggers()).by_subtree(key)
    assert isinstance(raised.value, DownlineError)
    assert str(raised.value) == NOT_BY_SUBTREE[key] and "subtree" in str(raised.value)


def test_every_indicator_is_either_a_ratio_or_says_why_not():
    keys = {i.key for i in _inputs(_numbered(PEOPLE), _triggers()).indicators().items}
    assert keys == set(RATIOS) | set(NOT_BY_SUBTREE)
    assert not set(RATIOS) & set(NOT_BY_SUBTREE)
    with pytest.raises(NotBySubtree, match="no indicator"):
        _inputs(_numbered(PEOPLE), _triggers()).by_subtree("no_such_key")


def test_a_million_distributors_in_one_pass():
    """Ten-member teams under one root: 1,000,001 subtrees, summed without a loop (its speed
    is measured by `make bench`, not here)."""
    teams = 100_000
    n = 1 + teams * 10
    pre = np.arange(n)
    post = np.where(pre % 10 == 1, pre + 9, pre)
    post[0] = n - 1
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "id": [f"D{i:07d}" for i in range(n)],
            "pre": pre,
            "post": post,
            "retail_cents": rng.integers(0, 1_000, n),
            "personal_cents": rng.integers(0, 1_000, n),
            "starter_kit_cents": np.zeros(n, dtype=np.int64),
            "commission_cents": rng.integers(0, 2_000, n),
        }
    )
    triggers = pd.DataFrame(
        {
            "earner_id": frame.id.iloc[: n // 2],
            "type": "level",
            "order_kind": "retail",
            "cents": rng.integers(0, 1_000, n // 2),
        }
    )
    table = _inputs(frame, triggers).by_subtree("end_user_sales_share")
    assert len(table) == 20 and set(table.distributors) <= {10, n}


def _inputs(frame: pd.DataFrame, triggers: pd.DataFrame) -> Inputs:
    """The indicators' inputs for these rows (all at level 0 of one covered set) and these
    commissions by (earner, type, order kind)."""
    n = len(frame)
    ids = pa.array(frame.id.tolist(), pa.string())
    network = Network(
        all_ids=ids,
        all_ranks=pa.nulls(n, pa.string()),
        members=np.arange(n),
        level=np.zeros(n, dtype=np.int64),
        pre=frame.pre.to_numpy(),
        post=frame.post.to_numpy(),
        active=np.ones(n, dtype=bool),
        recruits=np.zeros(n, dtype=np.int64),
        joined=np.zeros(n, dtype=np.int64),
        left=np.full(n, NEVER, dtype=np.int64),
        **{c: frame[c].to_numpy(dtype=np.int64) for c in ("retail_cents", "personal_cents")},
        starter_kit_cents=frame.starter_kit_cents.to_numpy(dtype=np.int64),
        commission_cents=frame.commission_cents.to_numpy(dtype=np.int64),
    )
    paid = Paid(
        earner=positions(triggers.earner_id, ids),
        source_level=np.full(len(triggers), -1),
        type=codes(triggers.type, COMMISSION_TYPES),
        trigger=codes(triggers.order_kind, ORDER_KINDS),
        cents=triggers.cents.to_numpy(dtype=np.int64),
        count=np.ones(len(triggers), dtype=np.int64),
    ).covered()
    return Inputs(network, paid.received(n), np.zeros(n, dtype=np.int64))
