"""The input contract (docs/data-format.md): which files, which columns, which values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from downline.vocabulary import COMMISSION_TYPES, ORDER_KINDS, STATUSES  # noqa: F401

# Dependency order: a file may refer only to kinds loaded before it (or already in Neo4j).
KINDS = ("distributors", "customers", "orders", "commissions")


@dataclass(frozen=True)
class FileSpec:
    kind: str
    key: str  # the column holding the row's id (commissions may derive one)
    columns: tuple[str, ...]  # must be in the header
    optional: tuple[str, ...]  # may be in the header
    required_values: tuple[str, ...]  # must not be empty


SPECS = {
    "distributors": FileSpec(
        "distributors",
        "distributor_id",
        ("distributor_id", "sponsor_id", "joined_on"),
        ("name", "country", "rank", "status", "left_on", "placement_id", "placement_leg"),
        ("distributor_id", "joined_on"),
    ),
    "customers": FileSpec(
        "customers",
        "customer_id",
        ("customer_id", "referred_by", "joined_on"),
        (),
        ("customer_id", "joined_on"),
    ),
    "orders": FileSpec(
        "orders",
        "order_id",
        ("order_id", "distributor_id", "ordered_on", "amount", "kind"),
        ("customer_id", "volume"),
        ("order_id", "distributor_id", "ordered_on", "amount", "kind"),
    ),
    "commissions": FileSpec(
        "commissions",
        "commission_id",
        ("earner_id", "period", "amount", "type"),
        ("source_id", "order_id", "commission_id"),
        ("earner_id", "period", "amount", "type"),
    ),
}


def recognise(path: Path) -> str | None:
    """The kind a file name announces (`orders-2026-11.csv.gz` -> orders), or None."""
    name = path.name.lower()
    if not (name.endswith(".csv") or name.endswith(".csv.gz")):
        return None
    return next((kind for kind in KINDS if name.startswith(kind)), None)


class BadValue(ValueError):
    """A field that cannot be loaded; the message is the reject reason."""


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERIOD = re.compile(r"(\d{4})-(\d{2})")
_AMOUNT = re.compile(r"-?\d+(\.\d+)?")


def parse_date(column: str, text: str) -> date:
    if not _DATE.fullmatch(text):
        raise BadValue(f"{column} {text!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadValue(f"{column} {text!r} is not a calendar date") from None


def parse_period(column: str, text: str) -> str:
    match = _PERIOD.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise BadValue(f"{column} {text!r} is not a month (YYYY-MM)")
    return text


def period_start(period: str) -> date:
    year, month = period.split("-")
    return date(int(year), int(month), 1)


MAX_CENTS = 2**63 - 1  # Neo4j's integers are 64-bit


def parse_cents(column: str, text: str) -> int:
    """A decimal amount in currency units as exact integer cents; negatives are refused."""
    whole, dot, fraction = text.partition(".")
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if whole.isdecimal() and len(fraction) <= 2 and (fraction.isdecimal() or not dot):
        cents = int(whole) * 100 + int(fraction.ljust(2, "0"))  # the common case, exactly
        if cents > MAX_CENTS:
            raise BadValue(f"{column} {text} is too large")
        return cents
    if not _AMOUNT.fullmatch(text):
        raise BadValue(f"{column} {text!r} is not a decimal amount")
    value = Decimal(text)
    if value < 0:
        raise BadValue(f"{column} {text} is negative")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise BadValue(f"{column} {text} has fractions of a cent")
    if cents > MAX_CENTS:
        raise BadValue(f"{column} {text} is too large")
    return int(cents)


def parse_choice(column: str, text: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        raise BadValue(f"{column} {text!r} is not one of {', '.join(choices)}")
    return text
