from __future__ import annotations

import math

from dashboard.tree_layout import X_GAP, Y_GAP, radial, tidy_positions


def test_parents_sit_over_their_children_and_levels_are_rows():
    parents = {"r": None, "a": "r", "b": "r", "a1": "a", "a2": "a", "b1": "b"}
    at = tidy_positions(parents)
    assert set(at) == set(parents)
    for node, parent in parents.items():
        if parent:
            assert at[node][1] == at[parent][1] + Y_GAP
    assert at["a"][0] == (at["a1"][0] + at["a2"][0]) / 2
    assert at["b"][0] == at["b1"][0]
    assert at["r"][0] == (at["a"][0] + at["b"][0]) / 2
    leaves = sorted(at[n][0] for n in ("a1", "a2", "b1"))
    assert [b - a for a, b in zip(leaves, leaves[1:], strict=False)] == [X_GAP, X_GAP]


def test_no_two_nodes_overlap_and_an_outside_parent_makes_a_top():
    parents = {f"n{i}": (f"n{(i - 1) // 3}" if i else "outside") for i in range(40)}
    at = tidy_positions(parents)
    assert at["n0"][1] == 0
    assert len(set(at.values())) == len(parents)


def test_a_deep_chain_does_not_recurse():
    parents = {str(i): (str(i - 1) if i else None) for i in range(5000)}
    at = tidy_positions(parents)
    assert at["4999"] == (0.0, 4999 * Y_GAP)


def test_rings_put_each_level_at_its_own_distance_from_the_top():
    parents = {"r": None, **{f"c{i}": "r" for i in range(200)}, "g": "c7"}
    at = radial(tidy_positions(parents), ring=100.0)
    assert at["r"] == (0.0, 0.0)
    assert all(math.isclose(math.hypot(*at[f"c{i}"]), 100.0) for i in range(200))
    assert math.isclose(math.hypot(*at["g"]), 200.0)
    assert len({(round(x, 6), round(y, 6)) for x, y in at.values()}) == len(parents)
