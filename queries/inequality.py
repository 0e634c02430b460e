"""Pure measures of how unequally money is spread: bands, Lorenz points, Gini, top shares."""

from __future__ import annotations

import numpy as np

# Annual commission bands in currency units (lower bound inclusive, upper exclusive), with zero
# earners a band of their own, as income disclosure statements present them.
BANDS = (
    ("nothing", 0, 0),
    ("0.01-99.99", 1, 10_000),
    ("100-999.99", 10_000, 100_000),
    ("1,000-9,999.99", 100_000, 1_000_000),
    ("10,000-99,999.99", 1_000_000, 10_000_000),
    ("100,000 and more", 10_000_000, None),
)


def band_index(cents: np.ndarray) -> np.ndarray:
    """Each amount's position in BANDS: nothing for 0, else the last band it reaches."""
    cents = np.asarray(cents)
    if len(cents) and cents.min() < 0:
        raise ValueError(f"negative earnings: {cents.min()}")
    lows = np.array([low for _, low, _ in BANDS[1:]])
    return np.where(cents == 0, 0, np.searchsorted(lows, cents, side="right"))


def band_of(cents: int) -> str:
    return BANDS[int(band_index(np.array([cents]))[0])][0]


def gini(values) -> float:
    """0 when all are equal, towards 1 when one takes everything (0 for no money at all)."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * (ranks * x).sum()) / (n * total) - (n + 1) / n)


def top_share(values, fraction: float) -> float:
    """The share of the total held by the top `fraction` of participants (at least one)."""
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    total = x.sum()
    if len(x) == 0 or total == 0:
        return 0.0
    count = max(1, int(round(len(x) * fraction)))
    return float(x[:count].sum() / total)


def lorenz(values, points: int = 20) -> list[tuple[float, float]]:
    """(share of participants, share of money they hold), poorest first, at `points` steps."""
    x = np.sort(np.asarray(values, dtype=float))
    total = x.sum()
    if len(x) == 0 or total == 0:
        return [(i / points, i / points) for i in range(points + 1)]
    cumulative = np.concatenate([[0.0], np.cumsum(x)]) / total
    out = []
    for i in range(points + 1):
        k = int(round(len(x) * i / points))
        out.append((i / points, float(cumulative[k])))
    return out
