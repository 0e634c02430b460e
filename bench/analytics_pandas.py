"""The pandas + networkx contender: downline's analytics answers computed in memory from the
CSV files, as an analyst without downline would, and its timings.

It is an independent computation on purpose: it reads the CSV files, not the database, and
works out levels, flows and one distributor's figures itself, so that an answer it shares with
downline was reached twice. Where it looks like queries/ (the groupby of levels and of flows),
it is the same question asked of other data, not a copy to share. It takes from queries/ only
the result types it is compared in, and earnings' statistics (`queries.earnings.summarise`,
over the per-distributor totals worked out here).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from benchlib import summary_ms, timed, warm_ms

from queries.earnings import Earnings, summarise
from queries.flows import Flows

try:
    import networkx as nx
except ImportError as missing:  # the `bench` optional dependencies
    raise SystemExit("networkx is not installed: pip install -e '.[bench]'") from missing

ALL_ROOTS = ("all roots",)  # the DiGraph's node above every root, for the whole network


def versions() -> dict[str, str]:
    return {"pandas": pd.__version__, "networkx": nx.__version__}


class InMemory:
    """The CSV files as pandas frames and the sponsor tree as a networkx DiGraph."""

    def __init__(self, data: Path):
        self.data = data

    def load(self) -> None:
        """Read the CSV files; amounts become integer cents."""

        def csv(name: str, columns: dict[str, Any]) -> pd.DataFrame:
            return pd.read_csv(
                self.data / name,
                usecols=list(columns),
                dtype=columns,
                keep_default_na=False,
                na_values=[""],
            )

        self.distributors = csv(
            "distributors.csv",
            {"distributor_id": str, "sponsor_id": str, "rank": str, "status": str, "left_on": str},
        )
        self.orders = csv("orders.csv", {"distributor_id": str, "amount": float, "kind": str})
        self.commissions = csv(
            "commissions.csv", {"earner_id": str, "source_id": str, "amount": float}
        )
        for frame in (self.orders, self.commissions):
            frame["cents"] = (frame.pop("amount") * 100).round().astype("int64")

    def prepare(self) -> None:
        """The DiGraph (sponsor -> recruit) and one row of totals per distributor."""
        d = self.distributors
        graph = nx.DiGraph()
        graph.add_nodes_from(d.distributor_id)
        linked = d.dropna(subset=["sponsor_id"])
        graph.add_edges_from(zip(linked.sponsor_id, linked.distributor_id, strict=True))
        graph.add_edges_from((ALL_ROOTS, root) for root in d.distributor_id[d.sponsor_id.isna()])
        self.graph = graph

        ids = pd.Index(d.distributor_id, name="id")
        given = d.status.notna()
        status = d.status.where(given, np.where(d.left_on.isna(), "active", "inactive"))
        per = pd.DataFrame(
            {"rank": d["rank"].to_numpy(), "active": (status == "active").to_numpy()}, index=ids
        )
        per["revenue_cents"] = (
            self.orders.groupby("distributor_id").cents.sum().reindex(ids, fill_value=0)
        )
        per["commission_cents"] = (
            self.commissions.groupby("earner_id").cents.sum().reindex(ids, fill_value=0)
        )
        per["recruits"] = d.sponsor_id.value_counts().reindex(ids, fill_value=0)
        self.per = per

    def _level_of(self, root: str | None) -> pd.Series:
        """id -> level below `root` (below every root for None), by breadth-first search."""
        start = ALL_ROOTS if root is None else root
        lengths = nx.single_source_shortest_path_length(self.graph, start)
        if root is None:
            del lengths[ALL_ROOTS]
        level = pd.Series(lengths, dtype="int64")
        return level - 1 if root is None else level

    def levels(self, root: str | None = None) -> pd.DataFrame:
        # Shaped like queries/levels.py's period-filtered table, but from the CSV files and a
        # breadth-first search: a second computation to check downline's by, not a copy.
        level = self._level_of(root)
        return (
            self.per.loc[level.index]
            .assign(level=level)
            .groupby("level")
            .agg(
                distributors=("recruits", "size"),
                revenue_cents=("revenue_cents", "sum"),
                commission_cents=("commission_cents", "sum"),
                avg_recruits=("recruits", "mean"),
                max_recruits=("recruits", "max"),
            )
            .reset_index()
        )

    def flows(self) -> Flows:
        """The whole network's flows, as queries.flows.flows shapes them."""
        # The same groupby as queries/flows.py on purpose (the answers must match), over the
        # CSV rows rather than the sums per earner and source it reads: kept apart, not shared.
        level = self._level_of(None)
        c = self.commissions
        c = c.assign(
            earner_level=c.earner_id.map(level).astype("int64"),
            source_level=c.source_id.map(level).astype("Int64"),
        )
        by_level = (
            c.groupby(["source_level", "earner_level"], dropna=False)
            .agg(commission_cents=("cents", "sum"), commissions=("cents", "size"))
            .reset_index()
        )
        sourced = c.dropna(subset=["source_level"])
        gaps = (
            sourced.assign(gap=(sourced.source_level - sourced.earner_level).astype("int64"))
            .groupby("gap")
            .cents.sum()
            .rename("commission_cents")
            .reset_index()
        )
        total = gaps.commission_cents.sum()
        gaps["share"] = gaps.commission_cents / total if total else 0.0
        o = self.orders
        entering = (
            o.assign(level=o.distributor_id.map(level).astype("int64"))
            .groupby(["level", "kind"])
            .agg(cents=("cents", "sum"), orders=("cents", "size"))
            .reset_index()
        )
        return Flows(by_level, entering, gaps)

    def earnings(self) -> Earnings:
        """Everyone's commission sum into bands, Gini and shares (queries.earnings.summarise)."""
        return summarise(self.per[["commission_cents", "rank"]])

    def distributor(self, did: str) -> dict:
        """Upline ids (sponsor first), frontline, own totals and the downline's sums."""
        upline, node = [], did
        while (node := next(iter(self.graph.predecessors(node)))) != ALL_ROOTS:
            upline.append(node)
        lengths = nx.single_source_shortest_path_length(self.graph, did)
        below = self.per.loc[[n for n in lengths if n != did]]
        own = self.per.loc[did]
        return {
            "upline": upline,
            "frontline": self.graph.out_degree(did),
            "revenue_cents": int(own.revenue_cents),
            "commission_cents": int(own.commission_cents),
            "downline": {
                "size": len(below),
                "levels": max(lengths.values()),
                "active": int(below.active.sum()),
                "revenue_cents": int(below.revenue_cents.sum()),
                "commission_cents": int(below.commission_cents.sum()),
            },
        }


def timings(
    call: Callable[[], Any], runs: int, setup_ms: float, budget_s: float | None, warm_up_s: float
) -> tuple[dict, Any]:
    """(timings, the answer): the first call, that with the load and DiGraph set-up before it
    (what a one-off question costs), and warm calls after it."""
    first_ms, answer = timed(call)
    warm = warm_ms(call, runs, budget_s, warm_up_s)
    timing = {"with_load_ms": round(setup_ms + first_ms, 1), "first_ms": round(first_ms, 1)}
    return {**timing, **summary_ms(warm)}, answer
