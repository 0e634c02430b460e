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
    """One subtree per row of a frame with `id`, unique `pre` and `post`, in frame order: the
    row itself and the rows in its interval."""

    def __init__(self, frame: pd.DataFrame):
        self.ids = frame.id.to_numpy()
        pre = frame.pre.to_numpy()
        self.order = np.argsort(pre, kind="stable")
        ordered = pre[self.order]
        self.start = np.empty(len(pre), dtype=np.intp)
        self.start[self.order] = np.arange(len(pre))  # pre numbers are unique
        self.end = np.empty(len(pre), dtype=np.intp)  # searched in pre order: cache-friendly
        self.end[self.order] = np.searchsorted(
            ordered, frame.post.to_numpy()[self.order], side="right"
        )
        self.sizes = self.end - self.start

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per row, the sum of `values` (frame order) over its subtree."""
        running = np.concatenate([[0], np.cumsum(values[self.order])])
        return running[self.end] - running[self.start]

    def furthest(
        self,
        numerator: np.ndarray,
        denominator: np.ndarray,
        past: Callable[[np.ndarray], np.ndarray],
        min_size: int,
        top: int,
    ) -> pd.DataFrame:
        """The `top` subtrees of at least `min_size` rows whose ratio of sums is furthest past a
        line (`past` of the ratios: larger is further; ties: the larger subtree, then the root's
        id), as root, distributors, value, past. A zero denominator has no ratio: left out."""
        part, whole = self.sums(numerator), self.sums(denominator)
        keep = (self.sizes >= min_size) & (whole != 0)
        value = part[keep] / whole[keep]
        beyond = past(value)
        found = pd.DataFrame(
            {
                "root": self.ids[keep],
                "distributors": self.sizes[keep],
                "value": value,
                "past": beyond,
            }
        )
        if len(found) > top > 0:  # only the rows that can make the top `top` need a full sort
            found = found[beyond >= np.partition(beyond, len(beyond) - top)[len(beyond) - top]]
        found = found.sort_values(
            ["past", "distributors", "root"], ascending=[False, False, True], kind="stable"
        )
        return found.head(top).reset_index(drop=True)
