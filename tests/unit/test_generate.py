"""The demo generator: deterministic, and calibrated to the published figures it cites."""

from __future__ import annotations

import filecmp

import pytest

from ingest.generate import generate
from tests.support.expected import cents, depths, read


@pytest.fixture(scope="module")
def pyramid(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pyramid")
    generate(folder, 6000, 36, seed=4, profile="pyramid")
    return folder


@pytest.fixture(scope="module")
def retail(tmp_path_factory):
    folder = tmp_path_factory.mktemp("retail")
    generate(folder, 6000, 36, seed=4, profile="retail")
    return folder


def test_the_same_seed_writes_the_same_files(tmp_path, pyramid):
    generate(tmp_path, 6000, 36, seed=4, profile="pyramid")
    for kind in ("distributors", "customers", "orders", "commissions"):
        assert filecmp.cmp(tmp_path / f"{kind}.csv", pyramid / f"{kind}.csv", shallow=False)
    other = tmp_path / "other"
    generate(other, 6000, 36, seed=5, profile="pyramid")
    assert not filecmp.cmp(other / "distributors.csv", pyramid / "distributors.csv", shallow=False)


def _earnings(folder):
    commissions = read(folder, "commissions").assign(c=lambda f: cents(f.amount))
    ids = read(folder, "distributors").distributor_id
    return commissions.groupby("earner_id").c.sum().reindex(ids, fill_value=0)


def test_pyramid_profile_matches_the_published_shape(pyramid):
    earned = _earnings(pyramid)
    assert (earned == 0).mean() > 0.6  # most earn nothing (AdvoCare: 67-72 %)
    top = earned.sort_values(ascending=False).head(len(earned) // 100).sum() / earned.sum()
    assert 0.35 < top < 0.7  # top 1 % take about half (Brooks et al.: 54 %)
    orders = read(pyramid, "orders").assign(c=lambda f: cents(f.amount))
    share = orders.groupby("kind").c.sum() / orders.c.sum()
    assert share["retail"] < 0.2 and share["starter_kit"] + share["personal"] > 0.8


def test_retail_profile_sells_mostly_to_outside_customers(retail):
    orders = read(retail, "orders").assign(c=lambda f: cents(f.amount))
    share = orders.groupby("kind").c.sum() / orders.c.sum()
    assert share["retail"] > 0.6
    assert (_earnings(retail) == 0).mean() < 0.5


def test_structure_and_attrition_are_plausible(pyramid):
    distributors = read(pyramid, "distributors")
    depth = list(depths(distributors).values())
    depth.sort()
    assert 4 <= depth[len(depth) // 2] <= 15 and max(depth) >= 8
    roots = (distributors.sponsor_id == "").sum()
    assert 1 <= roots <= 5
    # Of those who joined in the first year, 60-80 % a year leave: few are left at the end.
    first_year = distributors[distributors.joined_on < "2024-11-01"]
    assert (first_year.status != "active").mean() > 0.75
