"""The oracle (tests/support/expected.py) on small hand-made networks written as CSV files.

Every expected number here is worked out by hand from the rows written in this file (the
working is in the comments), never taken from the oracle's own output, so these tests fail when
the oracle computes something else.

The family network used by most tests, amounts in currency units:

    A  root, joined 2024-01-01, gold       orders: retail 100 (01-20), personal 25.50 (05-10)
    ├── B  2024-01-10, silver              starter kit 300 (01-10), personal 50 (02-26)
    │   ├── D  2024-02-05, left 2024-04-20 starter kit 300 (02-05)
    │   └── E  2024-03-15                  starter kit 300 (03-15), personal 40 (03-30)
    │       └── G  2024-04-01, no rank     starter kit 300 (04-01)
    └── C  2024-02-01, terminated, left 2024-06-30    starter kit 300 (02-01)
        └── F  2024-03-01                  retail 500 (04-02)

    revenue in cents: A 12,550  B 35,000  C 30,000  D 30,000  E 34,000  F 50,000  G 30,000
    (all 221,550; retail 60,000); active now: A B E F G (C terminated, D inactive by left_on)

    commissions (earner <- source, period, type, order):
    K1  A <- B  2024-01  30  recruitment    O2 kit          participant-tied, recruiting
    K2  A <- A  2024-01  10  retail_margin  O1 retail       retail-tied
    K3  A <- C  2024-02  30  recruitment    O4 kit          participant-tied, recruiting
    K4  B <- D  2024-02  30  recruitment    O5 kit          participant-tied, recruiting
    K5  A <- B  2024-02   5  level          O3 personal     participant-tied
    K6  B <- E  2024-03  30  recruitment    O6 kit          participant-tied, recruiting
    K7  A <- E  2024-03  15  level          O6 kit          participant-tied, recruiting
    K8  C <- F  2024-04  20  retail_margin  O8 retail       retail-tied
    K9  E <- G  2024-04  30  recruitment    O9 kit          participant-tied, recruiting
    K10 B       2024-04   8  rank_bonus     (no source, no order: unattributed)
    K11 B <- F  2024-04  12  level          O8 retail       retail-tied

    earned in cents: A 9,000  B 8,000  C 2,000  E 3,000  D F G 0 (all 22,000)

Transfers (the `moved` network): a later distributors file loaded --as-of 2024-06-15 puts E
under A, and one loaded --as-of 2024-09-01 puts E under F.
"""

from __future__ import annotations

import gzip
from datetime import date
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from tests.support.expected import BadInput, Network, NoSuchDistributor, NotJoinedYet
from tests.support.expected_earnings import top_count
from tests.support.expected_indicators import NotBySubtree
from tests.support.expected_load import files_of, to_cents
from tests.support.expected_views import plus_months

FAMILY_DISTRIBUTORS = """\
distributor_id,sponsor_id,joined_on,rank,status,left_on
A,,2024-01-01,gold,,
B,A,2024-01-10,silver,,
C,A,2024-02-01,member,terminated,2024-06-30
D,B,2024-02-05,member,,2024-04-20
E,B,2024-03-15,member,,
F,C,2024-03-01,member,,
G,E,2024-04-01,,,
"""
FAMILY_ORDERS = """\
order_id,distributor_id,ordered_on,amount,kind
O1,A,2024-01-20,100,retail
O2,B,2024-01-10,300,starter_kit
O3,B,2024-02-26,50,personal
O4,C,2024-02-01,300,starter_kit
O5,D,2024-02-05,300,starter_kit
O6,E,2024-03-15,300,starter_kit
O7,E,2024-03-30,40,personal
O8,F,2024-04-02,500,retail
O9,G,2024-04-01,300.00,starter_kit
O10,A,2024-05-10,25.50,personal
"""
FAMILY_COMMISSIONS = """\
commission_id,earner_id,period,amount,type,source_id,order_id
K1,A,2024-01,30,recruitment,B,O2
K2,A,2024-01,10,retail_margin,A,O1
K3,A,2024-02,30,recruitment,C,O4
K4,B,2024-02,30,recruitment,D,O5
K5,A,2024-02,5,level,B,O3
K6,B,2024-03,30,recruitment,E,O6
K7,A,2024-03,15,level,E,O6
K8,C,2024-04,20,retail_margin,F,O8
K9,E,2024-04,30,recruitment,G,O9
K10,B,2024-04,8,rank_bonus,,
K11,B,2024-04,12,level,F,O8
"""
FIRST_LOAD = date(2024, 5, 15)


def write(folder: Path, **files: str) -> Path:
    """`write(path, distributors="...")` writes distributors.csv, and so on."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind, text in files.items():
        (folder / f"{kind}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def family_folder(tmp_path) -> Path:
    return write(
        tmp_path / "family",
        distributors=FAMILY_DISTRIBUTORS,
        orders=FAMILY_ORDERS,
        commissions=FAMILY_COMMISSIONS,
    )


@pytest.fixture
def family(family_folder) -> Network:
    return Network.load([(family_folder, FIRST_LOAD)])


@pytest.fixture
def moved(tmp_path, family_folder) -> Network:
    """The family, then E moved under A (run of 2024-06-15), then under F (2024-09-01)."""
    header = "distributor_id,sponsor_id,joined_on,rank,status,left_on\n"
    to_a = write(tmp_path / "june", distributors=header + "E,A,2024-03-15,member,,\n")
    to_f = write(tmp_path / "september", distributors=header + "E,F,2024-03-15,member,,\n")
    return Network.load(
        [(family_folder, FIRST_LOAD), (to_a, date(2024, 6, 15)), (to_f, date(2024, 9, 1))]
    )


def column(frame: pd.DataFrame, name: str) -> list:
    """A column as plain values, None for a missing value."""
    return [None if pd.isna(v) else v for v in frame[name].tolist()]


def check(frame: pd.DataFrame, **want: list) -> None:
    """Each named column equals its list (floats to 1e-9, relative; None: missing)."""
    for name, values in want.items():
        got = column(frame, name)
        assert len(got) == len(values), (name, got)
        for have, value in zip(got, values, strict=True):
            if isinstance(value, float):
                assert have == pytest.approx(value, rel=1e-9), (name, got)
            else:
                assert have == value, (name, got)


# --- reading the folders ---------------------------------------------------------------------


def test_amounts_are_exact_cents_and_a_fraction_of_a_cent_is_refused():
    assert [to_cents(t) for t in ("12", "12.5", "12.50", "0.01", "25.50")] == [
        1200,
        1250,
        1250,
        1,
        2550,
    ]
    with pytest.raises(BadInput):
        to_cents("1.001")
    with pytest.raises(BadInput):
        to_cents("-5")


def test_files_are_found_by_name_in_dependency_order(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    for name in ("orders-b.csv", "Orders-A.CSV", "commissions.csv", "DISTRIBUTORS.csv"):
        (folder / name).write_text("x\n")
    (folder / "orders.rejects.csv").write_text("x\n")
    (folder / "notes.csv").write_text("x\n")
    (folder / "customers.csv.gz").write_bytes(gzip.compress(b"x\n"))
    found = [(kind, path.name) for kind, path in files_of(folder)]
    assert found == [
        ("distributors", "DISTRIBUTORS.csv"),
        ("customers", "customers.csv.gz"),
        ("orders", "Orders-A.CSV"),  # by name: "O" sorts before "o"
        ("orders", "orders-b.csv"),
        ("commissions", "commissions.csv"),
    ]


def test_a_later_folder_adds_facts_and_repeats_change_nothing(tmp_path, family_folder):
    """The second run repeats O1 exactly, adds O12 (A's personal purchase of 10 in September)
    and one commission without an id written twice: an exact repeat, loaded once (5 to A)."""
    later = write(
        tmp_path / "later",
        orders="order_id,distributor_id,ordered_on,amount,kind\n"
        "O1,A,2024-01-20,100,retail\nO12,A,2024-09-01,10,personal\n",
        commissions="earner_id,period,amount,type,source_id\n"
        "A,2024-09,5,level,B\nA,2024-09,5,level,B\n",
    )
    net = Network.load([(family_folder, FIRST_LOAD), (later, date(2024, 9, 15))])
    table = net.levels()
    # Level 0 (A): revenue 12,550 + 1,000; commissions 9,000 + 500.
    check(table.head(1), revenue_cents=[13_550], commission_cents=[9_500])


def test_a_repeated_id_with_other_values_is_refused(tmp_path, family_folder):
    later = write(
        tmp_path / "later",
        orders="order_id,distributor_id,ordered_on,amount,kind\nO1,A,2024-01-20,999,retail\n",
    )
    with pytest.raises(BadInput, match="O1"):
        Network.load([(family_folder, FIRST_LOAD), (later, date(2024, 9, 15))])


# --- levels ----------------------------------------------------------------------------------


def test_levels_of_the_whole_family(family):
    """Level 0: A (recruits B, C); 1: B (D, E), C (F); 2: D, E (G), F; 3: G."""
    table = family.levels()
    assert list(table.columns) == [
        "level",
        "distributors",
        "revenue_cents",
        "revenue_share",
        "commission_cents",
        "commission_share",
        "avg_recruits",
        "max_recruits",
    ]
    check(
        table,
        level=[0, 1, 2, 3],
        distributors=[1, 2, 3, 1],
        revenue_cents=[12_550, 65_000, 114_000, 30_000],  # B+C; D+E+F
        revenue_share=[12_550 / 221_550, 65_000 / 221_550, 114_000 / 221_550, 30_000 / 221_550],
        commission_cents=[9_000, 10_000, 3_000, 0],  # B 8,000 + C 2,000; E
        commission_share=[9 / 22, 10 / 22, 3 / 22, 0.0],
        avg_recruits=[2.0, 1.5, 1 / 3, 0.0],
        max_recruits=[2, 2, 1, 0],
    )


def test_levels_of_active_distributors_keep_recruits_whatever_their_status(family):
    """C (terminated) and D (inactive) drop out; B still has 2 recruits (D counts)."""
    check(
        family.levels(active_only=True),
        level=[0, 1, 2, 3],
        distributors=[1, 1, 2, 1],
        revenue_cents=[12_550, 35_000, 84_000, 30_000],  # E 34,000 + F 50,000
        commission_cents=[9_000, 8_000, 3_000, 0],
        avg_recruits=[2.0, 2.0, 0.5, 0.0],
        revenue_share=[12_550 / 161_550, 35_000 / 161_550, 84_000 / 161_550, 30_000 / 161_550],
    )


def test_levels_of_a_subtree_count_from_its_root(family):
    """Under B: B level 0, D and E level 1, G level 2."""
    check(
        family.levels("B"),
        level=[0, 1, 2],
        distributors=[1, 2, 1],
        revenue_cents=[35_000, 64_000, 30_000],
        commission_cents=[8_000, 3_000, 0],
        avg_recruits=[2.0, 0.5, 0.0],
        max_recruits=[2, 1, 0],
    )


def test_levels_within_a_period_count_orders_by_day_and_commissions_by_month(family):
    """15 Feb - 10 Mar 2024: of the orders only O3 (B, 50, 26 Feb); of the commissions every
    one of periods 2024-02 and 2024-03: K3 5, K5 (A: 30 + 5 + 15), K4, K6 (B: 30 + 30).
    Nobody drops out: G, who joined in April, is still a row of level 3."""
    table = family.levels(date_from=date(2024, 2, 15), date_to=date(2024, 3, 10))
    check(
        table,
        distributors=[1, 2, 3, 1],
        revenue_cents=[0, 5_000, 0, 0],
        revenue_share=[0.0, 1.0, 0.0, 0.0],
        commission_cents=[5_000, 6_000, 0, 0],
        commission_share=[5 / 11, 6 / 11, 0.0, 0.0],
    )


def test_levels_of_a_period_with_no_money_have_zero_shares(family):
    table = family.levels(date_from=date(2025, 1, 1))
    check(table, distributors=[1, 2, 3, 1], revenue_share=[0.0] * 4, commission_share=[0.0] * 4)


def test_levels_as_of_a_day_between_two_transfers(moved):
    """Now E (with G) is under F: A 0; B, C 1; D, F 2; E 3; G 4. On 1 July 2024 the transfer
    of 1 September is undone (E back under A, its sponsor before it): A 0; B, C, E 1;
    D, F, G 2. Recruits then: A 3 (B, C, E), B 1 (D), C 1 (F), E 1 (G)."""
    check(moved.levels(), level=[0, 1, 2, 3, 4], distributors=[1, 2, 2, 1, 1])
    check(
        moved.levels(as_of=date(2024, 7, 1)),
        level=[0, 1, 2],
        distributors=[1, 3, 3],
        revenue_cents=[12_550, 99_000, 110_000],  # B+C+E; D+F+G
        commission_cents=[9_000, 13_000, 0],  # B 8,000 + C 2,000 + E 3,000
        avg_recruits=[3.0, 1.0, 0.0],
        max_recruits=[3, 1, 0],
    )


def test_levels_as_of_a_day_before_both_transfers_take_the_earliest_later_one(moved):
    """On 1 June both later transfers are undone; the earliest says E was under B."""
    check(moved.levels(as_of=date(2024, 6, 1)), level=[0, 1, 2, 3], distributors=[1, 2, 3, 1])
    # On the day of a transfer it has happened: 15 June is as the June run left it.
    check(moved.levels(as_of=date(2024, 6, 15)), level=[0, 1, 2], distributors=[1, 3, 3])


def test_levels_as_of_a_day_before_some_joined_end_the_period_there(moved):
    """On 1 March 2024: A, B, C, D and F had joined (E on 15 Mar, G in April had not), so B
    has one recruit (D). Orders up to 1 March: A 100 (O1), B 300 + 50, C 300, D 300; F
    nothing yet. Commissions up to the month of 1 March, the whole of March: A 30 + 10 + 30 +
    5 + 15 (K7's source E had not joined: A is paid it all the same), B 30 + 30."""
    check(
        moved.levels(as_of=date(2024, 3, 1)),
        level=[0, 1, 2],
        distributors=[1, 2, 2],
        revenue_cents=[10_000, 65_000, 30_000],
        commission_cents=[9_000, 6_000, 0],
        avg_recruits=[2.0, 1.0, 0.0],
    )


def test_active_as_of_a_day_means_not_left_by_then(moved):
    """On 1 June 2024 D had left (20 April) but C had not (30 June), though C is terminated
    now: level 1 holds B and C, level 2 E and F (E was still under B)."""
    check(
        moved.levels(as_of=date(2024, 6, 1), active_only=True),
        level=[0, 1, 2, 3],
        distributors=[1, 2, 2, 1],
        revenue_cents=[12_550, 65_000, 84_000, 30_000],
        avg_recruits=[2.0, 1.5, 0.5, 0.0],  # B 2 (D, E), C 1 (F); E 1, F 0
    )


def test_a_root_as_of_a_day_and_a_root_that_had_not_joined(moved):
    """On 1 July E (under A) leads only G; G had not joined by 1 March; Z never did."""
    check(moved.levels("E", as_of=date(2024, 7, 1)), level=[0, 1], distributors=[1, 1])
    check(moved.levels("F"), level=[0, 1, 2], distributors=[1, 1, 1])  # F, E, G now
    with pytest.raises(NotJoinedYet, match="G had not joined by 2024-03-01"):
        moved.levels("G", as_of=date(2024, 3, 1))
    with pytest.raises(NoSuchDistributor, match="no distributor Z"):
        moved.levels("Z")


def test_several_roots_are_all_level_zero(tmp_path):
    """R1 leads X; R2 leads Y, who leads Z. Q joined before its sponsor P: as of a day when P
    had not joined yet, Q is a root of its own."""
    folder = write(
        tmp_path / "roots",
        distributors="distributor_id,sponsor_id,joined_on\n"
        "R1,,2024-01-01\nX,R1,2024-01-05\nR2,,2024-02-01\nY,R2,2024-02-02\nZ,Y,2024-02-03\n"
        "P,,2024-03-01\nQ,P,2024-01-20\n",
        orders="order_id,distributor_id,ordered_on,amount,kind\n"
        "O1,X,2024-01-06,10,retail\nO2,Z,2024-02-04,20,personal\n",
    )
    net = Network.load([(folder, date(2024, 4, 1))])
    check(net.levels(), level=[0, 1, 2], distributors=[3, 3, 1], revenue_cents=[0, 1_000, 2_000])
    check(net.levels("R2"), level=[0, 1, 2], distributors=[1, 1, 1])
    # 31 January: R1, X and Q had joined; Q's sponsor P had not, so Q is a root.
    check(net.levels(as_of=date(2024, 1, 31)), level=[0, 1], distributors=[2, 1])


# --- money flows -------------------------------------------------------------------------------


def test_flows_by_source_and_earner_level_gap_and_money_entering(family):
    """(source level, earner level): K2 (0, 0); K1, K3, K5 (1, 0) 30 + 30 + 5; K7 (2, 0);
    K4, K6, K8, K11 (2, 1) 30 + 30 + 20 + 12; K9 (3, 2); K10 has no source: (None, 1), last.
    Gaps of the sourced ones: 0: 1,000; 1: 6,500 + 9,200 + 3,000; 2: 1,500 (of 21,200)."""
    flows = family.flows()
    check(
        flows.by_level,
        source_level=[0, 1, 2, 2, 3, None],
        earner_level=[0, 0, 0, 1, 2, 1],
        commission_cents=[1_000, 6_500, 1_500, 9_200, 3_000, 800],
        commissions=[1, 3, 1, 4, 1, 1],
    )
    check(
        flows.by_gap,
        gap=[0, 1, 2],
        commission_cents=[1_000, 18_700, 1_500],
        share=[1_000 / 21_200, 18_700 / 21_200, 1_500 / 21_200],
    )
    check(
        flows.entering,
        level=[0, 0, 1, 1, 2, 2, 2, 3],
        kind=["personal", "retail", "personal", "starter_kit"]
        + ["personal", "retail", "starter_kit", "starter_kit"],
        cents=[2_550, 10_000, 5_000, 60_000, 4_000, 50_000, 60_000, 30_000],
        orders=[1, 1, 1, 2, 1, 1, 2, 1],
    )


def test_flows_of_a_subtree_of_active_distributors(family):
    """Under B, active only: B 0, E 1, G 2 are covered; D is inactive but still holds its
    place in the tree, level 1. K4 B <- D and K6 B <- E (1, 0) 30 + 30, K9 E <- G (2, 1); no
    source level for K10 (no source) and K11 (F is outside the subtree): (None, 0) 8 + 12.
    A's and C's commissions are not the subtree's."""
    flows = family.flows("B", active_only=True)
    check(
        flows.by_level,
        source_level=[1, 2, None],
        earner_level=[0, 1, 0],
        commission_cents=[6_000, 3_000, 2_000],
        commissions=[2, 1, 2],
    )
    check(flows.by_gap, gap=[1], commission_cents=[9_000], share=[1.0])
    check(
        flows.entering,
        level=[0, 0, 1, 1, 2],
        kind=["personal", "starter_kit", "personal", "starter_kit", "starter_kit"],
        cents=[5_000, 30_000, 4_000, 30_000, 30_000],
    )


def test_flows_as_of_a_day_use_the_tree_of_that_day(moved):
    """On 1 July E is under A (level 1) and G level 2: K7 A <- E becomes (1, 0), K6 B <- E
    (1, 1), a gap of 0, and K9 E <- G (2, 1)."""
    flows = moved.flows(as_of=date(2024, 7, 1))
    check(
        flows.by_level,
        source_level=[0, 1, 1, 2, None],
        earner_level=[0, 0, 1, 1, 1],
        commission_cents=[1_000, 8_000, 3_000, 9_200, 800],  # K1+K3+K5+K7; K4+K8+K9+K11
        commissions=[1, 4, 1, 4, 1],
    )
    check(flows.by_gap, gap=[0, 1], commission_cents=[4_000, 17_200])


def test_flows_of_a_period_without_commissions_are_empty(family):
    flows = family.flows(date_from=date(2025, 1, 1))
    assert flows.by_level.empty and flows.by_gap.empty and flows.entering.empty
    assert list(flows.by_gap.columns) == ["gap", "commission_cents", "share"]


# --- earnings ----------------------------------------------------------------------------------


def test_earnings_of_the_family(family):
    """Earned, poorest first: D F G 0, C 2,000, E 3,000, B 8,000, A 9,000 (22,000 in all).
    Median: the fourth of seven, 2,000. Gini: the sum of x_j - x_i over the pairs i < j is
    3 x (2 + 3 + 8 + 9) + (1 + 6 + 7) + (5 + 6) + 1 = 92 thousand, over n x total = 7 x 22
    thousand: 92 / 154. Top 1 % and 10 % of 7 are both one participant, A: 9 / 22."""
    income = family.earnings()
    assert (income.participants, income.total_cents) == (7, 22_000)
    assert income.mean_cents == pytest.approx(22_000 / 7)
    assert income.median_cents == 2_000.0
    assert income.gini == pytest.approx(92 / 154)
    assert income.top_1_share == pytest.approx(9 / 22)
    assert income.top_10_share == pytest.approx(9 / 22)
    check(
        income.bands,
        band=[
            "nothing",
            "0.01-99.99",
            "100-999.99",
            "1,000-9,999.99",
            "10,000-99,999.99",
            "100,000 and more",
        ],
        participants=[3, 4, 0, 0, 0, 0],
        share=[3 / 7, 4 / 7, 0.0, 0.0, 0.0, 0.0],
        total_cents=[0, 22_000, 0, 0, 0, 0],
    )
    # Ranks: gold A; silver B; member C D E F (0, 0, 2,000, 3,000); G has none.
    check(
        income.by_rank,
        rank=["gold", "silver", "member", "(none)"],
        participants=[1, 1, 4, 1],
        zero_share=[0.0, 0.0, 0.5, 1.0],
        mean_cents=[9_000.0, 8_000.0, 1_250.0, 0.0],
        median_cents=[9_000.0, 8_000.0, 1_000.0, 0.0],
    )


def test_lorenz_points_take_the_poorest_round_n_i_over_20(family):
    """Of 7 participants, point i takes the poorest round(7 i / 20): i = 10 -> 3.5 -> 4
    (0, 0, 0, 2,000 of 22,000); 15 -> 5.25 -> 5; 18 -> 6.3 -> 6; 19 -> 6.65 -> 7."""
    points = dict(family.earnings().lorenz)
    assert len(points) == 21 and points[0.0] == 0.0 and points[1.0] == 1.0
    assert points[0.5] == pytest.approx(2 / 22)
    assert points[0.75] == pytest.approx(5 / 22)
    assert points[0.9] == pytest.approx(13 / 22)
    assert points[0.95] == pytest.approx(1.0)


def test_earnings_within_a_period_and_within_a_subtree_of_active_distributors(family):
    """February-March: A 30 + 5 + 15, B 30 + 30, the five others 0 (G, who joined in April,
    is a participant too). Under B, active only: B 8,000, E 3,000, G 0."""
    spring = family.earnings(date_from=date(2024, 2, 1), date_to=date(2024, 3, 31))
    assert (spring.participants, spring.total_cents, spring.median_cents) == (7, 11_000, 0.0)
    check(spring.bands.head(2), participants=[5, 2], total_cents=[0, 11_000])
    team = family.earnings("B", active_only=True)
    assert (team.participants, team.total_cents, team.median_cents) == (3, 11_000, 3_000.0)
    # Gini of 0, 3, 8: pairs 3 + 8 + 5 = 16, over 3 x 11.
    assert team.gini == pytest.approx(16 / 33)


def test_earnings_bands_at_their_edges(tmp_path):
    """One participant at each edge of the bands, and one above them all."""
    amounts = ["0", "0.01", "99.99", "100", "999.99", "1000", "9999.99", "10000", "99999.99"]
    amounts.append("100000")
    people = [f"P{i}" for i in range(len(amounts))]
    folder = write(
        tmp_path / "edges",
        distributors="distributor_id,sponsor_id,joined_on\n"
        + "".join(f"{p},,2024-01-01\n" for p in people),
        commissions="earner_id,period,amount,type\n"
        + "".join(f"{p},2024-01,{a},other\n" for p, a in zip(people, amounts, strict=True)),
    )
    income = Network.load([(folder, date(2024, 2, 1))]).earnings()
    check(
        income.bands,
        participants=[1, 2, 2, 2, 2, 1],
        total_cents=[0, 1 + 99_99, 100_00 + 999_99, 1_000_00 + 9_999_99, 10_000_00 + 99_999_99]
        + [100_000_00],
    )


def test_top_shares_round_half_to_even(tmp_path):
    """25 participants earning 1, 2, ..., 25 (325 in all). The top 10 % is round(2.5) = 2
    participants (Python rounds a half to the even number): (25 + 24) / 325. The top 1 % is
    round(0.25) = 0, at least one: 25 / 325. The Gini of 1..n is (n - 1) / (3 n): 24 / 75."""
    people = [f"P{i:02d}" for i in range(1, 26)]
    folder = write(
        tmp_path / "ladder",
        distributors="distributor_id,sponsor_id,joined_on\n"
        + "".join(f"{p},,2024-01-01\n" for p in people),
        commissions="earner_id,period,amount,type\n"
        + "".join(f"{p},2024-01,{i},other\n" for i, p in enumerate(people, start=1)),
    )
    income = Network.load([(folder, date(2024, 2, 1))]).earnings()
    assert income.top_10_share == pytest.approx(49 / 325)
    assert income.top_1_share == pytest.approx(25 / 325)
    assert income.gini == pytest.approx(24 / 75)
    assert income.median_cents == 1_300.0
    assert [top_count(n, Fraction(1, 10)) for n in (5, 15, 25, 35)] == [1, 2, 2, 4]


def test_earnings_of_nobody(family):
    income = family.earnings(active_only=True, as_of=date(2023, 12, 31))
    assert (income.participants, income.total_cents, income.gini) == (0, 0, 0.0)
    assert (income.mean_cents, income.median_cents, income.top_1_share) == (0.0, 0.0, 0.0)
    assert income.lorenz[10] == (0.5, 0.5) and income.by_rank.empty
    check(income.bands, participants=[0] * 6, share=[0.0] * 6)


# --- cohorts -----------------------------------------------------------------------------------


def test_a_month_later_is_the_same_day_or_the_last_of_a_shorter_month():
    assert plus_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert plus_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert plus_months(date(2024, 11, 15), 3) == date(2025, 2, 15)


def test_cohorts_are_judged_once_their_youngest_member_is_old_enough(family):
    """The end of the data is the last join or leave date: C left on 30 June 2024.
    2024-01 (A, B): 3 months after B's 10 Jan is 10 Apr, judged: both stayed. Not yet at 6.
    2024-02 (C, D): 3 months after D's 5 Feb is 5 May, judged: C stayed (left 30 Jun, after
    1 May), D left on 20 Apr, before 5 May: 1 of 2.
    2024-03 (F 1 Mar, E 15 Mar): 15 Jun, judged: both stayed. 2024-04 (G): 1 Jul, too young.
    Medians of the period's (all) commissions: (9,000 + 8,000) / 2; (2,000 + 0) / 2;
    E 3,000 and F 0; G 0."""
    table = family.cohorts()
    assert list(table.columns) == [
        "cohort",
        "recruits",
        "active_after_3",
        "active_after_6",
        "active_after_12",
        "median_commission_cents",
    ]
    check(
        table,
        cohort=["2024-01", "2024-02", "2024-03", "2024-04"],
        recruits=[2, 2, 2, 1],
        active_after_3=[1.0, 0.5, 1.0, None],
        active_after_6=[None, None, None, None],
        active_after_12=[None, None, None, None],
        median_commission_cents=[8_500.0, 1_000.0, 1_500.0, 0.0],
    )


def test_cohorts_end_at_the_end_of_the_period_asked(family):
    """To 10 June 2024: 2024-03 is no longer judged at 3 months (E's 15 June is after the
    end, though F's 1 June is not). To 31 Dec 2024, 6 months: 2024-01 (10 Jul) both stayed;
    2024-02 (5 Aug): C left 30 Jun, before 1 Aug, and D: none; 2024-03 (15 Sep) and 2024-04
    (1 Oct): all stayed. 12 months: nobody yet."""
    june = family.cohorts(date_to=date(2024, 6, 10))
    check(june, active_after_3=[1.0, 0.5, None, None])
    # Commissions of periods up to 2024-06: all of them.
    check(june, median_commission_cents=[8_500.0, 1_000.0, 1_500.0, 0.0])
    december = family.cohorts(date_to=date(2024, 12, 31))
    check(december, active_after_3=[1.0, 0.5, 1.0, 1.0], active_after_6=[1.0, 0.0, 1.0, 1.0])
    check(december, active_after_12=[None, None, None, None])


LONG_DISTRIBUTORS = """\
distributor_id,sponsor_id,joined_on,left_on
P1,,2023-01-10,
P2,P1,2023-02-01,2023-08-01
P3,P1,2023-03-15,2024-04-01
P4,P1,2023-06-30,2024-06-30
P5,P1,2024-02-29,
P6,P1,2024-08-01,2025-02-28
"""


@pytest.fixture
def long_run(tmp_path) -> Network:
    """Six distributors over two years, for the 12-month figures."""
    folder = write(tmp_path / "long", distributors=LONG_DISTRIBUTORS)
    return Network.load([(folder, date(2025, 3, 1))])


def test_cohorts_as_of_a_day_and_leaving_on_the_day_is_not_staying(long_run):
    """As of 31 Jan 2024 (P5 and P6 had not joined): 2023-01 (P1) judged at 12 months
    (10 Jan 2024): stayed. 2023-02 (P2): 3 months (1 May): stayed (left 1 Aug); 6 months is
    1 Aug, the day it left: not staying; 12 months (1 Feb 2024) is after the day asked."""
    table = long_run.cohorts(as_of=date(2024, 1, 31))
    check(table, cohort=["2023-01", "2023-02", "2023-03", "2023-06"], recruits=[1, 1, 1, 1])
    check(table, active_after_3=[1.0, 1.0, 1.0, 1.0], active_after_6=[1.0, 0.0, 1.0, 1.0])
    check(table, active_after_12=[1.0, None, None, None])


def test_cohorts_of_nobody(family):
    assert family.cohorts(as_of=date(2023, 6, 1)).empty


# --- indicators --------------------------------------------------------------------------------


def test_every_indicator_of_the_family(family):
    """retail_reward_share: retail-tied K2 10 + K8 20 + K11 12 = 4,200, participant-tied
    K1 K3 K4 K6 K9 30 each + K5 5 + K7 15 = 17,000 (K10 is neither): 4,200 / 21,200.
    end_user_sales_share: retail 60,000 of 221,550.
    low_customer_share_pay: retail share of own plus downline revenue: A 60,000 / 221,550,
    B (B D E G) 0, E (E G) 0, C (C F) 50,000 / 80,000 = 62.5 %: all but C's 2,000 of 22,000.
    recruitment_payout_share: K1 K3 K4 K6 K9 30 each + K7 15 (a kit) = 16,500 of 22,000.
    net_loss_rate: earned below own purchases and kits: B (8,000 < 35,000), C, D, E, G;
    not A (9,000 >= 2,550) nor F (0, nothing bought): 5 of 7.
    zero_earner_share: D F G, 3 of 7. small_earner_share: all 7 earned at most 1,000.
    top_1_percent_share: the top one of 7, A: 9 / 22. retention_12_months: nobody joined 12
    months before 30 June 2024. end_of_period_buying: personal purchases O3 (26 Feb, of 29
    days: in the last five), O7 (30 Mar), O10 (10 May, not): 9,000 of 11,550."""
    values = family.indicators()
    assert list(values) == [
        "retail_reward_share",
        "end_user_sales_share",
        "low_customer_share_pay",
        "recruitment_payout_share",
        "net_loss_rate",
        "zero_earner_share",
        "small_earner_share",
        "top_1_percent_share",
        "retention_12_months",
        "end_of_period_buying",
    ]
    want = {
        "retail_reward_share": 4_200 / 21_200,
        "end_user_sales_share": 60_000 / 221_550,
        "low_customer_share_pay": 20_000 / 22_000,
        "recruitment_payout_share": 16_500 / 22_000,
        "net_loss_rate": 5 / 7,
        "zero_earner_share": 3 / 7,
        "small_earner_share": 1.0,
        "top_1_percent_share": 9 / 22,
        "end_of_period_buying": 9_000 / 11_550,
    }
    assert {k: v for k, v in values.items() if k in want} == pytest.approx(want)
    assert values["retention_12_months"] is None
    crossed = family.crossed()
    # Not crossed: zero earners 3/7 is not above half, top 1 % 9/22 is below half, and no
    # retention figure: nothing to judge by.
    not_crossed = {"zero_earner_share", "top_1_percent_share", "retention_12_months"}
    assert {k for k, hit in crossed.items() if not hit} == not_crossed


def test_the_figures_the_details_quote(family):
    """Participant-tied 17,000 of the 21,200 tied; A, B and E of the four earners are at
    most 50 % from customers; of the five starter-kit buyers (B C D E G) none earned back the
    kit's 300; Gini as in the earnings test."""
    assert family.indicator_details() == {
        "participant_tied_share": pytest.approx(17_000 / 21_200),
        "low_share_earners": (3, 4),
        "kit_not_recouped_share": 1.0,
        "gini": pytest.approx(92 / 154),
    }


def test_a_commission_tied_both_ways_is_retail_tied_and_lines_are_not_crossed_on_them(tmp_path):
    """K1 is a retail margin paid on a personal purchase and K2 a recruitment bonus paid on a
    retail order: both are retail-tied (retail wins), 10 + 30; K3, a level commission on the
    personal purchase, is participant-tied, 20. Retail-tied share 40 / 60 = 2/3 exactly, on
    the line: not crossed (crossed below it). Recruitment: K2 by its type, 30 of 60 = 50 %,
    on the line: not crossed (crossed above it)."""
    folder = write(
        tmp_path / "both",
        distributors="distributor_id,sponsor_id,joined_on\nA,,2024-01-01\nB,A,2024-01-02\n",
        orders="order_id,distributor_id,ordered_on,amount,kind\n"
        "O1,B,2024-01-05,100,personal\nO2,B,2024-01-06,100,retail\n",
        commissions="commission_id,earner_id,period,amount,type,source_id,order_id\n"
        "K1,A,2024-01,10,retail_margin,B,O1\nK2,A,2024-01,30,recruitment,B,O2\n"
        "K3,A,2024-01,20,level,B,O1\n",
    )
    net = Network.load([(folder, date(2024, 2, 1))])
    values, crossed = net.indicators(), net.crossed()
    assert values["retail_reward_share"] == pytest.approx(2 / 3)
    assert values["recruitment_payout_share"] == 0.5
    assert not crossed["retail_reward_share"] and not crossed["recruitment_payout_share"]
    check(net.by_earner(), earner_id=["A"], retail_reward_share=[4 / 6], recruitment_share=[0.5])


def test_indicators_within_a_subtree_and_a_period(family):
    """Under B, up to 31 March 2024: B bought a kit 300 and 50 personal, D a kit, E a kit and
    40 personal, G nothing yet (April); commissions of periods to 2024-03: K4 and K6 to B,
    both recruitment on kits. Retention still reads the subtree's own last date (D left
    20 April 2024): no one judged."""
    values = family.indicators("B", date_to=date(2024, 3, 31))
    assert values == {
        "retail_reward_share": 0.0,
        "end_user_sales_share": 0.0,
        "low_customer_share_pay": 1.0,
        "recruitment_payout_share": 1.0,
        "net_loss_rate": 3 / 4,  # B, D, E; not G (0 earned, 0 bought)
        "zero_earner_share": 3 / 4,
        "small_earner_share": 1.0,
        "top_1_percent_share": 1.0,  # one participant of four: B, all of it
        "retention_12_months": None,
        "end_of_period_buying": 1.0,  # O3 and O7 both late in their months
    }


def test_indicators_with_no_money_have_no_values(family):
    """From 2025 on there is no order and no commission: only the head counts have a value."""
    values = family.indicators(date_from=date(2025, 1, 1))
    assert [k for k, v in values.items() if v is not None] == [
        "net_loss_rate",
        "zero_earner_share",
        "small_earner_share",
    ]
    assert (values["net_loss_rate"], values["zero_earner_share"]) == (0.0, 1.0)


def test_retention_over_12_months_judges_each_distributor_old_enough(long_run):
    """The end of the data: P6 left on 28 Feb 2025. Joined 12 months before it: P1 to P5
    (P5's 29 Feb 2024 + 12 months is 28 Feb 2025). Still there 12 months after joining: P1,
    P3 (left 1 Apr 2024, after 15 Mar 2024) and P5; not P2 (left after 6 months) nor P4 (left
    on the day, 30 June 2024): 3 of 5."""
    assert long_run.indicators()["retention_12_months"] == pytest.approx(3 / 5)
    assert not long_run.crossed()["retention_12_months"]


def test_retention_as_of_a_day_judges_only_who_had_been_there_12_months_by_then(long_run):
    """As of 31 Jan 2024 the covered distributors are P1 to P4, and the data ends on that day
    (as the cohorts view ends it), not at P4's later leaving: only P1 had been there 12
    months by then, and P1 stayed: 1 of 1."""
    assert long_run.indicators(as_of=date(2024, 1, 31))["retention_12_months"] == 1.0


def test_ratios_by_subtree(family):
    """net_loss_rate per team of at least 2: A 5/7; B (B D E G) 4/4; C (C F) 1/2; E (E G) 2/2.
    Furthest above 50 % first, ties by the larger team: B, E, A, then C, which is at 50 %
    exactly and so not across."""
    table = family.by_subtree("net_loss_rate", min_size=2)
    assert list(table.columns) == ["root", "distributors", "value", "crossed"]
    check(
        table,
        root=["B", "E", "A", "C"],
        distributors=[4, 2, 7, 2],
        value=[1.0, 1.0, 5 / 7, 0.5],
        crossed=[True, True, True, False],
    )
    check(family.by_subtree("net_loss_rate", min_size=2, top=2), root=["B", "E"])
    # A ratio that crosses below its line: retail-tied of tied, E 0 / 3,000; B 1,200 / 10,200
    # (K11; K4 K6 K9 participant-tied); A 4,200 / 21,200; C 2,000 / 2,000.
    check(
        family.by_subtree("retail_reward_share", min_size=2),
        root=["E", "B", "A", "C"],
        value=[0.0, 1_200 / 10_200, 4_200 / 21_200, 1.0],
        crossed=[True, True, True, False],
    )
    with pytest.raises(NotBySubtree):
        family.by_subtree("top_1_percent_share")


def test_ratios_by_subtree_count_only_covered_members(family):
    """Active only, D drops out: B's team is B E G, zero earners G of 3; teams of one are left
    out by min_size 2; C is not covered at all. A: F and G of A B E F G. Nearest the line
    (above half) first: E 1/2, A 2/5, B 1/3."""
    check(
        family.by_subtree("zero_earner_share", min_size=2, active_only=True),
        root=["E", "A", "B"],
        distributors=[2, 5, 3],
        value=[1 / 2, 2 / 5, 1 / 3],
        crossed=[False, False, False],
    )


def test_one_row_per_earner(family):
    """A: customer share 60,000 / 221,550, retail-tied K2 1,000 of 9,000, recruiting K1 K3
    K7 7,500; B: share 0, a net loss, K11 1,200 of 8,000 retail-tied, K4 K6 6,000
    recruiting; E: K9, all recruiting; C: 50,000 / 80,000, K8 all retail-tied."""
    table = family.by_earner()
    check(
        table,
        earner_id=["A", "B", "E", "C"],
        commission_cents=[9_000, 8_000, 3_000, 2_000],
        customer_share=[60_000 / 221_550, 0.0, 0.0, 0.625],
        net_loss=[False, True, True, True],
        retail_reward_share=[1 / 9, 0.15, 0.0, 1.0],
        recruitment_share=[7_500 / 9_000, 0.75, 1.0, 0.0],
    )


# --- the overview ------------------------------------------------------------------------------


def test_the_overview_of_the_whole_network(family):
    """7 distributors, 5 active, 3 levels below the root; by month: Jan A B join; Feb C D;
    Mar E F; Apr G joins and D leaves (attrition 1 of the 6 there at the start); no May row;
    Jun C leaves (1 of 6)."""
    overview = family.overview()
    totals = overview.totals
    assert (totals.distributors, totals.active, totals.depth) == (7, 5, 3)
    assert (totals.revenue_cents, totals.retail_cents) == (221_550, 60_000)
    assert (totals.commission_cents, totals.zero_earners) == (22_000, 3)
    assert totals.retail_share == pytest.approx(60_000 / 221_550)
    assert totals.zero_earner_share == pytest.approx(3 / 7)
    check(
        overview.growth,
        month=["2024-01", "2024-02", "2024-03", "2024-04", "2024-06"],
        joined=[2, 2, 2, 1, 0],
        left=[0, 0, 0, 1, 1],
        net=[2, 2, 2, 0, -1],
        members=[2, 4, 6, 6, 5],
        attrition=[None, 0.0, 0.0, 1 / 6, 1 / 6],
    )
