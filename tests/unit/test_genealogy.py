from __future__ import annotations

from ingest.genealogy import check_tree


def test_a_sound_tree_with_a_sponsor_later_in_the_file_passes():
    rows = {"B": "A", "A": None, "C": "B"}
    assert check_tree(rows, {}, {}, {}) == {}


def test_unknown_sponsor_and_its_downline_are_rejected_with_the_chain():
    rows = {"A": None, "H": "ZZ", "I": "H", "J": "I"}
    reasons = check_tree(rows, {}, {}, {})
    assert reasons["H"] == "unknown sponsor ZZ"
    assert reasons["I"] == "upline rejected: I -> H (H: unknown sponsor ZZ)"
    assert reasons["J"] == "upline rejected: J -> I -> H (H: unknown sponsor ZZ)"
    assert "A" not in reasons


def test_every_member_of_a_cycle_is_rejected_and_the_cycle_spelled_out():
    rows = {"D": "E", "E": "F", "F": "D", "G": "F"}
    reasons = check_tree(rows, {}, {}, {})
    for member in "DEF":
        assert reasons[member] == "sponsor cycle: D -> E -> F -> D"
    assert reasons["G"].startswith("upline rejected: G -> F (F: sponsor cycle")


def test_a_transfer_that_closes_a_cycle_through_the_database_is_rejected():
    existing = {"R": None, "X": "R", "Y": "X"}
    reasons = check_tree({"X": "Y"}, {}, existing, {})
    assert reasons == {"X": "sponsor cycle: X -> Y -> X"}


def test_sponsors_in_the_database_count_and_rejected_updates_of_them_do_not_cascade():
    existing = {"R": None, "P": "R"}
    # P's own row is rejected (bad field), but P is in the database: its recruits are fine.
    reasons = check_tree({"C": "P"}, {}, existing, {"P": "joined_on 'x' is not an ISO date"})
    assert reasons == {}


def test_a_field_rejected_sponsor_not_in_the_database_takes_its_downline_with_it():
    reasons = check_tree({"C": "P"}, {}, {}, {"P": "missing joined_on"})
    assert reasons["C"] == "sponsor P was rejected: missing joined_on"


def test_unknown_placement_is_rejected():
    reasons = check_tree({"A": None, "B": "A"}, {"B": "Q"}, {}, {})
    assert reasons == {"B": "unknown placement Q"}


def test_a_chain_thousands_deep_is_checked_without_recursion():
    rows = {f"N{i}": (f"N{i - 1}" if i else "MISSING") for i in range(5000)}
    reasons = check_tree(rows, {}, {}, {})
    assert len(reasons) == 5000
    assert reasons["N4999"].endswith("(N0: unknown sponsor MISSING)")
