"""Numbers for a sponsor forest: depth, pre-order interval and root of every distributor.

Shared by the ingest (which stores them) and the analytics (which recompute them for the tree
as it stood on a date).
"""

from __future__ import annotations

from collections import defaultdict


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
