"""Building the snapshot from a run's rows: stable indexes, the layout in pre order."""

from __future__ import annotations

from datetime import date

from downline import snapshot
from ingest.snapshot import Delta, build


def test_a_build_keeps_stable_indexes_and_facts_when_distributors_move():
    """Facts name distributors by a stable index: a run that only moves distributors changes
    the distributor table and the per-owner indexes, and no fact."""
    first = Delta()
    first.add_records(
        "distributors",
        [
            {"id": "A", "sponsor_id": None, "joined_on": date(2024, 1, 1), "status": "active"},
            {"id": "B", "sponsor_id": "A", "joined_on": date(2024, 1, 1), "status": "active"},
            {"id": "C", "sponsor_id": "B", "joined_on": date(2024, 1, 1), "status": "active"},
        ],
    )
    first.add_records(
        "orders",
        [
            {
                "id": "O1",
                "distributor_id": "C",
                "ordered_on": date(2024, 2, 1),
                "kind": "retail",
                "amount_cents": 500,
                "volume_cents": 500,
            },
        ],
    )
    before = build(first)
    move = Delta()
    move.add_records(
        "distributors",
        [{"id": "C", "sponsor_id": "A", "joined_on": date(2024, 1, 1), "status": "active"}],
    )
    version = snapshot.Version(None, {}, before)
    after = build(move, version)
    assert after["orders"].equals(before["orders"])
    assert after["positions"].column("row").to_pylist() == [0, 1, 2]  # C still after B
    assert after["distributors"].column("depth").to_pylist() == [0, 1, 1]
    assert after["distributors"].column("sponsor").to_pylist() == [-1, 0, 0]


def test_a_commission_naming_no_order_is_not_taken_for_an_order_without_an_id():
    """Read back from Neo4j, orders come without ids and commissions with their order's kind
    (or none): a null must not match a null."""
    delta = Delta()
    delta.add_records(
        "distributors",
        [{"id": "A", "sponsor_id": None, "joined_on": date(2024, 1, 1), "status": "active"}],
    )
    delta.add_records(
        "orders",
        [
            {
                "distributor_id": "A",
                "ordered_on": date(2024, 2, 1),
                "kind": "retail",
                "amount_cents": 500,
                "volume_cents": 500,
            }
        ],
    )
    delta.add_records(
        "commissions",
        [
            {"earner_id": "A", "period": "2024-02", "type": "level", "amount_cents": 10},
            {
                "earner_id": "A",
                "period": "2024-02",
                "type": "level",
                "amount_cents": 20,
                "order_kind": "personal",
            },
        ],
    )
    built = build(delta)
    assert built["commissions"].column("trigger").to_pylist() == [-1, 1]
