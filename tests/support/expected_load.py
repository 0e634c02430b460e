"""The oracle's input: CSV folders read as `downline ingest` would load them, one run each.

Plain Python over the files (docs/data-format.md), nothing from ingest/ or queries/: which files
a folder holds and in which order, amounts as exact integer cents, a later distributors row
refreshing the earlier one, a changed sponsor recorded as a transfer dated with the run's as-of
day, orders and commissions as facts whose repeats change nothing.

The input is taken to be clean (as `downline demo generate` writes it, or as a test writes it):
what the ingest would reject (unknown references, conflicting repeats, cycles) is raised here as
`BadInput` rather than judged, so a test never compares against a silently different network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

# Copied from ingest/formats.py (KINDS): the dependency order of the kinds in a folder.
KINDS = ("distributors", "customers", "orders", "commissions")


class BadInput(ValueError):
    """Something the oracle does not judge: the ingest would reject it, the oracle refuses."""


@dataclass(frozen=True)
class Person:
    """A distributor as the last row loaded for it says (sponsor, dates, status, rank)."""

    id: str
    sponsor_id: str | None
    joined_on: date
    left_on: date | None
    status: str
    rank: str | None


@dataclass(frozen=True)
class Transfer:
    """A sponsor change: a later row named another sponsor; dated with that run's as-of day."""

    distributor_id: str
    from_id: str | None
    to_id: str | None
    changed_on: date


def files_of(folder: Path) -> list[tuple[str, Path]]:
    """(kind, path) of the recognised files directly in `folder`: the name starts with a kind
    and ends in .csv or .csv.gz (case-insensitive), rejects files left out; kinds in dependency
    order, by name within a kind."""
    found = []
    for path in Path(folder).iterdir():
        name = path.name.lower()
        if not path.is_file() or ".rejects." in path.name:
            continue
        if not (name.endswith(".csv") or name.endswith(".csv.gz")):
            continue
        kind = next((k for k in KINDS if name.startswith(k)), None)
        if kind is not None:
            found.append((kind, path))
    return sorted(found, key=lambda found: (KINDS.index(found[0]), found[1].name))


def rows_of(path: Path) -> list[dict[str, str | None]]:
    """Every row as column -> trimmed text, None where empty (a byte-order mark is fine)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return [
        {column: (text.strip() or None) for column, text in row.items()}
        for row in frame.to_dict("records")
    ]


def to_cents(text: str) -> int:
    """'12', '12.5', '12.50' -> exact integer cents (1200, 1250, 1250)."""
    try:
        cents = Decimal(text) * 100
    except InvalidOperation:
        raise BadInput(f"amount {text!r} is not a decimal") from None
    if cents < 0 or cents != cents.to_integral_value():
        raise BadInput(f"amount {text!r} is negative or has fractions of a cent")
    return int(cents)


def to_date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def once_each(rows: list[dict], key) -> dict[object, dict]:
    """Rows by key; an exact repeat collapses, the same key with other values is refused."""
    kept: dict[object, dict] = {}
    for row in rows:
        k = key(row)
        if k in kept and kept[k] != row:
            raise BadInput(f"{k} twice with different values: {kept[k]} and {row}")
        kept[k] = row
    return kept


class Store:
    """What the database holds after loading folders in order, each with its run's as-of day:
    distributors (the latest row of each), the transfers between loads, orders and commissions
    (each id once). Customers are not kept: no view reads them."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.transfers: list[Transfer] = []
        self.orders: dict[str, dict] = {}
        self.commissions: dict[object, dict] = {}

    def load(self, folder: Path, as_of: date) -> None:
        for kind, path in files_of(folder):
            rows = rows_of(path)
            if kind == "distributors":
                self._distributors(rows, as_of)
            elif kind == "orders":
                self._facts(self.orders, [_order(r) for r in rows], lambda r: r["order_id"])
            elif kind == "commissions":
                self._facts(self.commissions, [_commission(r) for r in rows], _commission_key)
        self._check_references()

    def _distributors(self, rows: list[dict], as_of: date) -> None:
        """Every row replaces what was known of its distributor; a distributor already loaded
        whose sponsor differs has been transferred on `as_of` (a first link is no transfer)."""
        for did, row in once_each(rows, lambda r: r["distributor_id"]).items():
            left_on = to_date(row.get("left_on"))
            person = Person(
                id=did,
                sponsor_id=row.get("sponsor_id"),
                joined_on=to_date(row["joined_on"]),
                left_on=left_on,
                status=row.get("status") or ("inactive" if left_on else "active"),
                rank=row.get("rank"),
            )
            before = self.people.get(did)
            if before is not None and before.sponsor_id != person.sponsor_id:
                self.transfers.append(Transfer(did, before.sponsor_id, person.sponsor_id, as_of))
            self.people[did] = person
        unknown = {p.sponsor_id for p in self.people.values()} - set(self.people) - {None}
        if unknown:
            raise BadInput(f"unknown sponsors: {sorted(unknown)}")

    def _facts(self, stored: dict, rows: list[dict], key) -> None:
        """Orders and commissions: new ids are added, a loaded id must come with its values."""
        for k, row in once_each(rows, key).items():
            if k in stored and stored[k] != row:
                raise BadInput(f"{k} was loaded before with other values")
            stored.setdefault(k, row)

    def _check_references(self) -> None:
        """Every order on a known account; every commission to a known earner, from a known
        source and on a known order when it names them."""
        people = set(self.people)
        bad = [o["order_id"] for o in self.orders.values() if o["distributor_id"] not in people]
        bad += [
            c
            for c in self.commissions.values()
            if c["earner_id"] not in people
            or c["source_id"] not in people | {None}
            or (c["order_id"] is not None and c["order_id"] not in self.orders)
        ]
        if bad:
            raise BadInput(f"unknown references in {bad[:3]}")

    def orders_frame(self) -> pd.DataFrame:
        """order_id, distributor_id, ordered_on (date), cents, kind."""
        columns = ["order_id", "distributor_id", "ordered_on", "cents", "kind"]
        return pd.DataFrame(list(self.orders.values()), columns=columns)

    def commissions_frame(self) -> pd.DataFrame:
        """earner_id, period (YYYY-MM), cents, type, source_id, order_id (None: not given)."""
        columns = ["earner_id", "period", "cents", "type", "source_id", "order_id"]
        return pd.DataFrame(list(self.commissions.values()), columns=columns)


def _order(row: dict) -> dict:
    return {
        "order_id": row["order_id"],
        "distributor_id": row["distributor_id"],
        "ordered_on": to_date(row["ordered_on"]),
        "cents": to_cents(row["amount"]),
        "kind": row["kind"],
    }


def _commission(row: dict) -> dict:
    return {
        "commission_id": row.get("commission_id"),
        "earner_id": row["earner_id"],
        "period": row["period"],
        "cents": to_cents(row["amount"]),
        "type": row["type"],
        "source_id": row.get("source_id"),
        "order_id": row.get("order_id"),
    }


def _commission_key(row: dict) -> object:
    """The given commission_id; without one, all the other values (docs/data-format.md: an
    exact repeat collapses, any other row is distinct)."""
    if row["commission_id"] is not None:
        return row["commission_id"]
    return tuple(row[c] for c in ("earner_id", "period", "cents", "type", "source_id", "order_id"))
