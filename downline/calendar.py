"""Days and months as integers, for array work: a day is its number since 1970-01-01, a month
year * 12 + month - 1 (as the snapshot stores them, downline/snapshot.py).

Calendar arithmetic on whole arrays is integer arithmetic (the civil-from-days conversion of
H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"): numpy's datetime64 casts between
days and months cost about ten times as much.
"""

from __future__ import annotations

from datetime import date

import numpy as np

EPOCH = date(1970, 1, 1)
_LENGTHS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def day_number(day: date) -> int:
    return (day - EPOCH).days


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def civil(days) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of the month of each day number."""
    z = np.asarray(days, dtype=np.int64) + 719_468
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2), month, day


def day_numbers(year, month, day) -> np.ndarray:
    """The day number of each (year, month 1-12, day)."""
    year = np.asarray(year, dtype=np.int64) - (np.asarray(month) <= 2)
    era = np.floor_divide(year, 400)
    yoe = year - era * 400
    mp = (np.asarray(month, dtype=np.int64) + 9) % 12
    doy = (153 * mp + 2) // 5 + np.asarray(day, dtype=np.int64) - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def month_length(year, month) -> np.ndarray:
    year, month = np.asarray(year), np.asarray(month)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return _LENGTHS[month - 1] + ((month == 2) & leap)


def by_day(function):
    """`function` of an array of days, computed once per distinct day in their range when the
    array is much longer than that range (a million join days span a few thousand days), and
    looked up: one gather instead of the whole arithmetic per element."""

    def over(days, *args):
        days = np.asarray(days, dtype=np.int64)
        if len(days) < 4096:
            return function(days, *args)
        first, last = int(days.min()), int(days.max())
        if (last - first + 1) * 4 > len(days):
            return function(days, *args)
        return function(np.arange(first, last + 1), *args)[days - first]

    over.__doc__ = function.__doc__
    return over


@by_day
def plus_months(days, months: int) -> np.ndarray:
    """The same day `months` later, or the last day of that month when it is shorter."""
    year, month, day = civil(days)
    later = month - 1 + months
    year, month = year + later // 12, later % 12 + 1
    return day_numbers(year, month, np.minimum(day, month_length(year, month)))


@by_day
def in_last_days(days, count: int) -> np.ndarray:
    """Whether each day is one of the last `count` days of its month."""
    year, month, day = civil(days)
    return day > month_length(year, month) - count


@by_day
def month_numbers(days) -> np.ndarray:
    year, month, _ = civil(days)
    return year * 12 + month - 1
