"""An income-disclosure table: who earned how much in commissions (`downline earnings`).

Participants are the distributors covered by the filters, zero earners included; earnings are
their commissions within the period (ask a 12-month period for an annual statement).
"""

from __future__ import annotations

from dataclasses import dataclass

import neo4j
import pandas as pd

from queries.filters import NO_FILTERS, Filters
from queries.inequality import BANDS, band_of, gini, lorenz, top_share
from queries.tree import distributors, find_root


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


def earnings(
    driver: neo4j.Driver, database: str, root: str | None = None, filters: Filters = NO_FILTERS
) -> Earnings:
    frame = distributors(driver, database, filters, find_root(driver, database, root))
    return summarise(frame)


def summarise(frame: pd.DataFrame) -> Earnings:
    """From one row per participant with `commission_cents` and `rank`."""
    cents = frame.commission_cents.astype("int64")
    bands = (
        cents.map(band_of)
        .to_frame("band")
        .assign(cents=cents)
        .groupby("band")
        .agg(participants=("cents", "size"), total_cents=("cents", "sum"))
        .reindex([name for name, _, _ in BANDS], fill_value=0)
        .rename_axis("band")
        .reset_index()
    )
    bands["share"] = bands.participants / len(frame) if len(frame) else 0.0
    by_rank = (
        frame.assign(rank=frame["rank"].fillna("(none)"), zero=cents == 0, cents=cents)
        .groupby("rank")
        .agg(
            participants=("cents", "size"),
            zero_share=("zero", "mean"),
            mean_cents=("cents", "mean"),
            median_cents=("cents", "median"),
        )
        .reset_index()
        .sort_values("mean_cents", ascending=False)
        .reset_index(drop=True)
    )
    return Earnings(
        participants=len(frame),
        total_cents=int(cents.sum()),
        mean_cents=float(cents.mean()) if len(frame) else 0.0,
        median_cents=float(cents.median()) if len(frame) else 0.0,
        gini=gini(cents),
        top_1_share=top_share(cents, 0.01),
        top_10_share=top_share(cents, 0.10),
        bands=bands[["band", "participants", "share", "total_cents"]],
        by_rank=by_rank,
        lorenz=lorenz(cents),
    )
