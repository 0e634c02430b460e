"""Join cohorts: how many joined each month, how many were still active 3, 6 and 12 months
later, and what they earned (`downline cohorts`).

A distributor is still active m months after joining when it has no `left_on`, or left later
than that. A cohort is judged at m months only once every member has reached m months by the
end of the data (the last join or leave date covered, or the end of the period asked).
"""

from __future__ import annotations

from datetime import date

import neo4j
import pandas as pd

from queries.filters import NO_FILTERS, Filters
from queries.tree import distributors, find_root

MONTHS = (3, 6, 12)


def _plus_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return date(year, month, min(day.day, days))


def data_end(frame: pd.DataFrame, last_day: date | None = None) -> date | None:
    if last_day is not None:
        return last_day
    days = [d for d in (frame.joined_on.max(), frame.left_on.dropna().max()) if pd.notna(d)]
    return max(days) if days else None


def still_active(frame: pd.DataFrame, months: int) -> pd.Series:
    horizon = frame.joined_on.map(lambda d: _plus_months(d, months))
    return frame.left_on.isna() | (frame.left_on > horizon)


def retention(frame: pd.DataFrame, months: int, last_day: date | None = None) -> float | None:
    """The share still active `months` after joining, of those who joined long enough ago."""
    end = data_end(frame, last_day)
    if end is None:
        return None
    judged = frame[frame.joined_on.map(lambda d: _plus_months(d, months) <= end)]
    return float(still_active(judged, months).mean()) if len(judged) else None


def cohorts(
    driver: neo4j.Driver, database: str, root: str | None = None, filters: Filters = NO_FILTERS
) -> pd.DataFrame:
    frame = distributors(driver, database, filters, find_root(driver, database, root))
    return table(frame, filters.date_to or filters.as_of)


def table(frame: pd.DataFrame, last_day: date | None = None) -> pd.DataFrame:
    """cohort (YYYY-MM), recruits, active_after_3/6/12 (shares, None when too young),
    median_commission_cents."""
    end = data_end(frame, last_day)
    frame = frame.assign(cohort=frame.joined_on.map(lambda d: f"{d.year:04d}-{d.month:02d}"))
    rows = []
    for cohort, members in frame.groupby("cohort"):
        row = {"cohort": cohort, "recruits": len(members)}
        youngest = members.joined_on.max()
        for months in MONTHS:
            judged = end is not None and _plus_months(youngest, months) <= end
            row[f"active_after_{months}"] = (
                float(still_active(members, months).mean()) if judged else None
            )
        row["median_commission_cents"] = float(members.commission_cents.median())
        rows.append(row)
    return pd.DataFrame(rows)
