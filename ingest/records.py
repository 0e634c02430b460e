"""One raw CSV row -> one normalised record (ids as strings, dates, integer cents), or a reason."""

from __future__ import annotations

import hashlib
from datetime import date

from ingest.formats import (
    COMMISSION_TYPES,
    ORDER_KINDS,
    SPECS,
    STATUSES,
    BadValue,
    parse_cents,
    parse_choice,
    parse_date,
    parse_period,
    period_start,
)


def _clean(raw: dict[str, str]) -> dict[str, str | None]:
    return {key: (value.strip() or None) for key, value in raw.items()}


def _not_future(column: str, value: date, latest: date) -> date:
    if value > latest:
        raise BadValue(f"{column} {value.isoformat()} is in the future (after {latest})")
    return value


def commission_id(earner, period, amount_cents, type_, source, order) -> str:
    """A stable id for a commission row without one: exact repeats collapse, others differ."""
    key = "|".join(str(part or "") for part in (earner, period, amount_cents, type_, source, order))
    return "c-" + hashlib.blake2b(key.encode(), digest_size=10).hexdigest()


def to_record(kind: str, raw: dict[str, str], latest: date) -> dict:
    """Validate and normalise; `latest` is the last acceptable date (today + tolerance)."""
    row = _clean(raw)
    for column in SPECS[kind].required_values:
        if row.get(column) is None:
            raise BadValue(f"missing {column}")
    return _BUILDERS[kind](row, latest)


def _distributor(row, latest) -> dict:
    did = row["distributor_id"]
    joined = _not_future("joined_on", parse_date("joined_on", row["joined_on"]), latest)
    left = row.get("left_on")
    left_on = _not_future("left_on", parse_date("left_on", left), latest) if left else None
    if left_on and left_on < joined:
        raise BadValue(f"left_on {left_on} is before joined_on {joined}")
    sponsor = row.get("sponsor_id")
    if sponsor == did:
        raise BadValue(f"self-sponsorship: {did} names itself as sponsor")
    status = row.get("status")
    status = (
        parse_choice("status", status, STATUSES)
        if status
        else ("inactive" if left_on else "active")
    )
    placement = row.get("placement_id")
    if placement == did:
        raise BadValue(f"self-placement: {did} is placed under itself")
    return {
        "id": did,
        "sponsor_id": sponsor,
        "joined_on": joined,
        "left_on": left_on,
        "name": row.get("name"),
        "country": row.get("country"),
        "rank": row.get("rank"),
        "status": status,
        "placement_id": placement,
        "placement_leg": row.get("placement_leg"),
    }


def _customer(row, latest) -> dict:
    return {
        "id": row["customer_id"],
        "referred_by": row.get("referred_by"),
        "joined_on": _not_future("joined_on", parse_date("joined_on", row["joined_on"]), latest),
    }


def _order(row, latest) -> dict:
    amount = parse_cents("amount", row["amount"])
    volume = row.get("volume")
    return {
        "id": row["order_id"],
        "distributor_id": row["distributor_id"],
        "ordered_on": _not_future(
            "ordered_on", parse_date("ordered_on", row["ordered_on"]), latest
        ),
        "amount_cents": amount,
        "volume_cents": parse_cents("volume", volume) if volume else amount,
        "kind": parse_choice("kind", row["kind"], ORDER_KINDS),
        "customer_id": row.get("customer_id"),
    }


def _commission(row, latest) -> dict:
    period = parse_period("period", row["period"])
    _not_future("period", period_start(period), latest)
    amount = parse_cents("amount", row["amount"])
    type_ = parse_choice("type", row["type"], COMMISSION_TYPES)
    source, order = row.get("source_id"), row.get("order_id")
    return {
        "id": row.get("commission_id")
        or commission_id(row["earner_id"], period, amount, type_, source, order),
        "earner_id": row["earner_id"],
        "period": period,
        "amount_cents": amount,
        "type": type_,
        "source_id": source,
        "order_id": order,
    }


_BUILDERS = {
    "distributors": _distributor,
    "customers": _customer,
    "orders": _order,
    "commissions": _commission,
}
