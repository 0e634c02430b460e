"""Independent figures from the CSV files themselves (pandas and plain Python), for checks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd


def read(folder: Path, kind: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{kind}.csv", dtype=str, keep_default_na=False)


def cents(series: pd.Series) -> pd.Series:
    return series.map(lambda text: int(Decimal(text) * 100))


def depths(distributors: pd.DataFrame) -> dict[str, int]:
    sponsor = dict(zip(distributors.distributor_id, distributors.sponsor_id, strict=True))
    depth: dict[str, int] = {}
    for did in sponsor:
        chain = []
        node = did
        while node not in depth and sponsor.get(node):
            chain.append(node)
            node = sponsor[node]
        base = depth.setdefault(node, 0)
        for offset, member in enumerate(reversed(chain), start=1):
            depth[member] = base + offset
    return depth


def per_distributor_totals(folder: Path) -> pd.DataFrame:
    orders = read(folder, "orders").assign(cents=lambda f: cents(f.amount))
    by_kind = orders.pivot_table(
        index="distributor_id", columns="kind", values="cents", aggfunc="sum", fill_value=0
    )
    commissions = read(folder, "commissions").assign(cents=lambda f: cents(f.amount))
    earned = commissions.groupby("earner_id").cents.sum()
    ids = read(folder, "distributors").distributor_id
    table = pd.DataFrame(index=ids)
    for kind in ("retail", "personal", "starter_kit"):
        table[kind] = by_kind[kind] if kind in by_kind else 0
    table["orders"] = orders.groupby("distributor_id").size()
    table["earned"] = earned
    return table.fillna(0).astype(int)
