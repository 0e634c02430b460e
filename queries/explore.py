"""The network's shape for the dashboard: search, a downline summarised to a few hundred nodes,
the neighbourhood of one distributor, growth by month and whole-network totals."""

from __future__ import annotations

import re

import neo4j
import pandas as pd

from queries import explore_cypher as q
from queries.network import no_such_distributor
from queries.tree import read

# A sunburst of about a thousand nodes draws in about a second in Chromium on two cores; a
# 20,000-node one takes a minute.
NODE_BUDGET = 1000
MOST_KEPT = 50
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def data_version(driver: neo4j.Driver, database: str) -> str:
    """Changes whenever an ingest run finishes."""
    row = read(driver, database, q.DATA_VERSION).iloc[0]
    return f"{row.finished_at}/{row.runs}"


def lucene_prefixes(text: str) -> str | None:
    """Every word of `text` as an escaped prefix, all required: 'ana sil' -> 'ana* AND sil*'."""
    words = [_LUCENE_SPECIAL.sub(r"\\\1", word) for word in text.split()]
    return " AND ".join(f"{word}*" for word in words) if words else None


def search(driver: neo4j.Driver, database: str, text: str, limit: int = 20) -> pd.DataFrame:
    """Distributors whose id is `text`, or whose id or name words start with its words."""
    text = text.strip()
    exact = read(driver, database, q.SEARCH_EXACT, text=text)
    lucene = lucene_prefixes(text)
    if lucene is None:
        return exact
    found = read(driver, database, q.SEARCH_TEXT, lucene=lucene, limit=limit)
    return pd.concat([exact, found]).drop_duplicates("id").head(limit).reset_index(drop=True)


def first_root(driver: neo4j.Driver, database: str) -> str | None:
    found = read(driver, database, q.FIRST_ROOT)
    return None if found.empty else found.id.iloc[0]


def _node(driver: neo4j.Driver, database: str, did: str) -> tuple[dict, str | None]:
    found = read(driver, database, q.NODE, id=did)
    if found.empty:
        raise no_such_distributor(did)
    return found.node.iloc[0], found.sponsor_id.iloc[0]


def kept_per_parent(max_depth: int) -> int:
    """Children kept per parent (each parent also gets one "others" node) so that the last of
    `max_depth` levels holds at most NODE_BUDGET nodes."""
    widest = int(round(NODE_BUDGET ** (1 / max_depth), 6))
    return max(2, min(MOST_KEPT, widest - 1))


def downline_summary(
    driver: neo4j.Driver, database: str, root: str, max_depth: int = 3
) -> pd.DataFrame:
    """The downline of `root` to `max_depth` levels, the largest legs of each parent kept and
    the others summed into one "others" row, so it stays small at any network size.

    One row per node: node (unique key), parent, id (None for others), label, level, members
    (own downline plus itself), revenue_cents (own plus downline), earned_cents.
    """
    top, _ = _node(driver, database, root)
    keep = kept_per_parent(max_depth)
    rows = [_summary_row(top, None, 0)]
    frontier = [top["id"]]
    for level in range(1, max_depth + 1):
        if not frontier:
            break
        found = read(driver, database, q.CHILDREN_KEPT, ids=frontier, keep=keep)
        frontier = []
        for parent, kept, others, members, revenue in found.itertuples(index=False, name=None):
            for child in kept:
                rows.append(_summary_row(child, parent, level))
                if child["members"] > 1:
                    frontier.append(child["id"])
            if others > 0:
                rows.append(
                    {
                        "node": f"others:{parent}",
                        "parent": parent,
                        "id": None,
                        "label": f"{others:,} others",
                        "level": level,
                        "members": int(members),
                        "revenue_cents": int(revenue),
                        "earned_cents": None,
                    }
                )
    return pd.DataFrame(rows)


def _summary_row(node: dict, parent: str | None, level: int) -> dict:
    return {
        "node": node["id"],
        "parent": parent,
        "id": node["id"],
        "label": node["name"] or node["id"],
        "level": level,
        "members": int(node["members"]),
        "revenue_cents": int(node["revenue_cents"] + node["downline_revenue_cents"]),
        "earned_cents": int(node["earned_cents"]),
    }


def neighbourhood(
    driver: neo4j.Driver, database: str, center: str, hops: int = 2, most: int = 300
) -> pd.DataFrame:
    """Distributors within `hops` sponsor links of `center` (up and down), at most `most`,
    nearest first and the largest downlines first within a hop.

    One row per node: id, name, status, depth, sponsor_id, hop, members, revenue_cents (own),
    earned_cents.
    """
    node, sponsor = _node(driver, database, center)
    rows = [{**node, "sponsor_id": sponsor, "hop": 0}]
    seen, frontier = [center], [center]
    for hop in range(1, hops + 1):
        room = most - len(seen)
        if room <= 0 or not frontier:
            break
        found = read(driver, database, q.NEIGHBOURS, ids=frontier, seen=seen, room=room)
        frontier = []
        for found_node, sponsor_id in found.itertuples(index=False, name=None):
            rows.append({**found_node, "sponsor_id": sponsor_id, "hop": hop})
            seen.append(found_node["id"])
            frontier.append(found_node["id"])
    frame = pd.DataFrame(rows).drop(columns="downline_revenue_cents")
    return frame[
        [
            "id",
            "name",
            "status",
            "depth",
            "sponsor_id",
            "hop",
            "members",
            "revenue_cents",
            "earned_cents",
        ]
    ]
