"""What a load should leave and what it left: rows per CSV file, nodes per label and
relationships per type in the bench server, so that a fast load that wrote less is caught."""

from __future__ import annotations

import csv
from pathlib import Path

from harness import KINDS
from ingest_driver_scripts import connect
from ingest_merge import LABELS, RELATIONSHIP_TYPES


def csv_rows(data: Path) -> dict[str, int]:
    """Rows per file, as csv reads them (a quoted field may hold a line break)."""
    rows = {}
    for kind in KINDS:
        with open(data / f"{kind}.csv", newline="", encoding="utf-8-sig") as handle:
            rows[kind] = sum(1 for _ in csv.DictReader(handle))
    return rows


def sample_nodes(data: Path, sampled_rows: dict[str, int]) -> dict[str, int]:
    """The nodes per label the per-row sample should leave: its rows, and for distributors
    also the sponsors named in the sample but outside it (the script MERGEs them as bare
    nodes)."""
    ids: set[str] = set()
    with open(data / "distributors.csv", newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if number >= sampled_rows["distributors"]:
                break
            ids.add(row["distributor_id"])
            if row.get("sponsor_id"):
                ids.add(row["sponsor_id"])
    return {
        LABELS[kind]: len(ids) if kind == "distributors" else n for kind, n in sampled_rows.items()
    }


def _graph_counts(env: dict) -> dict:
    with connect(env) as driver:
        nodes = {
            label: driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n")[0][0]["n"]
            for label in LABELS.values()
        }
        relationships = {
            rel: driver.execute_query(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n")[0][0]["n"]
            for rel in RELATIONSHIP_TYPES
        }
    return {"nodes": nodes, "relationships": relationships}


def sanity(env: dict, expected: dict[str, int]) -> dict:
    """The server's counts of nodes and relationships, and whether the nodes are as expected."""
    counts = _graph_counts(env)
    counts["expected_nodes"] = expected
    counts["nodes_match"] = counts["nodes"] == expected
    return counts
