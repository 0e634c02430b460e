"""An income-disclosure table: who earned how much in commissions (`downline earnings`).

Participants are the distributors covered by the filters, zero earners included; earnings are
their commissions within the period (ask a 12-month period for an annual statement).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from queries.facts import Network
from queries.filters import NO_FILTERS, Filters
from queries.grouping import Groups
from queries.inequality import BANDS, band_index, gini, lorenz, top_share

NO_RANK = "(none)"


@dataclass(frozen=True)
class Earnings:
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


def earnings(source, root: str | None = None, filters: Filters = NO_FILTERS) -> Earnings:
    return summarise(source.network(root, filters))


def summarise(network: Network) -> Earnings:
    cents = network.commission_cents
    n = len(cents)
    return Earnings(
        participants=n,
        total_cents=int(cents.sum()),
        mean_cents=float(cents.mean()) if n else 0.0,
        median_cents=float(np.median(cents)) if n else 0.0,
        gini=gini(cents),
        top_1_share=top_share(cents, 0.01),
        top_10_share=top_share(cents, 0.10),
        bands=_bands(cents),
        by_rank=_by_rank(network),
        lorenz=lorenz(cents),
    )


def _bands(cents: np.ndarray) -> pd.DataFrame:
    band = band_index(cents)
    participants = np.bincount(band, minlength=len(BANDS))
    return pd.DataFrame(
        {
            "band": [name for name, _, _ in BANDS],
            "participants": participants,
            "share": participants / len(cents) if len(cents) else 0.0,
            "total_cents": np.bincount(band, cents, minlength=len(BANDS)).round().astype(np.int64),
        }
    )


def _by_rank(network: Network) -> pd.DataFrame:
    """Per rank (none: NO_RANK), the highest mean first (ties: by name): participants, the
    share who earned nothing, mean and median."""
    encoded = pc.dictionary_encode(pc.fill_null(network.rank, NO_RANK))
    names = np.array(encoded.dictionary.to_pylist(), dtype=object)
    code = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    cents = network.commission_cents
    count = np.bincount(code, minlength=len(names))
    mean = np.bincount(code, cents, minlength=len(names)) / np.maximum(count, 1)
    frame = pd.DataFrame(
        {
            "rank": names,
            "participants": count,
            "zero_share": np.bincount(code, cents == 0, minlength=len(names))
            / np.maximum(count, 1),
            "mean_cents": mean,
            "median_cents": Groups(code, len(names)).medians(cents),
        }
    )
    frame = frame[frame.participants > 0]
    return frame.sort_values(
        ["mean_cents", "rank"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
