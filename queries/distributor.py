"""One distributor: upline chain, downline summary, own orders and commissions
(`downline distributor ID`). Reads stored totals only, so it answers in milliseconds."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j
import pandas as pd

from downline.errors import DownlineError
from queries import analytics_cypher as q
from queries.tree import read


@dataclass(frozen=True)
class DistributorProfile:
    details: dict  # id, name, rank, status, dates, depth, root, sponsor, own totals, frontline
    upline: pd.DataFrame  # id, name, rank, status, depth: sponsor first, root last
    downline: dict  # size, levels, active, revenue_cents, commission_cents
    commissions: pd.DataFrame  # type, commissions, cents


def distributor_profile(driver: neo4j.Driver, database: str, did: str) -> DistributorProfile:
    found = read(driver, database, q.DISTRIBUTOR, id=did)
    if found.empty:
        raise DownlineError(f"no distributor {did}")
    details = {k: (None if pd.isna(v) else v) for k, v in found.iloc[0].to_dict().items()}
    below = read(driver, database, q.DOWNLINE_SUMMARY, pre=details["pre"], post=details["post"])
    summary = below.iloc[0].to_dict()
    downline = {
        "size": int(summary["size"]),
        "levels": int(summary["deepest"] - details["depth"]) if summary["size"] else 0,
        "active": int(summary["active"] or 0),
        "revenue_cents": int(summary["revenue_cents"] or 0),
        "commission_cents": int(summary["commission_cents"] or 0),
    }
    return DistributorProfile(
        details=details,
        upline=read(driver, database, q.UPLINE, id=did),
        downline=downline,
        commissions=read(driver, database, q.COMMISSIONS_OF, id=did),
    )
