"""Answers compared: each contender's answer against downline's, field by field; the first
difference stops the run (a fast wrong answer would make the timings meaningless).

Numbers are compared to 12 significant digits, so that sums added in another order agree, and
rows whatever their order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from queries.distributor import DistributorProfile
from queries.earnings import Earnings
from queries.flows import Flows


class Mismatch(RuntimeError):
    """An answer differs from downline's."""


def _value(v):
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, (bool, np.bool_, str)):
        return v
    return float(f"{float(v):.12g}")  # 12 significant digits: sums in another order agree


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    rows = [tuple(_value(v) for v in row) for row in frame[columns].itertuples(index=False)]
    return sorted(rows, key=lambda row: tuple((v is None, v if v is not None else 0) for v in row))


def _same(case: str, source: str, what: str, theirs, ours) -> None:
    if theirs != ours:
        if isinstance(theirs, list) and isinstance(ours, list):
            diff = [(t, o) for t, o in zip(theirs, ours, strict=False) if t != o][:5]
            detail = f"{len(theirs)} rows vs downline's {len(ours)}; first differences {diff}"
        else:
            detail = f"{theirs!r} vs downline's {ours!r}"
        raise Mismatch(f"{case}: {source} {what} differs from downline's: {detail}")


def check_levels(case: str, source: str, theirs: pd.DataFrame, ours: pd.DataFrame) -> None:
    columns = ["level", "distributors", "revenue_cents", "commission_cents"]
    if "max_recruits" in theirs:
        columns += ["avg_recruits", "max_recruits"]
    _same(case, source, "levels", _rows(theirs, columns), _rows(ours, columns))


def check_flows(case: str, theirs: Flows, ours: Flows) -> None:
    by_level = ["source_level", "earner_level", "commission_cents", "commissions"]
    _same(
        case, "pandas", "by_level", _rows(theirs.by_level, by_level), _rows(ours.by_level, by_level)
    )
    entering = ["level", "kind", "cents", "orders"]
    _same(
        case, "pandas", "entering", _rows(theirs.entering, entering), _rows(ours.entering, entering)
    )
    gap = ["gap", "commission_cents", "share"]
    _same(case, "pandas", "by_gap", _rows(theirs.by_gap, gap), _rows(ours.by_gap, gap))


def check_earnings(case: str, theirs: Earnings, ours: Earnings) -> None:
    for field in ("participants", "total_cents", "mean_cents", "median_cents", "gini"):
        _same(case, "pandas", field, _value(getattr(theirs, field)), _value(getattr(ours, field)))
    for field in ("top_1_share", "top_10_share"):
        _same(case, "pandas", field, _value(getattr(theirs, field)), _value(getattr(ours, field)))
    bands = ["band", "participants", "share", "total_cents"]
    _same(case, "pandas", "bands", _rows(theirs.bands, bands), _rows(ours.bands, bands))
    ranks = ["rank", "participants", "zero_share", "mean_cents", "median_cents"]
    _same(case, "pandas", "by_rank", _rows(theirs.by_rank, ranks), _rows(ours.by_rank, ranks))


def check_distributor(case: str, theirs: dict, ours: DistributorProfile) -> None:
    details = ours.details
    _same(case, "pandas", "upline", theirs["upline"], ours.upline.id.tolist())
    _same(case, "pandas", "frontline", theirs["frontline"], int(details["frontline"]))
    revenue = sum(
        int(details[k] or 0) for k in ("retail_cents", "personal_cents", "starter_kit_cents")
    )
    _same(case, "pandas", "revenue", theirs["revenue_cents"], revenue)
    _same(
        case,
        "pandas",
        "commissions",
        theirs["commission_cents"],
        int(details["commission_cents"] or 0),
    )
    _same(case, "pandas", "downline", theirs["downline"], ours.downline)
