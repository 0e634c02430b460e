"""Sums over every subtree of a set of distributors at once, from their pre-order numbers.

d is in r's subtree exactly when r.pre <= d.pre <= r.post, so with the rows sorted by `pre` a
subtree is a run of rows and its sum the difference of two cumulative sums: one sort when built,
then one pass per column summed, for all subtrees together. The rows may be any subset of the
numbered tree (as filters leave it): a subtree holds the rows its interval covers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


class Subtrees:
    """One subtree per row, given the rows' unique `pre` and their `post` numbers: the row
    itself and the rows in its interval; `ids_of(rows)` names the roots of those reported."""

    def __init__(self, pre: np.ndarray, post: np.ndarray, ids_of: Callable[[np.ndarray], list]):
        self.ids_of = ids_of
        pre, post = np.asarray(pre, dtype=np.int64), np.asarray(post, dtype=np.int64)
        ascending = len(pre) < 2 or bool((pre[1:] > pre[:-1]).all())
        self.order = None if ascending else np.argsort(pre, kind="stable")  # None: as given
        # A subtree is the run of rows from its root to the last whose pre number is at most
        # its root's post (numbers have gaps: the ingest leaves room between them).
        ordered = pre if self.order is None else pre[self.order]
        self.start = np.searchsorted(ordered, pre, side="left")
        self.end = np.searchsorted(ordered, post, side="right")
        self.sizes = self.end - self.start

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per row, the sum of `values` (row order) over its subtree."""
        ordered = values if self.order is None else values[self.order]
        running = np.concatenate([[0], np.cumsum(ordered)])
        return running[self.end] - running[self.start]

    def furthest(
        self,
        part: np.ndarray,
        whole: np.ndarray,
        past: Callable[[np.ndarray], np.ndarray],
        min_size: int,
        top: int,
    ) -> pd.DataFrame:
        """The `top` subtrees of at least `min_size` rows whose ratio of the subtree sums `part`
        over `whole` (from `sums`) is furthest past a line (`past` of the ratios: larger is
        further; ties: the larger subtree, then the root's id), as root, distributors, value,
        past. A zero denominator has no ratio: left out."""
        rows = np.flatnonzero((self.sizes >= min_size) & (whole != 0))
        value = part[rows] / whole[rows]
        beyond = past(value)
        if len(rows) > top > 0:  # only the rows that can make the top `top` need ids and a sort
            near = beyond >= np.partition(beyond, len(beyond) - top)[len(beyond) - top]
            rows, value, beyond = rows[near], value[near], beyond[near]
            # Many may tie on how far past they are: keep the ones that can still win the
            # ties on size before the ids are looked up.
            order = np.lexsort((-self.sizes[rows], -beyond))
            last = order[top - 1]
            keep = (beyond > beyond[last]) | (
                (beyond == beyond[last]) & (self.sizes[rows] >= self.sizes[rows][last])
            )
            rows, value, beyond = rows[keep], value[keep], beyond[keep]
        found = pd.DataFrame(
            {
                "root": self.ids_of(rows),
                "distributors": self.sizes[rows],
                "value": value,
                "past": beyond,
            }
        )
        found = found.sort_values(
            ["past", "distributors", "root"], ascending=[False, False, True], kind="stable"
        )
        return found.head(top).reset_index(drop=True)
