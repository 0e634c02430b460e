"""The analytics comparison's cases: each question, about which part of the network, how each
contender answers it (downline's query function, the pandas + networkx method, the naive Cypher
statement) and how the answers are checked; and how much timing each case gets.

The roots are picked from the loaded database: the subtrees closest to 1k, 10k and 100k
distributors, and the deepest distributor (the longest upline, a small downline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import neo4j
import pandas as pd
from analytics_checks import check_distributor, check_earnings, check_flows, check_levels
from analytics_naive import NAIVE_LEVELS_ALL, NAIVE_LEVELS_SUBTREE
from analytics_pandas import InMemory

from queries.cypher_source import CypherSource
from queries.distributor import distributor_profile
from queries.earnings import earnings
from queries.flows import flows
from queries.levels import levels
from queries.overview import graph_counts
from queries.tree import read

SUBTREE_TARGETS = {"1k": 1_000, "10k": 10_000, "100k": 100_000}

CLOSEST_SUBTREE = """
MATCH (x:Distributor)
WITH x.id AS id, x.downline_size + 1 AS size
RETURN id, size ORDER BY abs(size - $target), size DESC, id LIMIT 1
"""
DEEPEST = """
MATCH (x:Distributor)
RETURN x.id AS id, x.depth AS depth, x.downline_size AS downline ORDER BY x.depth DESC, x.id
LIMIT 1
"""


@dataclass
class Case:
    distributors: int
    downline: Callable[[neo4j.Driver], Any]
    pandas: Callable[[], Any]
    check: Callable[[str, Any, Any], None]  # (case, pandas answer, downline answer)
    root: str | None = None
    naive: tuple[str, dict] | None = None  # statement and parameters
    answer: Callable[[Any], pd.DataFrame] = lambda answer: answer  # downline's table, for naive


@dataclass(frozen=True)
class Timing:
    runs: int  # warm calls per case and contender
    cold: str  # "restart" the server before downline's first call, or "clear-caches"
    budget_s: float | None  # warm calls stop once they took this long (at least one)
    warm_up_s: float  # untimed calls before the warm ones
    naive_timeout: float  # seconds a naive Cypher call may run


def _check_pandas_levels(case: str, theirs: pd.DataFrame, ours) -> None:
    check_levels(case, "pandas", theirs, ours.table)


def _levels(db: str, memory: InMemory, distributors: int, root: str | None = None) -> Case:
    naive = (NAIVE_LEVELS_ALL, {}) if root is None else (NAIVE_LEVELS_SUBTREE, {"root": root})
    return Case(
        distributors,
        lambda driver: levels(CypherSource(driver, db), root),
        lambda: memory.levels(root),
        _check_pandas_levels,
        root=root,
        naive=naive,
        answer=lambda answer: answer.table,
    )


def cases(
    driver: neo4j.Driver, db: str, memory: InMemory
) -> tuple[dict, dict[str, Case], dict[str, str]]:
    """(the graph's counts, the cases by name, the cases skipped and why). A subtree whose root
    an earlier case has already asked about is skipped (a small network's closest subtrees)."""
    counts = graph_counts(driver, db).__dict__
    deepest = read(driver, db, DEEPEST).iloc[0].to_dict()
    subtrees = {
        label: read(driver, db, CLOSEST_SUBTREE, target=target).iloc[0].to_dict()
        for label, target in SUBTREE_TARGETS.items()
    }
    n = counts["distributors"]
    found = {"levels_whole_network": _levels(db, memory, n)}
    skipped = {}
    for label, subtree in subtrees.items():
        root = str(subtree["id"])
        same = [name for name, case in found.items() if case.root == root]
        if same:
            skipped[f"levels_subtree_{label}"] = f"the same root as {same[0]}"
            continue
        found[f"levels_subtree_{label}"] = _levels(db, memory, int(subtree["size"]), root)
    found["flows_whole_network"] = Case(
        n, lambda driver: flows(driver, db), memory.flows, check_flows
    )
    found["earnings_whole_network"] = Case(
        n, lambda driver: earnings(driver, db), memory.earnings, check_earnings
    )
    did = str(deepest["id"])
    found["distributor_deepest"] = Case(
        int(deepest["downline"]) + 1,
        lambda driver: distributor_profile(driver, db, did),
        lambda: memory.distributor(did),
        check_distributor,
        root=did,
    )
    return counts, found, skipped
