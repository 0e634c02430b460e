"""Inequality measures on distributions whose answers are known by hand."""

from __future__ import annotations

import pytest

from downline.output import money
from queries.inequality import band_of, gini, lorenz, top_share


def test_gini_of_equal_and_of_all_to_one():
    assert gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)  # (n - 1) / n for one taker
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0


def test_top_share_and_lorenz():
    values = [0] * 90 + [1] * 9 + [91]
    assert top_share(values, 0.01) == pytest.approx(0.91)
    assert top_share(values, 0.10) == pytest.approx(1.0)
    points = lorenz(values, points=10)
    assert points[0] == (0.0, 0.0) and points[-1] == (1.0, 1.0)
    assert points[9] == (0.9, 0.0)


def test_bands_put_zero_earners_apart():
    assert band_of(0) == "nothing"
    assert band_of(1) == "0.01-99.99"
    assert band_of(9_999) == "0.01-99.99"
    assert band_of(10_000) == "100-999.99"
    assert band_of(100_000) == "1,000-9,999.99"
    assert band_of(10_000_000) == "100,000 and more"
    with pytest.raises(ValueError):
        band_of(-1)


def test_money_is_exact():
    assert [money(c) for c in (0, 5, 1234, -250, 10**12 + 1)] == [
        "0.00",
        "0.05",
        "12.34",
        "-2.50",
        "10000000000.01",
    ]
