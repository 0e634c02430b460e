from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.formats import BadValue, parse_cents, parse_date, parse_period, recognise
from ingest.records import commission_id, to_record

LATEST = date(2026, 11, 29)


@pytest.mark.parametrize(
    "text, cents",
    [
        ("0", 0),
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("0.01", 1),
        ("1234567.89", 123456789),
    ],
)
def test_amounts_become_exact_integer_cents(text, cents):
    assert parse_cents("amount", text) == cents


@pytest.mark.parametrize(
    "text, reason",
    [
        ("-1", "negative"),
        ("1.999", "fractions of a cent"),
        ("1,000", "not a decimal"),
        ("1e3", "not a decimal"),
        ("ten", "not a decimal"),
        ("", "not a decimal"),
        ("92233720368547758.08", "too large"),  # one cent more than a 64-bit integer holds
        ("1" + "0" * 30, "too large"),
    ],
)
def test_bad_amounts_say_why(text, reason):
    with pytest.raises(BadValue, match=reason):
        parse_cents("amount", text)


def test_dates_must_be_iso_calendar_dates():
    assert parse_date("d", "2024-02-29") == date(2024, 2, 29)
    with pytest.raises(BadValue, match="not a calendar date"):
        parse_date("d", "2023-02-29")
    with pytest.raises(BadValue, match="not an ISO date"):
        parse_date("d", "20240101")
    assert parse_period("p", "2024-12") == "2024-12"
    with pytest.raises(BadValue, match="not a month"):
        parse_period("p", "2024-13")
    with pytest.raises(BadValue, match="not a month"):
        parse_period("p", "0000-05")  # there is no year 0 (it used to crash the run)
    assert parse_cents("a", "92233720368547758.07") == 2**63 - 1


@pytest.mark.parametrize(
    "name, kind",
    [
        ("distributors.csv", "distributors"),
        ("orders-2026-11.csv.gz", "orders"),
        ("Commissions_nov.CSV", "commissions"),
        ("customers.txt", None),
        ("sales.csv", None),
    ],
)
def test_files_are_recognised_by_name(name, kind):
    assert recognise(Path(name)) == kind


def test_distributor_row_defaults_and_checks():
    row = {"distributor_id": " D1 ", "sponsor_id": "", "joined_on": "2024-01-02"}
    record = to_record("distributors", row, LATEST)
    assert record["id"] == "D1" and record["sponsor_id"] is None
    assert record["status"] == "active"
    left = to_record("distributors", {**row, "left_on": "2024-03-01"}, LATEST)
    assert left["status"] == "inactive" and left["left_on"] == date(2024, 3, 1)
    with pytest.raises(BadValue, match="before joined_on"):
        to_record("distributors", {**row, "left_on": "2023-03-01"}, LATEST)
    with pytest.raises(BadValue, match="self-sponsorship"):
        to_record("distributors", {**row, "sponsor_id": "D1"}, LATEST)
    with pytest.raises(BadValue, match="in the future"):
        to_record("distributors", {**row, "joined_on": "2026-12-25"}, LATEST)
    with pytest.raises(BadValue, match="missing distributor_id"):
        to_record("distributors", {**row, "distributor_id": "  "}, LATEST)


def test_order_volume_defaults_to_the_amount_and_kind_is_checked():
    row = {
        "order_id": "O1",
        "distributor_id": "D1",
        "ordered_on": "2024-01-02",
        "amount": "19.99",
        "kind": "retail",
    }
    record = to_record("orders", row, LATEST)
    assert (record["amount_cents"], record["volume_cents"]) == (1999, 1999)
    assert to_record("orders", {**row, "volume": "10"}, LATEST)["volume_cents"] == 1000
    with pytest.raises(BadValue, match="kind 'gift' is not one of"):
        to_record("orders", {**row, "kind": "gift"}, LATEST)


def test_commissions_without_an_id_get_a_stable_one():
    row = {
        "earner_id": "D1",
        "period": "2024-05",
        "amount": "3.10",
        "type": "level",
        "source_id": "D2",
    }
    first = to_record("commissions", row, LATEST)["id"]
    assert first == to_record("commissions", dict(row), LATEST)["id"]
    assert first == commission_id("D1", "2024-05", 310, "level", "D2", None)
    assert first != to_record("commissions", {**row, "amount": "3.11"}, LATEST)["id"]
    with pytest.raises(BadValue, match="type 'bonus' is not one of"):
        to_record("commissions", {**row, "type": "bonus"}, LATEST)
