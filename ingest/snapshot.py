"""Building the analytics snapshot (downline.snapshot) from what an ingest run wrote.

Input arrives keyed by ids, as Arrow tables (`Delta`): a bulk load's staged files, the rows a
transactional run created, or everything read back from Neo4j (`downline snapshot rebuild`).
`build` turns them into the snapshot's tables, keyed by each distributor's stable row index:
on top of the previous version when there is one (existing distributors keep their index,
new ones are appended, facts are added), from nothing otherwise. Everything is column
operations (pyarrow hashing for id look-ups, numpy for numbering and sums).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from downline.forest import number_arrays
from downline.snapshot import NEVER, SCHEMAS, Version
from downline.vocabulary import COMMISSION_TYPES, ORDER_KINDS, STATUSES

# Id-space columns of each kind of input.
DELTA_SCHEMAS = {
    "distributors": pa.schema(
        [
            ("id", pa.string()),
            ("sponsor_id", pa.string()),
            ("placement_id", pa.string()),
            ("placement_leg", pa.string()),
            ("status", pa.string()),
            ("rank", pa.string()),
            ("joined_on", pa.date32()),
            ("left_on", pa.date32()),
        ]
    ),
    "orders": pa.schema(
        [
            ("distributor_id", pa.string()),
            ("ordered_on", pa.date32()),
            ("kind", pa.string()),
            ("amount_cents", pa.int64()),
            ("volume_cents", pa.int64()),
        ]
    ),
    # `order_kind`: the kind of the order named by order_id (null: none named).
    "commissions": pa.schema(
        [
            ("earner_id", pa.string()),
            ("source_id", pa.string()),
            ("period", pa.string()),
            ("type", pa.string()),
            ("order_kind", pa.string()),
            ("amount_cents", pa.int64()),
        ]
    ),
    "changes": pa.schema(
        [
            ("distributor_id", pa.string()),
            ("from_id", pa.string()),
            ("to_id", pa.string()),
            ("changed_on", pa.date32()),
        ]
    ),
}

TOTALS = ("order_count", "retail_cents", "personal_cents", "starter_kit_cents")
TOTALS += ("commission_count", "commission_cents")


def empty(kind: str) -> pa.Table:
    return DELTA_SCHEMAS[kind].empty_table()


@dataclass
class Delta:
    """What one run wrote, by kind. Distributor rows hold every stored field (a row for an
    existing distributor replaces its fields); facts and changes are new rows only."""

    tables: dict[str, pa.Table] = field(
        default_factory=lambda: {kind: empty(kind) for kind in DELTA_SCHEMAS}
    )

    def add(self, kind: str, table: pa.Table) -> None:
        table = table.select(DELTA_SCHEMAS[kind].names).cast(DELTA_SCHEMAS[kind])
        self.tables[kind] = pa.concat_tables([self.tables[kind], table])

    @property
    def rows(self) -> int:
        return sum(t.num_rows for t in self.tables.values())


def build(delta: Delta, previous: Version | None = None) -> dict[str, pa.Table]:
    """The snapshot's tables: `previous` (if any) with `delta` applied."""
    base = previous.tables if previous is not None else _empty_snapshot()
    people, ids = _distributors(base["distributors"], delta.tables["distributors"])
    orders = _facts(base["orders"], _orders(delta.tables["orders"], ids), "day")
    commissions = _facts(
        base["commissions"], _commissions(delta.tables["commissions"], ids), "month"
    )
    changes = _facts(base["changes"], _changes(delta.tables["changes"], ids), "day")
    people = _with_totals(people, orders, commissions)
    return {
        "distributors": pa.table(people, schema=SCHEMAS["distributors"]),
        "orders": orders,
        "commissions": commissions,
        "changes": changes,
    }


def _empty_snapshot() -> dict[str, pa.Table]:
    return {name: schema.empty_table() for name, schema in SCHEMAS.items()}


def _index_of(values: pa.Array | pa.ChunkedArray, ids: pa.Array) -> np.ndarray:
    """Row index of each value among `ids` (-1: null or not there)."""
    found = pc.index_in(values, value_set=ids)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int32)


def _codes(values, choices: tuple[str, ...]) -> np.ndarray:
    return _index_of(values, pa.array(choices)).astype(np.int8)


def _days(values) -> np.ndarray:
    """date32 values as days since 1970-01-01 (null: NEVER)."""
    days = pc.cast(values, pa.int32())
    return pc.fill_null(days, NEVER).to_numpy(zero_copy_only=False).astype(np.int32)


def _distributors(stored: pa.Table, rows: pa.Table) -> tuple[dict, pa.Array]:
    """Columns of the distributor table with `rows` applied, numbered afresh, and the ids.

    A distributor keeps its row index forever; the tree numbers are computed over the whole
    forest (a few array passes per level, downline.forest.number_arrays)."""
    rows = _last_per_id(rows)
    old_ids = stored.column("id").combine_chunks()
    at = _index_of(rows.column("id"), old_ids)
    new = at < 0
    at[new] = len(old_ids) + np.arange(int(new.sum()), dtype=np.int32)
    ids = pa.concat_arrays([old_ids, rows.column("id").combine_chunks().filter(pa.array(new))])
    n = len(ids)

    def column(name, fill, values):
        out = np.full(n, fill, dtype=values.dtype)
        if len(old_ids):
            out[: len(old_ids)] = stored.column(name).to_numpy()
        out[at] = values
        return out

    def text(name, values):
        """A string column: stored values, nulls for new rows, then `values` put in place
        (replace_with_mask takes the replacements in row order)."""
        added = pa.nulls(n - len(old_ids), pa.string())
        out = pa.concat_arrays([stored.column(name).combine_chunks(), added])
        return pc.replace_with_mask(out, _mask(n, at), pc.take(values, pa.array(np.argsort(at))))

    sponsor = column("sponsor", -1, _index_of(rows.column("sponsor_id"), ids))
    rank_of_id = np.empty(n, dtype=np.int32)
    rank_of_id[pc.sort_indices(ids).to_numpy()] = np.arange(n, dtype=np.int32)
    depth, pre, post, root = number_arrays(sponsor, rank_of_id)
    at_pre = np.empty(n, dtype=np.int32)
    at_pre[pre] = np.arange(n, dtype=np.int32)
    columns = {
        "id": ids,
        "sponsor": sponsor,
        "placement": column("placement", -1, _index_of(rows.column("placement_id"), ids)),
        "leg": text("leg", rows.column("placement_leg")),
        "id_rank": rank_of_id,
        "depth": depth.astype(np.int32),
        "pre": pre.astype(np.int32),
        "post": post.astype(np.int32),
        "root": root.astype(np.int32),
        "at_pre": at_pre,
        "status": column("status", 0, _codes(rows.column("status"), STATUSES)),
        "rank": text("rank", rows.column("rank")),
        "joined": column("joined", 0, _days(rows.column("joined_on"))),
        "left": column("left", NEVER, _days(rows.column("left_on"))),
    }
    return columns, ids


def _mask(n: int, at: np.ndarray) -> pa.Array:
    mask = np.zeros(n, dtype=bool)
    mask[at] = True
    return pa.array(mask)


def _last_per_id(rows: pa.Table) -> pa.Table:
    """One row per id, the last one given (a later file of a run overrides an earlier one)."""
    if rows.num_rows == 0:
        return rows
    ids = rows.column("id").to_numpy(zero_copy_only=False)
    reversed_first = np.unique(ids[::-1], return_index=True)[1]
    keep = np.sort(len(ids) - 1 - reversed_first)
    return rows.take(pa.array(keep))


def _orders(rows: pa.Table, ids: pa.Array) -> pa.Table:
    return pa.table(
        {
            "owner": _index_of(rows.column("distributor_id"), ids),
            "day": _days(rows.column("ordered_on")),
            "kind": _codes(rows.column("kind"), ORDER_KINDS),
            "cents": rows.column("amount_cents").to_numpy(),
            "volume_cents": rows.column("volume_cents").to_numpy(),
        },
        schema=SCHEMAS["orders"],
    )


def _commissions(rows: pa.Table, ids: pa.Array) -> pa.Table:
    period = rows.column("period")
    year = pc.cast(pc.utf8_slice_codeunits(period, 0, 4), pa.int32()).to_numpy()
    month = pc.cast(pc.utf8_slice_codeunits(period, 5, 7), pa.int32()).to_numpy()
    return pa.table(
        {
            "earner": _index_of(rows.column("earner_id"), ids),
            "source": _index_of(rows.column("source_id"), ids),
            "month": (year * 12 + month - 1).astype(np.int32),
            "type": _codes(rows.column("type"), COMMISSION_TYPES),
            "trigger": _codes(rows.column("order_kind"), ORDER_KINDS),
            "cents": rows.column("amount_cents").to_numpy(),
        },
        schema=SCHEMAS["commissions"],
    )


def _changes(rows: pa.Table, ids: pa.Array) -> pa.Table:
    return pa.table(
        {
            "distributor": _index_of(rows.column("distributor_id"), ids),
            "from": _index_of(rows.column("from_id"), ids),
            "to": _index_of(rows.column("to_id"), ids),
            "day": _days(rows.column("changed_on")),
        },
        schema=SCHEMAS["changes"],
    )


def _facts(stored: pa.Table, added: pa.Table, key: str) -> pa.Table:
    """Stored and added rows in order of `key` (stable: the stored ones are sorted already,
    and a run's rows mostly come after them, so the sort is close to a merge)."""
    if added.num_rows == 0:
        return stored
    both = pa.concat_tables([stored, added]).combine_chunks()
    order = np.argsort(both.column(key).to_numpy(), kind="stable")
    return both.take(pa.array(order))


def _with_totals(people: dict, orders: pa.Table, commissions: pa.Table) -> dict:
    """Every distributor's all-time order and commission totals, summed from the facts."""
    n = len(people["id"])
    owner, kind = orders.column("owner").to_numpy(), orders.column("kind").to_numpy()
    cents = orders.column("cents").to_numpy()
    earner = commissions.column("earner").to_numpy()
    paid = commissions.column("cents").to_numpy()

    def total(where, weights=None):
        return np.bincount(where, weights, minlength=n).round().astype(np.int64)

    by_kind = {k: total(owner[kind == i], cents[kind == i]) for i, k in enumerate(ORDER_KINDS)}
    return {
        **people,
        "order_count": total(owner),
        "retail_cents": by_kind["retail"],
        "personal_cents": by_kind["personal"],
        "starter_kit_cents": by_kind["starter_kit"],
        "commission_count": total(earner),
        "commission_cents": total(earner, paid),
    }
