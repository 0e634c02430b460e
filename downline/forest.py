"""Numbers for a sponsor forest: depth, pre-order interval and root of every distributor.

Shared by the ingest (which stores them) and the analytics (which recompute them for the tree
as it stood on a date).
"""

from __future__ import annotations

import numpy as np


def number_forest(sponsors: dict[str, str | None]) -> dict[str, tuple[int, int, int, str]]:
    """id -> (depth, pre, post, root_id) for a forest given as id -> sponsor id (a sponsor
    outside the forest makes a distributor unreachable, and it is left out)."""
    ids = sorted(sponsors)
    index = {did: i for i, did in enumerate(ids)}
    parent = np.array([index.get(sponsors[d], -2) if sponsors[d] else -1 for d in ids])
    depth, pre, post, root = number_arrays(parent, np.arange(len(ids)))
    return {
        did: (int(depth[i]), int(pre[i]), int(post[i]), ids[root[i]])
        for i, did in enumerate(ids)
        if pre[i] >= 0
    }


def number_arrays(parent, rank) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Depth, pre-order number, last pre number of the subtree, and root index of every node of
    a forest given by `parent` (index of the sponsor, -1 for a root): roots and siblings are
    visited in `rank` order (distinct integers, e.g. the ids' sort order). Unreachable nodes
    (below a parent outside the forest, or on a cycle) get -1 everywhere.

    Vectorised level by level, so the cost is a few array operations per level of the tree
    (a 3,000-deep chain is 3,000 small steps) rather than a Python step per node.
    """
    parent = np.asarray(parent, dtype=np.int64)
    n = len(parent)
    # Children grouped by parent (roots first), each group in rank order: one sort of one key.
    rank = np.asarray(rank, dtype=np.int64)
    # (Stable: timsort takes the runs already in order, about twice as fast here.)
    order = np.argsort((parent + 2) * (int(rank.max(initial=0)) + 1) + rank, kind="stable")
    has_parent = parent >= 0
    parent_in_order = parent[order]
    roots = order[parent_in_order == -1]
    grouped = order[parent_in_order >= 0]  # non-roots, by parent, then rank
    counts = np.bincount(parent[has_parent], minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)])
    depth = np.full(n, -1, dtype=np.int64)
    levels = []
    frontier = roots
    while len(frontier):
        depth[frontier] = len(levels)
        levels.append(frontier)
        frontier = _children(frontier, grouped, starts, counts)
    size = np.where(depth >= 0, 1, 0).astype(np.int64)
    for level in reversed(levels[1:]):
        np.add.at(size, parent[level], size[level])
    # Within its parent's children (in `grouped` order), the sizes of the earlier siblings.
    sizes = size[grouped]
    before = np.cumsum(sizes) - sizes
    first = np.repeat(before[starts[:-1][counts > 0]], counts[counts > 0])
    earlier = np.empty(n, dtype=np.int64)
    earlier[grouped] = before - first
    pre = np.full(n, -1, dtype=np.int64)
    root = np.full(n, -1, dtype=np.int64)
    pre[roots] = np.cumsum(size[roots]) - size[roots]
    root[roots] = roots
    for level in levels[1:]:
        up = parent[level]
        pre[level] = pre[up] + 1 + earlier[level]
        root[level] = root[up]
    post = np.where(pre >= 0, pre + size - 1, -1)
    return depth, pre, post, root


def _children(frontier, grouped, starts, counts) -> np.ndarray:
    """Every child of the frontier's nodes, from the grouped children (CSR slices)."""
    lengths = counts[frontier]
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(starts[frontier] - (np.cumsum(lengths) - lengths), lengths)
    return grouped[offsets + np.arange(total)]


# What a distributor's downline holds, derived from its own figures (see downline_sums).
DOWNLINE_FIELDS = (
    "downline_size",
    "downline_levels",
    "downline_active",
    "downline_revenue_cents",
    "downline_commission_cents",
)


def downline_sums(pre, post, depth, parent, active, revenue, earned):
    """Per distributor, over its downline (its subtree without itself): size, levels below it,
    active members, revenue and commissions.

    Arrays are aligned on one index; `pre`/`post` number the whole forest (0..n-1), `parent` is
    the index of the sponsor (-1 for a root). Subtrees are pre-order intervals, so sums are two
    prefix-sum look-ups; the deepest level below comes up the tree one level at a time.
    """
    pre, post, depth, parent = (np.asarray(a, dtype=np.int64) for a in (pre, post, depth, parent))
    order = np.argsort(pre)

    def below(values):
        prefix = np.concatenate([[0], np.cumsum(np.asarray(values, dtype=np.int64)[order])])
        return prefix[post + 1] - prefix[pre + 1]

    deepest = depth.copy()
    for level in range(int(depth.max(initial=0)), 0, -1):
        at = np.flatnonzero((depth == level) & (parent >= 0))
        np.maximum.at(deepest, parent[at], deepest[at])
    return {
        "downline_size": post - pre,
        "downline_levels": deepest - depth,
        "downline_active": below(active),
        "downline_revenue_cents": below(revenue),
        "downline_commission_cents": below(earned),
    }
