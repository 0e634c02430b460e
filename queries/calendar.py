"""Days and months as integers, for array work: a day is its number since 1970-01-01, a month
year * 12 + month - 1 (as the snapshot stores them, downline/snapshot.py)."""

from __future__ import annotations

from datetime import date

import numpy as np

EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def day_of(number: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + int(number))


def _parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each day's month (datetime64[M]) and day of the month, counting from 0."""
    stamp = np.asarray(days).astype("datetime64[D]")
    month = stamp.astype("datetime64[M]")
    return month, (stamp - month.astype("datetime64[D]")).astype(np.int64)


def month_length(month: np.ndarray) -> np.ndarray:
    return ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)


def plus_months(days: np.ndarray, months: int) -> np.ndarray:
    """The same day `months` later, or the last day of that month when it is shorter."""
    month, day = _parts(days)
    later = month + months
    first = later.astype("datetime64[D]").astype(np.int64)
    return first + np.minimum(day, month_length(later) - 1)


def in_last_days(days: np.ndarray, count: int) -> np.ndarray:
    """Whether each day is one of the last `count` days of its month."""
    month, day = _parts(days)
    return day + 1 > month_length(month) - count


def month_numbers(days: np.ndarray) -> np.ndarray:
    month, _ = _parts(days)
    return month.astype(np.int64) + 1970 * 12
