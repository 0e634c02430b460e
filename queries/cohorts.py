"""Join cohorts: how many joined each month, how many were still active 3, 6 and 12 months
later, and what they earned (`downline cohorts`).

A distributor is still active m months after joining when it has not left, or left later
than that. A cohort is judged at m months only once every member has reached m months by the
end of the data (the last join or leave date covered, or the end of the period asked).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from downline.calendar import day_number, month_numbers, plus_months
from downline.snapshot import NEVER
from queries.facts import Network
from queries.filters import NO_FILTERS, Filters
from queries.grouping import Groups

MONTHS = (3, 6, 12)
COLUMNS = ["cohort", "recruits", *(f"active_after_{m}" for m in MONTHS)]
COLUMNS += ["median_commission_cents"]


def data_end(network: Network, last_day: date | None = None) -> int | None:
    """The day the data reaches: `last_day`, else the last join or leave covered."""
    if last_day is not None:
        return day_number(last_day)
    left = network.left[network.left != NEVER]
    days = [int(d.max()) for d in (network.joined, left) if len(d)]
    return max(days) if days else None


def still_active(network: Network, months: int) -> np.ndarray:
    return network.left > plus_months(network.joined, months)


def retention(network: Network, months: int, last_day: date | None = None) -> float | None:
    """The share still active `months` after joining, of those who joined long enough ago."""
    end = data_end(network, last_day)
    if end is None:
        return None
    judged = plus_months(network.joined, months) <= end
    return float(still_active(network, months)[judged].mean()) if judged.any() else None


def cohorts(source, root: str | None = None, filters: Filters = NO_FILTERS) -> pd.DataFrame:
    return table(source.network(root, filters), filters.date_to or filters.as_of)


def table(network: Network, last_day: date | None = None) -> pd.DataFrame:
    """cohort (YYYY-MM), recruits, active_after_3/6/12 (shares, None when too young),
    median_commission_cents, one row per join month in order."""
    end = data_end(network, last_day)
    month = month_numbers(network.joined)
    first = int(month.min(initial=0))
    code = month - first
    groups = Groups(code, int(code.max(initial=-1)) + 1)
    present = np.flatnonzero(groups.sizes)
    recruits = groups.sizes[present]
    youngest = groups.max(network.joined)[present]
    frame = pd.DataFrame(
        {
            "cohort": [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in present + first],
            "recruits": recruits,
        }
    )
    for months in MONTHS:
        stayed = np.bincount(code, still_active(network, months), len(groups.sizes))
        share = stayed[present] / recruits
        if end is None:
            judged = np.zeros(len(present), dtype=bool)
        else:
            judged = plus_months(youngest, months) <= end
        frame[f"active_after_{months}"] = pd.Series(share, dtype=object).where(judged, None)
    frame["median_commission_cents"] = groups.medians(network.commission_cents)[present]
    return frame[COLUMNS]
