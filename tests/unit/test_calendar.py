"""Calendar arithmetic on arrays against Python's own dates, day by day."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from downline.calendar import (
    EPOCH,
    civil,
    day_number,
    day_numbers,
    in_last_days,
    month_numbers,
    plus_months,
)

# Every day from 1899 to 2101: leap years, 1900 and 2000, month ends.
DAYS = np.arange(day_number(date(1899, 1, 1)), day_number(date(2101, 12, 31)) + 1)
DATES = [EPOCH + timedelta(days=int(d)) for d in DAYS]


def test_days_become_dates_and_back():
    year, month, day = civil(DAYS)
    assert [(int(y), int(m), int(d)) for y, m, d in zip(year, month, day, strict=True)] == [
        (x.year, x.month, x.day) for x in DATES
    ]
    assert (day_numbers(year, month, day) == DAYS).all()
    assert (month_numbers(DAYS) == [x.year * 12 + x.month - 1 for x in DATES]).all()


def _plus_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def test_months_later_keep_the_day_or_take_the_month_end():
    for months in (1, 3, 12, 25):
        got = plus_months(DAYS[::3], months)
        want = [day_number(_plus_months(x, months)) for x in DATES[::3]]
        assert (got == want).all(), months


def test_the_last_days_of_each_month():
    got = in_last_days(DAYS, 5)
    want = [(x + timedelta(days=5)).month != x.month for x in DATES]
    assert got.tolist() == want


def test_long_arrays_of_few_days_give_the_same_answers():
    """Looked up per distinct day (by_day) as computed one by one."""
    few = DAYS[(DAYS >= day_number(date(2023, 11, 1))) & (DAYS < day_number(date(2025, 3, 1)))]
    many = np.tile(few, 30)[::-1].copy()  # 14,610 days over 486: the look-up path
    assert (
        plus_months(many, 3)
        == [day_number(_plus_months(EPOCH + timedelta(int(d)), 3)) for d in many]
    ).all()
    assert (in_last_days(many, 5) == np.tile(in_last_days(few, 5), 30)[::-1]).all()
    assert (month_numbers(many) == np.tile(month_numbers(few), 30)[::-1]).all()
