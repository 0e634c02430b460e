"""One distributor: upline chain, downline summary, own orders and commissions
(`downline distributor ID`). Reads values the ingest keeps (own totals, downline sums), so it
answers in milliseconds whatever the size of the downline."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j
import pandas as pd

from downline.forest import DOWNLINE_FIELDS
from queries import analytics_cypher as q
from queries.network import no_such_distributor
from queries.tree import read


@dataclass(frozen=True)
class DistributorProfile:
    details: dict  # id, name, rank, status, dates, depth, root, sponsor, own totals, frontline
    upline: pd.DataFrame  # id, name, rank, status, depth: sponsor first, root last
    downline: dict  # size, levels, active, revenue_cents, commission_cents


def _upline(driver: neo4j.Driver, database: str, did: str) -> pd.DataFrame:
    """Sponsor first, root last, in steps of q.UPLINE_STEP hops."""
    steps = []
    while True:
        step = read(driver, database, q.UPLINE, id=did)
        steps.append(step)
        if len(step) < q.UPLINE_STEP or step.depth.iloc[-1] == 0:
            return pd.concat(steps, ignore_index=True)
        did = step.id.iloc[-1]


def distributor_profile(driver: neo4j.Driver, database: str, did: str) -> DistributorProfile:
    found = read(driver, database, q.DISTRIBUTOR, id=did)
    if found.empty:
        raise no_such_distributor(did)
    details = {k: (None if pd.isna(v) else v) for k, v in found.iloc[0].to_dict().items()}
    downline = {
        name.removeprefix("downline_"): int(details.pop(name) or 0) for name in DOWNLINE_FIELDS
    }
    return DistributorProfile(
        details=details,
        upline=_upline(driver, database, did),
        downline=downline,
    )
