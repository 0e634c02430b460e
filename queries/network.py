"""The distributors a view covers and what they did in its period, as aligned arrays.

Both engines (Cypher, and the columnar snapshot: queries/sources.py) hand every metric the
same `Network`, built by the same `cover`: which candidates a root, an as-of day and a status
filter leave, their levels and pre-order intervals in the tree asked, and their recruits. So
the two engines differ only in how they read the facts, and a test can hold them to equal
answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from downline.calendar import day_number
from downline.errors import DownlineError
from downline.forest import number_arrays
from queries.filters import Filters

EVERYWHERE = (0, np.iinfo(np.int64).max)  # the pre numbers of the whole forest


def no_such_distributor(did: str) -> DownlineError:
    return DownlineError(f"no distributor {did}")


@dataclass(frozen=True)
class Candidates:
    """Every distributor a view may cover, keyed by position: the ids, the sponsor's position
    (-1: none), the stored tree numbers, join and leave days, whether the status is active,
    and the positions in order of the stored `pre`."""

    ids: pa.Array
    sponsor: np.ndarray
    depth: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    joined: np.ndarray
    left: np.ndarray
    active: np.ndarray
    by_pre: np.ndarray
    id_rank: np.ndarray | None = None  # each id's place in sorted order, when known
    recruits: np.ndarray | None = None  # direct recruits in the stored tree, when known

    def __len__(self) -> int:
        return len(self.ids)

    def ranks(self) -> np.ndarray:
        if self.id_rank is not None:
            return self.id_rank
        rank = np.empty(len(self), dtype=np.int64)
        rank[pc.sort_indices(self.ids).to_numpy()] = np.arange(len(self))
        return rank


@dataclass(frozen=True)
class Changes:
    """Sponsor changes by candidate position: who moved, from whom (-1: no sponsor), when."""

    distributor: np.ndarray
    before: np.ndarray
    day: np.ndarray


@dataclass(frozen=True)
class _Tree:
    sponsor: np.ndarray
    depth: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    by_pre: np.ndarray  # positions of the tree's members in pre order
    active: np.ndarray


@dataclass(frozen=True)
class Cover:
    """What a view covers: candidate positions in pre order of the tree asked, with levels,
    intervals in that tree, whether each counts as active, and its recruits in that tree;
    `tree` and `span` (the pre numbers of the tree asked) place any candidate."""

    members: np.ndarray
    level: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    active: np.ndarray
    recruits: np.ndarray
    tree: _Tree
    span: tuple[int, int]
    base: int

    @property
    def whole_forest(self) -> bool:
        """No root was asked: every tree of the forest is covered."""
        return self.span == EVERYWHERE

    def levels_of(self, positions: np.ndarray) -> np.ndarray:
        """The level in the tree asked of each candidate position (-1: a position of -1, or
        outside that tree); a distributor left out by the status filter keeps its level."""
        return self._levels[positions]  # its last entry answers position -1

    @cached_property
    def _levels(self) -> np.ndarray:
        """Every candidate's level in the tree asked (-1 outside it), and a last -1."""
        pre = self.tree.pre
        inside = (pre >= self.span[0]) & (pre <= self.span[1])
        levels = np.where(inside, self.tree.depth - self.base, -1).astype(np.int32)
        return np.append(levels, np.int32(-1))


def cover(
    candidates: Candidates, root: str | None, filters: Filters, changes: Changes | None = None
) -> Cover:
    """The covered distributors. For the tree as it is, the stored numbers; for the tree on a
    day, the distributors who had joined by then under their sponsors of then, renumbered
    (roots and siblings in id order, as the ingest numbers a whole forest). Recruits are
    counted before the status filter; a root must be a candidate (and have joined by the as-of
    day)."""
    if filters.as_of is None:
        tree = _Tree(
            candidates.sponsor,
            candidates.depth,
            candidates.pre,
            candidates.post,
            candidates.by_pre,
            candidates.active,
        )
    else:
        tree = _tree_on(candidates, changes, day_number(filters.as_of))
    members, base, span = tree.by_pre, 0, EVERYWHERE
    if root is not None:
        at = _position(candidates, root)
        if tree.pre[at] < 0:
            raise DownlineError(f"{root} had not joined by {filters.as_of}")
        base, span = int(tree.depth[at]), (int(tree.pre[at]), int(tree.post[at]))
        # by_pre lists the tree in pre order, so a subtree is one run of it
        ordered = tree.pre[tree.by_pre]
        first = int(np.searchsorted(ordered, span[0]))
        members = tree.by_pre[first : int(np.searchsorted(ordered, span[1], side="right"))]
    if filters.as_of is None and candidates.recruits is not None:
        recruits = candidates.recruits[members].astype(np.int64)  # all of them are inside
    else:
        recruits = _recruits(tree.sponsor, members, len(candidates))
    if filters.active_only:
        keep = tree.active[members]
        members, recruits = members[keep], recruits[keep]
    return Cover(
        members=members,
        level=(tree.depth[members] - base).astype(np.int64),
        pre=tree.pre[members].astype(np.int64),
        post=tree.post[members].astype(np.int64),
        active=tree.active[members],
        recruits=recruits,
        tree=tree,
        span=span,
        base=base,
    )


def _tree_on(candidates: Candidates, changes: Changes | None, day: int) -> _Tree:
    """The forest of those who had joined by `day`, each under the sponsor it had then: the
    earliest later change of each distributor says whom it moved from."""
    joined = candidates.joined <= day
    sponsor = np.array(candidates.sponsor, dtype=np.int64)
    if changes is not None and len(changes.day):
        later = np.flatnonzero(changes.day > day)
        later = later[np.argsort(changes.day[later], kind="stable")]
        moved, first = np.unique(changes.distributor[later], return_index=True)
        sponsor[moved] = changes.before[later[first]]
    sponsor[~joined] = -2  # not in the forest of then
    orphan = joined & (sponsor >= 0)
    orphan[orphan] = ~joined[sponsor[orphan]]
    sponsor[orphan] = -1  # a sponsor who joined later: a root then
    depth, pre, post, _ = number_arrays(sponsor, candidates.ranks())
    kept = np.flatnonzero(pre >= 0)
    return _Tree(
        sponsor=np.where(sponsor >= 0, sponsor, -1),
        depth=depth,
        pre=pre,
        post=post,
        by_pre=kept[np.argsort(pre[kept])],
        active=candidates.left > day,
    )


def _position(candidates: Candidates, did: str) -> int:
    at = pc.index(candidates.ids, did).as_py()
    if at < 0:
        raise no_such_distributor(did)
    return at


def _recruits(sponsor: np.ndarray, members: np.ndarray, n: int) -> np.ndarray:
    """Per member, how many members name it as their sponsor."""
    covered = np.zeros(n, dtype=bool)
    covered[members] = True
    ups = sponsor[members]
    ups = ups[(ups >= 0)]
    ups = ups[covered[ups]]
    return np.bincount(ups, minlength=n)[members].astype(np.int64)
