"""Pure checks on the sponsor tree of one load merged with the tree already in Neo4j.

Rejects: sponsors and placements that exist nowhere, sponsor cycles (every member, with the
cycle spelled out), and every distributor whose upline runs into a rejected row that is not
already in the database (the chain is in the reason).
"""

from __future__ import annotations

from collections.abc import Mapping


def check_tree(
    rows: Mapping[str, str | None],
    placements: Mapping[str, str | None],
    existing: Mapping[str, str | None],
    rejected: Mapping[str, str],
) -> dict[str, str]:
    """Reasons for newly rejected distributor ids.

    rows: id -> sponsor id (None for a root) of the valid rows of this load;
    placements: id -> placement id for those rows that name one;
    existing: id -> sponsor id of the distributors already in the database;
    rejected: id -> reason, rows of this load already rejected for their own fields.
    """
    reasons: dict[str, str] = {}
    for did, sponsor in rows.items():
        if sponsor is not None and sponsor not in rows and sponsor not in existing:
            reasons[did] = _unknown_reason("sponsor", sponsor, rejected)
    for did, placement in placements.items():
        if did not in reasons and placement not in rows and placement not in existing:
            reasons[did] = _unknown_reason("placement", placement, rejected)

    def parent(did: str) -> str | None:
        return rows[did] if did in rows else existing.get(did)

    for cycle in _cycles(rows, parent):
        text = " -> ".join([*cycle, cycle[0]])
        for did in cycle:
            if did in rows:
                reasons.setdefault(did, f"sponsor cycle: {text}")

    # A row whose sponsor chain (within this load) reaches a rejected row that the database
    # does not already hold would hang from nothing. Database rows are alive whatever happens.
    dead = {d: r for d, r in {**rejected, **reasons}.items() if d not in existing}
    memo: dict[str, tuple[str, ...] | None] = {}
    for did in rows:
        if did in reasons:
            continue
        chain = _chain_to_dead(did, rows, existing, dead, memo)
        if chain:
            cause = chain[-1]
            reasons[did] = f"upline rejected: {' -> '.join((did, *chain))} ({cause}: {dead[cause]})"
    return reasons


def _unknown_reason(what: str, ref: str, rejected: Mapping[str, str]) -> str:
    if ref in rejected:
        return f"{what} {ref} was rejected: {rejected[ref]}"
    return f"unknown {what} {ref}"


def _cycles(rows: Mapping[str, str | None], parent) -> list[list[str]]:
    """Every sponsor cycle that passes through a row of this load, each listed once."""
    state: dict[str, int] = {}  # 1 on the current walk, 2 finished
    found: list[list[str]] = []
    for start in rows:
        if start in state:
            continue
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = parent(node)
        if node is not None and state.get(node) == 1:
            found.append(walk[walk.index(node) :])
        for member in walk:
            state[member] = 2
    return found


def _chain_to_dead(did, rows, existing, dead, memo) -> tuple[str, ...] | None:
    """(sponsor, ..., first dead ancestor) of did, or None when its upline is sound."""
    path: list[str] = []
    node = rows.get(did)
    while True:
        if node is None or (node in existing and node not in dead):
            tail = None
            break
        if node in dead:
            tail = (node,)
            break
        if node in memo:
            tail = memo[node]
            break
        path.append(node)
        node = rows.get(node)
    for ancestor in reversed(path):
        tail = memo[ancestor] = (ancestor, *tail) if tail else None
    return tail
