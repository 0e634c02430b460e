"""The income disclosure of the covered distributors in plain Python, with the field names of
queries/earnings.py: participants are every covered distributor, zero earners included;
earnings are their commissions within the period. A period does not narrow the participants
(the code; the docs are silent): who joined after it or left before it is a zero earner."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from tests.support.expected_tree import Covered

# The band names are copied from queries/inequality.py (BANDS); the bounds are restated here in
# cents, both ends included.
BANDS = (
    ("nothing", 0, 0),
    ("0.01-99.99", 1, 99_99),
    ("100-999.99", 100_00, 999_99),
    ("1,000-9,999.99", 1_000_00, 9_999_99),
    ("10,000-99,999.99", 10_000_00, 99_999_99),
    ("100,000 and more", 100_000_00, None),
)


def band_of(cents: int) -> str:
    for name, low, high in BANDS:
        if low <= cents and (high is None or cents <= high):
            return name
    raise ValueError(f"negative earnings: {cents}")


def gini(values: list[int]) -> float:
    """The mean absolute difference over all ordered pairs, over twice the mean:
    sum_i sum_j |x_i - x_j| / (2 n^2 mean); 0.0 for nobody or no money."""
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return 0.0
    below, pair_gaps = 0, 0  # pair_gaps: sum over pairs i < j (sorted) of x_j - x_i
    for count, x in enumerate(sorted(values)):
        pair_gaps += count * x - below
        below += x
    return float(Fraction(2 * pair_gaps, 2 * n * total))


def top_count(n: int, fraction: Fraction) -> int:
    """round(n x fraction), at least one. Python's round: a half goes to the even number, so
    the top 10 % of 25 participants are 2, of 35 are 4 (the code's int(round(n * 0.1)); the
    docs say only "round")."""
    return max(1, round(n * fraction))


def top_share(values: list[int], fraction: Fraction) -> float:
    total = sum(values)
    if not values or total == 0:
        return 0.0
    richest = sorted(values, reverse=True)[: top_count(len(values), fraction)]
    return sum(richest) / total


def lorenz(values: list[int], points: int = 20) -> list[tuple[float, float]]:
    """(i / points, the share of the money held by the poorest round(n i / points)), i = 0..
    points; the diagonal when there is nobody or no money."""
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return [(i / points, i / points) for i in range(points + 1)]
    ordered = sorted(values)
    return [
        (i / points, sum(ordered[: round(Fraction(n * i, points))]) / total)
        for i in range(points + 1)
    ]


@dataclass(frozen=True)
class Income:
    """The fields of queries.earnings.Earnings."""

    participants: int
    total_cents: int
    mean_cents: float
    median_cents: float
    gini: float
    top_1_share: float
    top_10_share: float
    bands: pd.DataFrame  # band, participants, share, total_cents
    by_rank: pd.DataFrame  # rank, participants, zero_share, mean_cents, median_cents
    lorenz: list[tuple[float, float]]


def earnings(covered: Covered) -> Income:
    earned = [int(c) for c in covered.frame.commission_cents]
    n = len(earned)
    return Income(
        participants=n,
        total_cents=sum(earned),
        mean_cents=sum(earned) / n if n else 0.0,
        median_cents=float(statistics.median(earned)) if n else 0.0,
        gini=gini(earned),
        top_1_share=top_share(earned, Fraction(1, 100)),
        top_10_share=top_share(earned, Fraction(10, 100)),
        bands=_bands(earned),
        by_rank=_by_rank(covered.frame),
        lorenz=lorenz(earned),
    )


def _bands(earned: list[int]) -> pd.DataFrame:
    rows = []
    for name, _, _ in BANDS:
        inside = [c for c in earned if band_of(c) == name]
        share = len(inside) / len(earned) if earned else 0.0
        rows.append((name, len(inside), share, sum(inside)))
    return pd.DataFrame(rows, columns=["band", "participants", "share", "total_cents"])


def _by_rank(frame: pd.DataFrame) -> pd.DataFrame:
    """Per rank (the last loaded; none given: "(none)"), the highest mean first; equal means
    by rank name (the code leaves ties in its sort's order)."""
    groups: dict[str, list[int]] = {}
    for rank, cents in zip(frame["rank"], frame.commission_cents, strict=True):
        groups.setdefault(rank if isinstance(rank, str) else "(none)", []).append(int(cents))
    rows = [
        (
            rank,
            len(cents),
            sum(c == 0 for c in cents) / len(cents),
            sum(cents) / len(cents),
            float(statistics.median(cents)),
        )
        for rank, cents in groups.items()
    ]
    rows.sort(key=lambda row: (-row[3], row[0]))
    columns = ["rank", "participants", "zero_share", "mean_cents", "median_cents"]
    return pd.DataFrame(rows, columns=columns)
