"""The checks of ingest.records at column speed, shared by both load paths.

Each block of a file (ingest.blocks) is checked with Arrow and numpy: values trimmed, required
values, ISO dates (calendar and future), amounts to exact integer cents, periods, enumerations,
self-sponsorship and self-placement. A row that fails any check, or is at all unusual (a value
starting or ending with a character `str.strip` would trim that ASCII trimming does not, a
wrong field count, an amount too long for 64 bits), goes through `records.to_record` instead,
so that its reason -- or its record -- is exactly what the row-by-row code gives.

Measured on this project's 2-core VM, checks and staging of a bulk load without Neo4j
(`ingest.bulk.BulkStager`) at the target size (1M distributors, 6.7M orders, 3M commissions):
31 s, 370,000 rows/s (orders 521,000/s, commissions 545,000/s), peak 882 MB; the row-by-row
checks took 415 s (262 s of CPU) and peaked at 995 MB on the same files (README).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.blocks import Block, Rows, blocks, split_odd
from ingest.formats import COMMISSION_TYPES, ORDER_KINDS, SPECS, STATUSES, BadValue
from ingest.reader import CsvFile
from ingest.records import commission_id, to_record

DATE, CENTS, TEXT = pa.date32(), pa.int64(), pa.string()
# The record of each kind (ingest.records), column by column, in its key order.
SCHEMAS = {
    "distributors": pa.schema(
        [
            ("id", TEXT),
            ("sponsor_id", TEXT),
            ("joined_on", DATE),
            ("left_on", DATE),
            ("name", TEXT),
            ("country", TEXT),
            ("rank", TEXT),
            ("status", TEXT),
            ("placement_id", TEXT),
            ("placement_leg", TEXT),
        ]
    ),
    "customers": pa.schema([("id", TEXT), ("referred_by", TEXT), ("joined_on", DATE)]),
    "orders": pa.schema(
        [
            ("id", TEXT),
            ("distributor_id", TEXT),
            ("ordered_on", DATE),
            ("amount_cents", CENTS),
            ("volume_cents", CENTS),
            ("kind", TEXT),
            ("customer_id", TEXT),
        ]
    ),
    "commissions": pa.schema(
        [
            ("id", TEXT),
            ("earner_id", TEXT),
            ("period", TEXT),
            ("amount_cents", CENTS),
            ("type", TEXT),
            ("source_id", TEXT),
            ("order_id", TEXT),
        ]
    ),
}
# What `str.strip` trims beyond ASCII whitespace: a value starting or ending with one of these
# takes the row path.
_UNUSUAL_EDGES = pa.array(
    [c for c in map(chr, range(0x110000)) if c.isspace() and not c.isascii()]
    + ["\x1c", "\x1d", "\x1e", "\x1f"]
)
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_AMOUNT = r"^[0-9]{1,15}(\.[0-9]{1,2})?$"
_PERIOD = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_EPOCH = np.datetime64("1970-01-01", "D")
NOT_NAMED = -2  # per_value of an empty value


@dataclass
class Checked:
    """One block of a file, checked: `records` (as ingest.records would make them, one Arrow
    column per key), their `lines` and raw `fields` (header order), all in line order;
    `rejected` (line, fields, reason) in line order; `read`, the rows of the block."""

    records: pa.Table
    lines: np.ndarray
    fields: pa.Table
    rejected: list[tuple[int, list[str], str]]
    read: int

    def field_rows(self, at: np.ndarray | None = None) -> list[list[str]]:
        """The raw fields of accepted rows (all, or those at positions `at`), as lists."""
        return _field_lists(self.fields if at is None else self.fields.take(at))

    def accepted(self, size: int = 10_000) -> Iterator[tuple[int, list[str], dict]]:
        """(line, raw fields, record) of each accepted row, `size` rows converted at a time."""
        for start in range(0, self.records.num_rows, size):
            at = np.arange(start, min(start + size, self.records.num_rows))
            yield from zip(
                self.lines[at].tolist(), self.field_rows(at), self.record_rows(at), strict=True
            )

    def record_rows(self, at: np.ndarray | None = None) -> list[dict]:
        """Accepted records (all, or those at positions `at`) as ingest.records' dicts."""
        return (self.records if at is None else self.records.take(at)).to_pylist()


def checked(csv_file: CsvFile, latest: date) -> Iterator[Checked]:
    """Every row of the file, checked, block by block."""
    for block in blocks(csv_file):
        if isinstance(block, Rows):
            yield from _row_path(csv_file, block, latest)
        else:
            yield _check_block(csv_file, block, latest)


def _row_path(csv_file: CsvFile, block: Rows, latest: date) -> Iterator[Checked]:
    """Rows of the row-by-row reader, checked by `to_record`, in bounded batches."""
    batch: list[tuple[int, list[str]]] = []
    for item in block.rows:
        batch.append(item)
        if len(batch) >= 50_000:
            yield _by_rows(csv_file, batch, latest)
            batch = []
    if batch:
        yield _by_rows(csv_file, batch, latest)


def _by_rows(csv_file: CsvFile, rows: list[tuple[int, list[str]]], latest: date) -> Checked:
    kind, width = csv_file.spec.kind, len(csv_file.header)
    accepted: list[tuple[int, list[str], dict]] = []
    rejected = []
    for line, fields in rows:
        verdict = row_verdict(csv_file, fields, width, latest)
        if isinstance(verdict, str):
            rejected.append((line, fields, verdict))
        else:
            accepted.append((line, fields, verdict))
    return _assemble(kind, width, accepted, rejected, len(rows))


def row_verdict(csv_file: CsvFile, fields: list[str], width: int, latest: date) -> dict | str:
    """The row-by-row verdict on one row: its record, or the reason it is rejected."""
    if len(fields) != width:
        return f"has {len(fields)} fields, the header has {width}"
    try:
        return to_record(csv_file.spec.kind, csv_file.as_dict(fields), latest)
    except BadValue as error:
        return str(error)


def _assemble(kind, width, accepted, rejected, read, table=None, lines=None, raw=None):
    """A Checked block from column-checked rows (if any) and rows checked one by one."""
    schema = SCHEMAS[kind]
    names = [f"c{i}" for i in range(width)]
    extra = pa.Table.from_pylist([record for _, _, record in accepted], schema=schema)
    extra_raw = pa.table(
        {
            name: pa.array([fields[i] for _, fields, _ in accepted], TEXT)
            for i, name in enumerate(names)
        }
    )
    extra_lines = np.fromiter((line for line, _, _ in accepted), np.int64, len(accepted))
    if table is not None and len(accepted):
        table = pa.concat_tables([table, extra])
        raw = pa.concat_tables([raw, extra_raw])
        lines = np.concatenate([lines, extra_lines])
        order = np.argsort(lines, kind="stable")
        table, raw, lines = table.take(order), raw.take(order), lines[order]
    elif table is None:
        table, raw, lines = extra, extra_raw, extra_lines
    rejected.sort(key=lambda item: item[0])
    return Checked(table, lines, raw, rejected, read)


def _check_block(csv_file: CsvFile, block: Block, latest: date) -> Checked:
    kind, width = csv_file.spec.kind, len(csv_file.header)
    table, lines = block.table, block.lines
    values = {
        name: pc.ascii_trim_whitespace(table.column(f"c{i}"))
        for i, name in enumerate(csv_file.header)
    }
    used = set(SPECS[kind].columns) | set(SPECS[kind].optional)
    records, bad = _COLUMN_CHECKS[kind](values, latest, table.num_rows)
    for name, column in values.items():
        if name in used and not block.plain:
            for edge in (
                pc.utf8_slice_codeunits(column, 0, 1),
                pc.utf8_slice_codeunits(column, -1),
            ):
                bad |= _mask(pc.is_in(edge, value_set=_UNUSUAL_EDGES))
    for name in SPECS[kind].required_values:
        bad |= _mask(pc.equal(values[name], ""))
    good = np.flatnonzero(~bad)
    slow = np.flatnonzero(bad)
    accepted, rejected = [], []
    for line, fields in zip(lines[slow].tolist(), _field_lists(table.take(slow)), strict=True):
        verdict = row_verdict(csv_file, fields, width, latest)
        (rejected if isinstance(verdict, str) else accepted).append((line, fields, verdict))
    for line, text in block.odd:
        fields = split_odd(text)
        verdict = row_verdict(csv_file, fields, width, latest)
        (rejected if isinstance(verdict, str) else accepted).append((line, fields, verdict))
    records = take_rows(records, good)
    if kind == "commissions":
        records = _derive_commission_ids(records)
    return _assemble(
        kind,
        width,
        accepted,
        rejected,
        table.num_rows + len(block.odd),
        records,
        lines[good],
        take_rows(table, good),
    )


def take_rows(table: pa.Table, at: np.ndarray) -> pa.Table:
    """The rows at `at` (ascending positions): the table itself when that is all of them."""
    return table if len(at) == table.num_rows else table.take(at)


def _field_lists(table: pa.Table) -> list[list[str]]:
    columns = [column.to_pylist() for column in table.columns]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def per_value(column, lookup: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """`lookup` of each row's value, called once on the distinct values (which are few in a
    column of references); NOT_NAMED for an empty value."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = pc.dictionary_encode(column)
    found = np.asarray(lookup(encoded.dictionary.to_pylist()), dtype=np.int64)
    found = np.append(found, NOT_NAMED)  # where a null's index -1 points
    return found[pc.fill_null(encoded.indices, -1).to_numpy()]


class IdIndex:
    """The row index of each id of a fixed set, found at column speed: the ids' hashes sorted
    once, each candidate confirmed by comparing the strings (a dict answers hash collisions)."""

    def __init__(self, ids: dict[str, int]):
        self.rows = ids
        hashes = np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))
        self.order = np.argsort(hashes, kind="stable")
        self.hashes = hashes[self.order]
        self.ids = pa.array(list(ids), pa.string())

    def find(self, values: list[str]) -> np.ndarray:
        """The row index of each value, -1 for one not in the set."""
        if not len(self.hashes):
            return np.full(len(values), -1, dtype=np.int64)
        hashes = np.fromiter(map(hash, values), dtype=np.int64, count=len(values))
        at = np.minimum(sorted_search(self.hashes, hashes), len(self.hashes) - 1)
        candidate = self.order[at]
        same_hash = self.hashes[at] == hashes
        equal = _mask(pc.equal(self.ids.take(candidate), pa.array(values, pa.string())))
        found = np.where(same_hash & equal, candidate, -1)
        for i in np.flatnonzero(same_hash & ~equal).tolist():  # a collision: ask the dict
            found[i] = self.rows.get(values[i], -1)
        return found


def sorted_search(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """np.searchsorted with the needles visited in order: on millions of hashes six times
    faster than in random order (173,283 needles in 6.7M: 27 against 178 ms)."""
    order = np.argsort(needles)
    found = np.empty(len(needles), dtype=np.int64)
    found[order] = np.searchsorted(haystack, needles[order])
    return found


def _mask(array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False), dtype=bool)


def _or_null(column) -> pa.Array:
    """Empty values as nulls, as `records._clean` makes them None."""
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, TEXT), column)


def _get(values: dict, name: str, rows: int) -> pa.Array:
    """A trimmed column, or all empty if the header lacks this optional column."""
    column = values.get(name)
    return pa.array([""] * rows, TEXT) if column is None else column


def _shaped(column, pattern: str, filler: str) -> tuple[np.ndarray, pa.Array]:
    """Which values match `pattern`, and the values with `filler` for those that do not."""
    shaped = _mask(pc.match_substring_regex(column, pattern))
    filled = pc.if_else(pa.array(shaped), column, pa.scalar(filler))
    return shaped, filled.combine_chunks() if isinstance(filled, pa.ChunkedArray) else filled


def _dates(column, latest: date) -> tuple[pa.Array, np.ndarray]:
    """date32 of each value and whether it is not a calendar date up to `latest` (or empty)."""
    if not len(column):
        return pa.array([], DATE), np.zeros(0, dtype=bool)
    shaped, filled = _shaped(column, _DATE, "1970-01-01")
    # Every value is ten ASCII bytes now: read the digits straight from the string buffer.
    start = int(np.frombuffer(filled.buffers()[1], np.int32)[filled.offset])
    text = np.frombuffer(filled.buffers()[2], np.uint8)[start : start + 10 * len(filled)]
    digits = text.reshape(len(filled), 10).astype(np.int64) - ord("0")
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 5] * 10 + digits[:, 6]
    day = digits[:, 8] * 10 + digits[:, 9]
    valid = shaped & (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    months = (np.clip(year, 1, 9999) - 1970) * 12 + np.clip(month, 1, 12) - 1
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - first).astype(int)
    valid &= day <= length
    days = (first - _EPOCH).astype(np.int64) + day - 1
    valid &= days <= (np.datetime64(latest, "D") - _EPOCH).astype(np.int64)
    dates = pa.array(np.where(valid, days, 0).astype(np.int32), DATE)
    return dates, ~valid


def _cents(column) -> tuple[pa.Array, np.ndarray]:
    """Integer cents of each value and whether it is not a plain `digits[.d[d]]` amount."""
    if not len(column):
        return pa.array([], CENTS), np.zeros(0, dtype=bool)
    shaped, filled = _shaped(column, _AMOUNT, "0")
    # Exact: a decimal of scale 2 holds the cents as its (little-endian) 128-bit integer, and
    # at most 17 digits fit in its low 64 bits.
    decimal = pc.cast(filled, pa.decimal128(18, 2))
    words = np.frombuffer(decimal.buffers()[1], np.int64)
    cents = words[2 * decimal.offset : 2 * (decimal.offset + len(decimal)) : 2]
    return pa.array(cents, CENTS), ~shaped


def _distributors(values, latest, rows):
    ids = values["distributor_id"]
    joined, bad = _dates(values["joined_on"], latest)
    left_text = _get(values, "left_on", rows)
    has_left = _mask(pc.not_equal(left_text, ""))
    left, bad_left = _dates(left_text, latest)
    bad |= has_left & (bad_left | _mask(pc.less(left, joined)))
    sponsor = _or_null(values["sponsor_id"])
    placement = _or_null(_get(values, "placement_id", rows))
    bad |= _mask(pc.equal(sponsor, ids)) | _mask(pc.equal(placement, ids))
    status_text = _get(values, "status", rows)
    has_status = _mask(pc.not_equal(status_text, ""))
    bad |= has_status & ~_mask(pc.is_in(status_text, pa.array(STATUSES)))
    default = np.where(has_left, "inactive", "active")
    status = pc.if_else(pa.array(has_status), status_text, pa.array(default, TEXT))
    left = pc.if_else(pa.array(has_left), left, pa.scalar(None, DATE))
    columns = {
        "id": ids,
        "sponsor_id": sponsor,
        "joined_on": joined,
        "left_on": left,
        "name": _or_null(_get(values, "name", rows)),
        "country": _or_null(_get(values, "country", rows)),
        "rank": _or_null(_get(values, "rank", rows)),
        "status": status,
        "placement_id": placement,
        "placement_leg": _or_null(_get(values, "placement_leg", rows)),
    }
    return pa.table(columns, schema=SCHEMAS["distributors"]), bad


def _customers(values, latest, rows):
    joined, bad = _dates(values["joined_on"], latest)
    columns = {
        "id": values["customer_id"],
        "referred_by": _or_null(values["referred_by"]),
        "joined_on": joined,
    }
    return pa.table(columns, schema=SCHEMAS["customers"]), bad


def _orders(values, latest, rows):
    ordered, bad = _dates(values["ordered_on"], latest)
    amount, bad_amount = _cents(values["amount"])
    volume_text = _get(values, "volume", rows)
    has_volume = _mask(pc.not_equal(volume_text, ""))
    volume, bad_volume = _cents(volume_text)
    bad |= bad_amount | (has_volume & bad_volume)
    bad |= ~_mask(pc.is_in(values["kind"], pa.array(ORDER_KINDS)))
    columns = {
        "id": values["order_id"],
        "distributor_id": values["distributor_id"],
        "ordered_on": ordered,
        "amount_cents": amount,
        "volume_cents": pc.if_else(pa.array(has_volume), volume, amount),
        "kind": values["kind"],
        "customer_id": _or_null(_get(values, "customer_id", rows)),
    }
    return pa.table(columns, schema=SCHEMAS["orders"]), bad


def _commissions(values, latest, rows):
    period = values["period"]
    bad = ~_mask(pc.match_substring_regex(period, _PERIOD))
    bad |= _mask(pc.equal(pc.utf8_slice_codeunits(period, 0, 4), "0000"))
    bad |= _mask(pc.greater(period, latest.isoformat()[:7]))
    amount, bad_amount = _cents(values["amount"])
    bad |= bad_amount | ~_mask(pc.is_in(values["type"], pa.array(COMMISSION_TYPES)))
    columns = {
        "id": _or_null(_get(values, "commission_id", rows)),
        "earner_id": values["earner_id"],
        "period": period,
        "amount_cents": amount,
        "type": values["type"],
        "source_id": _or_null(_get(values, "source_id", rows)),
        "order_id": _or_null(_get(values, "order_id", rows)),
    }
    return pa.table(columns, schema=SCHEMAS["commissions"]), bad


def _derive_commission_ids(records: pa.Table) -> pa.Table:
    """Ids for the commissions without one, as `records.commission_id` derives them."""
    ids = records.column("id")
    missing = np.flatnonzero(_mask(pc.is_null(ids)))
    if not len(missing):
        return records
    parts = records.take(missing).select(
        ["earner_id", "period", "amount_cents", "type", "source_id", "order_id"]
    )
    derived = [
        commission_id(*row) for row in zip(*(c.to_pylist() for c in parts.columns), strict=True)
    ]
    filled = ids.to_pylist()
    for at, cid in zip(missing.tolist(), derived, strict=True):
        filled[at] = cid
    return records.set_column(0, "id", pa.array(filled, TEXT))


_COLUMN_CHECKS = {
    "distributors": _distributors,
    "customers": _customers,
    "orders": _orders,
    "commissions": _commissions,
}
