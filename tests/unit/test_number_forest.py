from __future__ import annotations

import random

from downline.forest import number_forest


def _brute_force(sponsors):
    depth, root, subtree = {}, {}, {d: {d} for d in sponsors}
    for d in sponsors:
        node, hops = d, 0
        while sponsors[node] is not None:
            node = sponsors[node]
            hops += 1
            subtree[node].add(d)
        depth[d], root[d] = hops, node
    return depth, root, subtree


def test_intervals_contain_exactly_each_subtree():
    rng = random.Random(5)
    sponsors = {"R1": None, "R2": None}
    for i in range(400):
        sponsors[f"D{i:03d}"] = rng.choice(list(sponsors))
    numbers = number_forest(sponsors)
    depth, root, subtree = _brute_force(sponsors)
    pres = sorted(n[1] for n in numbers.values())
    assert pres == list(range(len(sponsors)))
    for d, (dep, pre, post, root_id) in numbers.items():
        assert (dep, root_id) == (depth[d], root[d])
        inside = {o for o, n in numbers.items() if pre <= n[1] <= post}
        assert inside == subtree[d]


def test_a_deep_chain_is_numbered_without_recursion():
    sponsors = {"C0": None, **{f"C{i}": f"C{i - 1}" for i in range(1, 6000)}}
    numbers = number_forest(sponsors)
    assert numbers["C5999"] == (5999, 5999, 5999, "C0")
    assert numbers["C0"] == (0, 0, 5999, "C0")
