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


def test_downline_sums_equal_a_walk_of_every_subtree():
    import random

    from downline.forest import downline_sums

    rng = random.Random(7)
    ids = [f"N{i}" for i in range(400)]
    sponsors = {d: (None if i % 97 == 0 else ids[rng.randrange(i)]) for i, d in enumerate(ids)}
    sponsors["N0"] = None
    numbers = number_forest(sponsors)
    index = {d: i for i, d in enumerate(ids)}
    active = [rng.random() < 0.6 for _ in ids]
    revenue = [rng.randrange(10_000) for _ in ids]
    earned = [rng.randrange(5_000) for _ in ids]
    sums = downline_sums(
        [numbers[d][1] for d in ids],
        [numbers[d][2] for d in ids],
        [numbers[d][0] for d in ids],
        [index[sponsors[d]] if sponsors[d] else -1 for d in ids],
        active,
        revenue,
        earned,
    )
    children = {d: [c for c, s in sponsors.items() if s == d] for d in ids}
    for d in ids:
        below, stack = [], list(children[d])
        while stack:
            node = stack.pop()
            below.append(node)
            stack.extend(children[node])
        i = index[d]
        assert sums["downline_size"][i] == len(below)
        assert sums["downline_active"][i] == sum(active[index[b]] for b in below)
        assert sums["downline_revenue_cents"][i] == sum(revenue[index[b]] for b in below)
        assert sums["downline_commission_cents"][i] == sum(earned[index[b]] for b in below)
        deepest = max((numbers[b][0] for b in below), default=numbers[d][0])
        assert sums["downline_levels"][i] == deepest - numbers[d][0]


def _depth_first(sponsors):
    """The numbering as a plain depth-first walk, children in id order: the oracle."""
    children = {}
    for did in sorted(sponsors):
        children.setdefault(sponsors[did], []).append(did)
    numbers, counter = {}, 0
    for root in children.get(None, []):
        stack = [(root, 0, False)]
        pre_of = {}
        while stack:
            node, depth, entered = stack.pop()
            if entered:
                numbers[node] = (depth, pre_of.pop(node), counter - 1, root)
                continue
            pre_of[node] = counter
            counter += 1
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in reversed(children.get(node, [])))
    return numbers


def test_the_vectorised_numbering_is_the_depth_first_one():
    for seed in range(30):
        rng = random.Random(seed)
        sponsors = {f"R{i}": None for i in range(rng.randint(1, 4))}
        for i in range(rng.randint(0, 300)):
            # ids that sort differently from their creation order; a few unreachable ones
            did = f"{rng.choice('ABCxyz')}{rng.randint(0, 10**6)}"
            sponsors.setdefault(
                did, rng.choice([*sponsors, "gone"] if i % 50 == 7 else list(sponsors))
            )
        sponsors = {d: (None if s is None else s) for d, s in sponsors.items()}
        unreachable = {d for d in sponsors if _chain_leaves(sponsors, d)}
        expected = _depth_first({d: s for d, s in sponsors.items() if d not in unreachable})
        assert number_forest(sponsors) == expected


def _chain_leaves(sponsors, did):
    """Whether following sponsors from `did` leaves the forest."""
    while did is not None:
        if did not in sponsors:
            return True
        did = sponsors[did]
    return False
