"""What a run changes in the derived tree values, computed from the part of the tree it touches.

Numbering with gaps: a full numbering spreads the dense pre-order numbers `gap` apart (node i
whose last descendant is j gets [i*gap, j*gap + gap - 1]), so every node owns free numbers no
child uses. A run places what it adds or moves into free numbers of the new sponsor's interval
(a share of its largest free range, so later siblings and nesting still fit); a sponsor without
room has its smallest ancestor subtree that fits relabelled within that ancestor's interval,
and only when no ancestor fits is the whole forest numbered again (`Full`).

Downline sums by deltas along the touched uplines: own changes (totals, status) are added up
the old upline, moved subtrees are detached from it and attached under their new sponsors with
new ones, and levels below are recomputed where a subtree left.

Everything here works on plain data through a `Store` (Neo4j in ingest.derive, dicts in the
tests), so the logic is tested against a full numbering without a server.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from downline.forest import downline_sums, number_arrays

TOP = 1 << 62  # every number is below it
SPAN = 1 << 60  # a full numbering uses [0, SPAN); above it, room for new roots
SHARE = 8  # a placement takes 1/SHARE of the largest free range (all of it if it must)
ROOM = 2  # a subtree is relabelled in an interval of at least ROOM numbers per member
SUMS = ("downline_size", "downline_active", "downline_revenue_cents", "downline_commission_cents")


def full_gap(n: int) -> int:
    """The gap of a full numbering of n distributors: a power of two, n * gap <= SPAN."""
    return 1 << (SPAN // max(n, 1)).bit_length() - 1


def spread(pre, post, gap: int, base: int = 0):
    """Gapped intervals from dense pre-order numbers (arrays or ints)."""
    return base + pre * gap, base + post * gap + gap - 1


@dataclass
class Node:
    """A distributor as stored: derived values of the last run (None for a new one), and its
    own figures as its upline's sums count them: 1, active, revenue, commissions."""

    id: str
    sponsor: str | None  # now
    depth: int | None = None
    pre: int | None = None
    post: int | None = None
    root_id: str | None = None
    recruits: int = 0
    levels: int = 0
    sums: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    own: list[int] = field(default_factory=lambda: [1, 0, 0, 0])

    @property
    def placed(self) -> bool:
        return self.pre is not None

    def row(self) -> tuple:
        """Its derived values, in the order of ROW."""
        return (
            self.depth,
            self.pre,
            self.post,
            self.root_id,
            self.recruits,
            self.levels,
            *self.sums,
        )

    def copy(self) -> Node:
        return replace(self, sums=list(self.sums), own=list(self.own))


ROW = ("depth", "pre", "post", "root_id", "recruits", "downline_levels", *SUMS)


class Store(Protocol):
    def nodes(self, ids) -> dict[str, Node]:
        """The named distributors and their whole uplines now."""

    def subtrees(self, ids) -> dict[str, Node]:
        """The named distributors and everything below them now."""

    def children(self, ids) -> dict[str, list[Node]]:
        """The children now of each named distributor."""

    def end(self) -> int:
        """The largest number in use (-1 when none)."""


class Full(Exception):  # noqa: N818 (a signal, not an error)
    """No interval has room for what the run placed: number the whole forest."""


def changes(
    store: Store,
    stale: dict[str, bool],
    was: dict[str, str | None],
    own: dict[str, list[int]],
) -> dict[str, tuple[Node, tuple]]:
    """The distributors whose derived values change: each with its new values and the
    stored ones (Node.row()).

    `stale`: the distributors added (False) or moved (True) since the last run; `was`: the
    sponsor before the run of each moved one; `own`: changes of the own figures of placed
    distributors, as [0, active, revenue, commissions].
    """
    upline = store.nodes(set(stale) | {w for w in was.values() if w} | set(own))
    below = store.subtrees([d for d, moved in stale.items() if moved])
    below.update((d, upline[d]) for d in stale)
    stored = {d: n.row() for d, n in {**below, **upline}.items()}
    nodes = _sums(store, upline, stale, was, own)
    for did, (numbers, node) in _numbers(store, below, nodes).items():
        stored.setdefault(did, node.row())
        node = nodes.setdefault(did, node.copy())
        node.depth, node.pre, node.post, node.root_id = numbers
    return {d: (n, stored.get(d)) for d, n in nodes.items() if n.row() != stored.get(d)}


def _sums(store, upline, stale, was, own) -> dict[str, Node]:
    """Copies of the upline nodes with their new sums, levels and recruits."""
    nodes = {d: n.copy() for d, n in upline.items()}
    # The forest before the run: moved ones under their old sponsors, added ones nowhere.
    parent = {
        d: (was[d] if d in was else n.sponsor) if n.placed else None for d, n in nodes.items()
    }

    def add(at, values, seen=None):
        while at is not None:
            node = nodes[at]
            node.sums = [a + b for a, b in zip(node.sums, values, strict=True)]
            if seen is not None:
                seen.add(at)
            at = parent[at]

    for did, delta in own.items():
        if nodes[did].placed:
            add(parent[did], delta)
    left: set[str] = set()  # ancestors a subtree left: their levels may shrink
    for did in (d for d, moved in stale.items() if moved):
        add(parent[did], [-v for v in _contribution(nodes[did])], left)
        if parent[did] is not None:
            nodes[parent[did]].recruits -= 1
        parent[did] = None
    for did in stale:  # attached in any order: each brings what is attached below it so far
        node = nodes[did]
        parent[did] = node.sponsor
        if node.sponsor is not None:
            nodes[node.sponsor].recruits += 1
        add(node.sponsor, _contribution(node))
    # Levels bottom-up: from every child where a subtree left, else as stored (the subtree
    # only grew) or more through the children that changed.
    changed = defaultdict(list)
    for did, node in nodes.items():
        if node.sponsor is not None:
            changed[node.sponsor].append(did)
    every = store.children(sorted(left)) if left else {}
    for did in sorted(nodes, key=_heights(nodes).__getitem__, reverse=True):
        node = nodes[did]
        if did in left:
            below = [nodes[c.id].levels if c.id in nodes else c.levels for c in every[did]]
        else:
            below = [node.levels - 1] + [nodes[c].levels for c in changed[did]]
        node.levels = max((v + 1 for v in below), default=0)
    return nodes


def _heights(nodes: dict[str, Node]) -> dict[str, int]:
    """Each node's hops up to the top of the upline now (its depth)."""
    height: dict[str, int] = {}
    for did in nodes:
        path = []
        while did is not None and did not in height:
            path.append(did)
            did = nodes[did].sponsor
        above = -1 if did is None else height[did]
        for at in reversed(path):
            above += 1
            height[at] = above
    return height


def _contribution(node: Node) -> list[int]:
    return [a + b for a, b in zip(node.own, node.sums, strict=True)]


def _numbers(store, below, nodes) -> dict[str, tuple[tuple, Node]]:
    """New (depth, pre, post, root_id) of the added and moved subtrees, and of any subtree
    relabelled to make room, with the stored node of each."""
    kids = defaultdict(list)
    for did, node in below.items():
        kids[node.sponsor].append(did)
    groups = {p: roots for p, roots in kids.items() if p not in below}  # by new sponsor
    taken = {
        p: [(c.pre, c.post) for c in cs if c.id not in below]
        for p, cs in store.children(sorted(p for p in groups if p is not None)).items()
    }
    rooms, relabel = {}, set()
    for p, roots in groups.items():
        need = sum(len(_walk(r, kids)) for r in roots)
        if p is None:
            room = _allocate(store.end() + 1, TOP - 1, [], need)
            if room is None:
                raise Full("no room for new roots")
        else:
            room = _allocate(nodes[p].pre + 1, nodes[p].post, taken.get(p, []), need)
        if room is None:
            relabel.add(_roomy(p, nodes))
        else:
            rooms[p] = room
    # Only the outermost relabelled subtrees; what was placed inside them goes with them.
    relabel = {a for a in relabel if not any(b in relabel for b in _up(nodes[a].sponsor, nodes))}
    out = {}
    for p, (base, gap) in rooms.items():
        if p is None:
            depth, root = 0, None
        elif any(a in relabel for a in _up(p, nodes)):
            continue
        else:
            depth, root = nodes[p].depth + 1, nodes[p].root_id
        members = {d: below[d] for r in groups[p] for d in _walk(r, kids)}
        out.update(_layout(members, base, gap, depth, root))
    if relabel:
        everything = {**store.subtrees(sorted(relabel)), **below}
        under = defaultdict(list)
        for did, node in everything.items():
            under[node.sponsor].append(did)
        for a in relabel:
            members = {d: everything[d] for d in _walk(a, under)}
            top = nodes[a]
            gap = (top.post - top.pre + 1) // len(members)
            out.update(_layout(members, top.pre, gap, top.depth, top.root_id))
    return out


def _walk(root: str, kids) -> list[str]:
    """`root` and everything below it in `kids` (sponsor -> ids)."""
    found, stack = [], [root]
    while stack:
        did = stack.pop()
        found.append(did)
        stack.extend(kids.get(did, ()))
    return found


def _up(did, nodes):
    """`did` and its upline now."""
    while did is not None:
        yield did
        did = nodes[did].sponsor


def _roomy(did, nodes) -> str:
    """The nearest of `did` and its upline whose interval holds its subtree with room."""
    for at in _up(did, nodes):
        node = nodes[at]
        if node.post - node.pre + 1 >= ROOM * (node.sums[0] + 1):
            return at
    raise Full(f"no interval above {did} has room")


def _allocate(lo: int, hi: int, taken, need: int) -> tuple[int, int] | None:
    """(base, gap) for `need` distributors in the largest range of lo..hi that `taken`
    intervals leave free: a SHARE of it when that holds them, else all of it; None if even
    all of it does not."""
    best, at = (0, lo), lo  # (length, start)
    for start, end in sorted(taken):
        best = max(best, (start - at, at))
        at = max(at, end + 1)
    length, start = max(best, (hi - at + 1, at))
    take = length // SHARE if length // SHARE >= need else length
    if take < need:
        return None
    return start, take // need


def _layout(members: dict[str, Node], base: int, gap: int, depth: int, root_id):
    """Gapped pre-order numbers of a forest (roots: members whose sponsor is not a member)
    from `base`, its roots at `depth` under `root_id` (None: each root is its own)."""
    ids = sorted(members)
    index = {did: i for i, did in enumerate(ids)}
    parent = np.array([index.get(members[d].sponsor, -1) for d in ids], dtype=np.int64)
    levels, pre, post, root = number_arrays(parent, np.arange(len(ids)))
    return {
        did: (
            (
                depth + int(levels[i]),
                base + int(pre[i]) * gap,
                base + int(post[i]) * gap + gap - 1,
                root_id or ids[root[i]],
            ),
            members[did],
        )
        for i, did in enumerate(ids)
    }


def numbered(parent, active, revenue, earned) -> dict[str, np.ndarray]:
    """Every derived value of a whole forest (`parent`: index of the sponsor, -1 for a root;
    siblings in index order), numbered with the gap of its size. `root` is an index."""
    parent = np.asarray(parent, dtype=np.int64)
    depth, pre, post, root = number_arrays(parent, np.arange(len(parent)))
    sums = downline_sums(pre, post, depth, parent, active, revenue, earned)
    start, end = spread(pre, post, full_gap(len(parent)))
    recruits = np.bincount(parent[parent >= 0], minlength=len(parent))
    return {
        "depth": depth,
        "pre": start,
        "post": end,
        "root": root,
        "recruits": recruits,
        **sums,
    }
