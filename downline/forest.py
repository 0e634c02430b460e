"""Numbers for a sponsor forest: depth, pre-order interval and root of every distributor.

Shared by the ingest (which stores them) and the analytics (which recompute them for the tree
as it stood on a date).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def number_forest(sponsors: dict[str, str | None]) -> dict[str, tuple[int, int, int, str]]:
    """id -> (depth, pre, post, root_id) for a forest given as id -> sponsor id."""
    children: dict[str | None, list[str]] = defaultdict(list)
    for did, sponsor in sponsors.items():
        children[sponsor].append(did)
    for siblings in children.values():
        siblings.sort()
    numbers: dict[str, tuple[int, int, int, str]] = {}
    counter = 0
    for root in children[None]:
        # Iterative DFS: (node, depth, entered?) so a chain of any depth is fine.
        stack: list[tuple[str, int, bool]] = [(root, 0, False)]
        pre_of: dict[str, int] = {}
        while stack:
            node, depth, entered = stack.pop()
            if entered:
                numbers[node] = (depth, pre_of.pop(node), counter - 1, root)
                continue
            pre_of[node] = counter
            counter += 1
            stack.append((node, depth, True))
            for child in reversed(children.get(node, ())):
                stack.append((child, depth + 1, False))
    return numbers


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
