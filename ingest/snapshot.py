"""Building the analytics snapshot (downline.snapshot) from what an ingest run wrote.

Input arrives keyed by ids, as Arrow tables (`Delta`): a bulk load's staged files, the rows a
transactional run created, or everything read back from Neo4j (`downline snapshot rebuild`).
`build` turns them into the snapshot's tables, keyed by each distributor's stable row index:
on top of the previous version when there is one (existing distributors keep their index,
new ones are appended, facts are added), from nothing otherwise. Everything is column
operations (pyarrow hashing for id look-ups, numpy for numbering and sums).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from downline.calendar import in_last_days
from downline.forest import number_arrays
from downline.snapshot import NEVER, SCHEMAS, Version
from downline.totals import END_OF_PERIOD_DAYS, TOTALS, commission_classes
from downline.vocabulary import COMMISSION_TYPES, ORDER_KINDS, STATUSES

# Id-space columns of each kind of input.
DELTA_SCHEMAS = {
    # `placed`: the row says where the distributor is placed (otherwise the stored placement
    # stays, as in Neo4j, where a file without placement columns changes none).
    "distributors": pa.schema(
        [
            ("id", pa.string()),
            ("sponsor_id", pa.string()),
            ("placed", pa.bool_()),
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
            ("id", pa.string()),
            ("distributor_id", pa.string()),
            ("ordered_on", pa.date32()),
            ("kind", pa.string()),
            ("amount_cents", pa.int64()),
            ("volume_cents", pa.int64()),
        ]
    ),
    # `order_kind`: the kind of the order named by `order_id` (null: none named, or not known
    # yet: `build` looks it up among the run's orders, then with `kinds_of`).
    "commissions": pa.schema(
        [
            ("earner_id", pa.string()),
            ("source_id", pa.string()),
            ("period", pa.string()),
            ("type", pa.string()),
            ("order_id", pa.string()),
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

KindsOf = Callable[[list[str]], dict[str, str]] | None


def empty(kind: str) -> pa.Table:
    return DELTA_SCHEMAS[kind].empty_table()


@dataclass
class Delta:
    """What one run wrote, by kind. Distributor rows hold every stored field (a row for an
    existing distributor replaces its fields); facts and changes are new rows only."""

    tables: dict[str, pa.Table] = field(
        default_factory=lambda: {kind: empty(kind) for kind in DELTA_SCHEMAS}
    )

    def __post_init__(self):
        self._lock = threading.Lock()  # the ingest's writer threads add batches at once

    def add(self, kind: str, table: pa.Table) -> None:
        """Rows of `kind` by column name; a column they do not have is null."""
        schema = DELTA_SCHEMAS[kind]
        missing = [f for f in schema if f.name not in table.column_names]
        for f in missing:
            table = table.append_column(f.name, pa.nulls(table.num_rows, f.type))
        table = table.select(schema.names).cast(schema)
        with self._lock:
            self.tables[kind] = pa.concat_tables([self.tables[kind], table])

    def add_records(self, kind: str, records: list[dict]) -> None:
        """Rows as the ingest's records hold them (ingest.records), missing columns null."""
        if records:
            self.add(kind, pa.Table.from_pylist(records, schema=DELTA_SCHEMAS[kind]))

    @property
    def rows(self) -> int:
        return sum(t.num_rows for t in self.tables.values())


def build(
    delta: Delta, previous: Version | None = None, kinds_of: KindsOf = None
) -> dict[str, pa.Table]:
    """The snapshot's tables: `previous` (if any) with `delta` applied. `kinds_of(order ids)`
    gives the kinds of orders a commission names that the delta does not hold.

    The work is done by stable index and laid out in pre order at the end (`_laid_out`)."""
    base = _stable(previous) if previous is not None else _empty_snapshot()
    people, ids = _distributors(base["distributors"], delta.tables["distributors"])
    orders = _facts(base["orders"], _orders(delta.tables["orders"], ids), "day")
    paid = _with_order_kinds(delta.tables["commissions"], delta.tables["orders"], kinds_of)
    commissions = _facts(base["commissions"], _commissions(paid, ids), "month")
    changes = _facts(base["changes"], _changes(delta.tables["changes"], ids), "day")
    people = _with_totals(people, orders, commissions)
    return {
        **_laid_out(people, orders, commissions),
        "orders": orders,
        "commissions": commissions,
        "changes": changes,
        "flows": _flows(people, commissions),
    }


def _stable(previous: Version) -> dict[str, pa.Table]:
    """The previous version with its distributor table by stable index again (sponsors and
    placements as stable indexes): what a run's rows are applied to."""
    people = previous.tables["distributors"]
    index = people.column("index").to_numpy()
    order = pa.array(previous.tables["positions"].column("row").to_numpy())
    stable = people.select(list(_KEPT)).take(order)

    def as_index(name: str) -> pa.Array:
        rows = stable.column(name).to_numpy()
        return pa.array(np.where(rows >= 0, index[np.maximum(rows, 0)], -1).astype(np.int32))

    for name in ("sponsor", "placement"):
        stable = stable.set_column(stable.schema.get_field_index(name), name, as_index(name))
    return {**previous.tables, "distributors": stable}


# The distributor columns a run's rows are merged into (the rest is derived afresh).
_KEPT = ("id", "sponsor", "placement", "leg", "status", "rank", "joined", "left")


def _laid_out(people: dict, orders: pa.Table, commissions: pa.Table) -> dict[str, pa.Table]:
    """The distributor table in pre order, each stable index's row, and the facts' positions
    grouped by their owner's row."""
    pre = people["pre"]
    at_row = np.empty(len(pre), dtype=np.int64)
    at_row[pre] = np.arange(len(pre))

    def rows(values: np.ndarray) -> np.ndarray:
        return np.where(values >= 0, pre[np.maximum(values, 0)], -1).astype(np.int32)

    columns = {**people, "index": np.arange(len(pre), dtype=np.int32)}
    for name in ("sponsor", "placement", "root"):
        columns[name] = rows(columns[name])
    table = pa.table(
        {
            name: pc.take(values, pa.array(at_row))
            if isinstance(values, pa.Array)
            else values[at_row]
            for name, values in columns.items()
            if name in SCHEMAS["distributors"].names
        },
        schema=SCHEMAS["distributors"],
    )

    def by_owner(owner: np.ndarray) -> pa.Table:
        grouped = np.argsort(pre[owner], kind="stable").astype(np.int32)
        return pa.table({"at": grouped})

    return {
        "distributors": table,
        "positions": pa.table({"row": pre.astype(np.int32)}),
        "orders_by_owner": by_owner(orders.column("owner").to_numpy()),
        "commissions_by_owner": by_owner(commissions.column("earner").to_numpy()),
    }


def _with_order_kinds(paid: pa.Table, orders: pa.Table, kinds_of: KindsOf) -> pa.Table:
    """Commissions with the kind of the order each names: given, else among the run's own
    orders, else from `kinds_of`."""
    kind = paid.column("order_kind").combine_chunks()
    named = paid.column("order_id").combine_chunks()
    ours = orders.column("id").combine_chunks()
    # skip_nulls: a commission naming no order must not match an order without an id
    at = pc.index_in(named, value_set=ours, skip_nulls=True)
    found = pc.take(orders.column("kind").combine_chunks(), at)
    kind = pc.coalesce(kind, found)
    unknown = pc.and_(pc.is_null(kind), pc.is_valid(named))
    if kinds_of is not None and pc.any(unknown).as_py():
        wanted = named.filter(unknown)
        known = kinds_of(pc.unique(wanted).to_pylist())
        looked_up = pa.array([known.get(i) for i in wanted.to_pylist()], pa.string())
        kind = pc.replace_with_mask(kind, unknown, looked_up)
    return paid.set_column(paid.schema.get_field_index("order_kind"), "order_kind", kind)


def _empty_snapshot() -> dict[str, pa.Table]:
    tables = {name: schema.empty_table() for name, schema in SCHEMAS.items()}
    return {**tables, "distributors": tables["distributors"].select(list(_KEPT))}


def _index_of(values: pa.Array | pa.ChunkedArray, ids: pa.Array) -> np.ndarray:
    """Row index of each value among `ids` (-1: null or not there)."""
    found = pc.index_in(values, value_set=ids, skip_nulls=True)
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
    given = rows.column("placed").to_numpy(zero_copy_only=False).astype(bool)
    merge = _Merge(stored, at, len(ids))
    sponsor = merge.numbers("sponsor", -1, _index_of(rows.column("sponsor_id"), ids))
    rank_of_id = np.empty(len(ids), dtype=np.int32)
    rank_of_id[pc.sort_indices(ids).to_numpy()] = np.arange(len(ids), dtype=np.int32)
    depth, pre, post, root = number_arrays(sponsor, rank_of_id)
    placement = _index_of(rows.column("placement_id"), ids)
    columns = {
        "id": ids,
        "sponsor": sponsor,
        "placement": merge.numbers("placement", -1, placement, given),
        "leg": merge.text("leg", rows.column("placement_leg"), given),
        "id_rank": rank_of_id,
        "depth": depth.astype(np.int32),
        "pre": pre.astype(np.int32),
        "post": post.astype(np.int32),
        "root": root.astype(np.int32),
        "status": merge.numbers("status", 0, _codes(rows.column("status"), STATUSES)),
        "rank": merge.text("rank", rows.column("rank")),
        "joined": merge.numbers("joined", 0, _days(rows.column("joined_on"))),
        "left": merge.numbers("left", NEVER, _days(rows.column("left_on"))),
    }
    return columns, ids


class _Merge:
    """Stored columns of the distributor table with a run's rows put in place: row i of the
    run goes to index at[i] (new distributors after the stored ones); `given` says which
    rows carry a value (the others keep the stored one)."""

    def __init__(self, stored: pa.Table, at: np.ndarray, size: int):
        self.stored, self.at, self.size = stored, at, size
        self.old = stored.num_rows

    def numbers(self, name, fill, values: np.ndarray, given=None) -> np.ndarray:
        out = np.full(self.size, fill, dtype=values.dtype)
        out[: self.old] = self.stored.column(name).to_numpy()
        keep = slice(None) if given is None else given
        out[self.at[keep]] = values[keep]
        return out

    def text(self, name, values, given=None) -> pa.Array:
        out = pa.concat_arrays(
            [self.stored.column(name).combine_chunks(), pa.nulls(self.size - self.old, pa.string())]
        )
        values = values.combine_chunks()
        rows = np.arange(len(self.at)) if given is None else np.flatnonzero(given)
        rows = rows[np.argsort(self.at[rows])]  # replace_with_mask takes them in index order
        mask = np.zeros(self.size, dtype=bool)
        mask[self.at[rows]] = True
        return pc.replace_with_mask(out, pa.array(mask), pc.take(values, pa.array(rows)))


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
    return both.take(pa.array(np.argsort(both.column(key).to_numpy(), kind="stable")))


def _with_totals(people: dict, orders: pa.Table, commissions: pa.Table) -> dict:
    """Every distributor's all-time totals (downline.totals.TOTALS), summed from the facts."""
    n = len(people["id"])
    facts = {  # owner, kind, cents
        "Order": [orders.column(c).to_numpy() for c in ("owner", "kind", "cents")],
        "Commission": [commissions.column(c).to_numpy() for c in ("earner", "type", "cents")],
    }
    out = dict(people)

    def total(owner, keep=slice(None), weights=None) -> np.ndarray:
        weights = None if weights is None else weights[keep]
        return np.bincount(owner[keep], weights, minlength=n).astype(np.int64)

    for spec in TOTALS:
        owner, kind, cents = facts[spec.fact]
        keep = slice(None) if spec.kind is None else kind == ORDER_KINDS.index(spec.kind)
        out[spec.column] = total(owner, keep, None if spec.counts else cents)
    owner, kind, cents = facts["Order"]
    for code, name in enumerate(ORDER_KINDS):
        out[f"{name}_orders"] = total(owner, kind == code)
    sponsor = people["sponsor"]
    out["recruits"] = total(sponsor, sponsor >= 0).astype(np.int32)
    late = (kind == ORDER_KINDS.index("personal")) & in_last_days(
        orders.column("day").to_numpy(), END_OF_PERIOD_DAYS
    )
    out["late_personal_cents"] = total(owner, late, cents)
    earner, _, paid = facts["Commission"]
    trigger = commissions.column("trigger").to_numpy()
    for name, mask in commission_classes(facts["Commission"][1], trigger).items():
        out[f"{name}_cents"] = total(earner, mask, paid)
    return out


def _flows(people: dict, commissions: pa.Table) -> pa.Table:
    """Every commission summed by (source depth, earner depth, earner active)."""
    depth = people["depth"].astype(np.int64)
    source = commissions.column("source").to_numpy()
    earner = commissions.column("earner").to_numpy()
    active = people["status"] == STATUSES.index("active")
    deepest = int(depth.max(initial=0)) + 2
    source_depth = np.where(source >= 0, depth[np.maximum(source, 0)], -1) + 1
    cell = (source_depth * deepest + depth[earner]) * 2 + active[earner]
    cents = commissions.column("cents").to_numpy()
    sums = np.bincount(cell, cents, minlength=deepest * deepest * 2).astype(np.int64)
    counts = np.bincount(cell, minlength=deepest * deepest * 2)
    kept = np.flatnonzero(counts)
    return pa.table(
        {
            "source_depth": (kept // 2 // deepest - 1).astype(np.int32),
            "earner_depth": (kept // 2 % deepest).astype(np.int32),
            "earner_active": (kept % 2).astype(bool),
            "cents": sums[kept],
            "count": counts[kept].astype(np.int64),
        },
        schema=SCHEMAS["flows"],
    )
