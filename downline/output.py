"""Values as people read them, shared by the CLI and the dashboard: amounts in currency units.

Amounts are integer cents inside downline; here a `*_cents` column becomes the same name
without the suffix, written with two decimals (exact: no float ever holds money).
"""

from __future__ import annotations

import pandas as pd

RENAMED = {"commission": "commissions"}  # an amount of commissions reads as a plural


def money(cents) -> str:
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def money_name(column: str, columns) -> str:
    """The name a `*_cents` column is shown under."""
    name = column.removesuffix("_cents")
    return RENAMED.get(name, name) if RENAMED.get(name) not in columns else name


def present(frame: pd.DataFrame) -> pd.DataFrame:
    """Cents columns as money strings without the suffix; shares rounded to 4 places."""
    out = frame.copy()
    for column in frame.columns:
        if column.endswith("_cents"):
            out[column] = frame[column].map(lambda v: None if pd.isna(v) else money(round(v)))
            out = out.rename(columns={column: money_name(column, frame.columns)})
        elif column.endswith("share") or column.startswith("avg_"):
            out[column] = frame[column].astype(float).round(4)
    return out
