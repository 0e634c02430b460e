"""The read model's contender: every analytics view downline answers from its columnar snapshot,
answered instead by pandas and numpy over the CSV files of a network, in one warm process.

`InMemory.load(folder)` reads the CSV files (pandas' pyarrow CSV engine: the same reader,
called directly so the columns stay Arrow arrays), parses amounts to exact integer cents, dates
to day numbers and periods to month numbers, encodes ids as positions, sorts the facts by time
(a period is then one slice) and numbers the sponsor forest as it is now. That is the load the
benchmark times apart. Each view then works from those arrays only, with no per-row Python:
which distributors a question covers (the root's subtree, the tree on an as-of day, the active
ones), the period's orders and commissions of those distributors, grouped by `np.bincount` on
small integer codes (levels, kinds, months, ranks).

It is an independent contender: nothing from downline computes a number here. It takes from
downline only what is not a computation: the result dataclasses it answers in
(queries.levels.Levels, queries.flows.Flows, queries.earnings.Earnings,
queries.indicators.Indicators/Indicator, queries.overview.Overview/Totals), the vocabulary of
kinds, types and statuses, the band names and bounds (queries.inequality.BANDS), the indicator
catalogue's keys, names, thresholds, sources and limits (queries.indicators.CATALOGUE), and the
error type. The definitions are docs/metrics.md and docs/indicators.md, as the per-row oracle
in tests/support/expected*.py spells them out.

Cents are summed by `np.bincount`, in float64, exact while every sum stays below 2**53 cents
(90 trillion currency units; `load` refuses facts whose amounts add up to more).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# Constants and result types only (see the module docstring): no computation of downline's.
from downline.errors import DownlineError
from downline.vocabulary import COMMISSION_TYPES, ORDER_KINDS, STATUSES
from queries.earnings import Earnings
from queries.filters import NO_FILTERS, Filters
from queries.flows import Flows
from queries.indicators import CATALOGUE, Indicator, Indicators
from queries.inequality import BANDS
from queries.levels import Levels
from queries.overview import Overview, Totals

CODED = pa.dictionary(pa.int32(), pa.string())
NEVER = np.iinfo(np.int32).max  # the leave day of who has not left
EPOCH = np.datetime64("1970-01-01", "D")
FIRST_DAY, LAST_DAY = date(1, 1, 1), date(9999, 12, 31)  # a period's bounds when not given
EXACT = 2**53  # float64 holds every integer below this
RETAIL, PERSONAL, KIT = (ORDER_KINDS.index(k) for k in ("retail", "personal", "starter_kit"))
RETAIL_MARGIN, RECRUITMENT = (COMMISSION_TYPES.index(t) for t in ("retail_margin", "recruitment"))
ACTIVE = STATUSES.index("active")
NO_RANK = "(none)"
AGES = (3, 6, 12)  # months after joining a cohort is judged at
LAST_DAYS = 5  # end-of-period buying: the last five days of a month
SMALL_EARNER = 100_000  # cents: "earning at most 1,000 in the period"
MIN_SUBTREE, TOP = 10, 20  # the Indicators page's breakdown by subtree

# The seven ratios of sums over distributors (docs/indicators.md, "By subtree").
RATIOS = {
    "retail_reward_share": ("retail_tied", "tied"),
    "end_user_sales_share": ("retail_cents", "revenue_cents"),
    "low_customer_share_pay": ("low_customer_pay", "earned"),
    "recruitment_payout_share": ("recruiting", "commissions"),
    "net_loss_rate": ("net_loss", "participants"),
    "zero_earner_share": ("zero", "participants"),
    "small_earner_share": ("small", "participants"),
}


# --- reading the CSV files ---------------------------------------------------------------


def _read(path: Path, text: tuple[str, ...], coded: tuple[str, ...]) -> pa.Table:
    """The columns named; empty values are nulls ("not given"). `coded` columns hold few
    distinct values (dates, amounts, kinds, periods): read as dictionaries, so each distinct
    value is parsed once, not once per row; ids stay text (millions of distinct values make
    dictionaries dearer than hashing them once)."""
    types = dict.fromkeys(text, pa.string()) | dict.fromkeys(coded, CODED)
    convert = pacsv.ConvertOptions(
        include_columns=list(types),
        include_missing_columns=True,
        column_types=types,
        null_values=[""],
        strings_can_be_null=True,
    )
    blocks = pacsv.ReadOptions(block_size=1 << 24)  # few chunks: their dictionaries unify fast
    return pacsv.read_csv(path, read_options=blocks, convert_options=convert).unify_dictionaries()


def _blank_null(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _text(table: pa.Table, column: str) -> pa.Array:
    """A text column trimmed, with blank values as nulls."""
    return _blank_null(pc.utf8_trim_whitespace(table.column(column).combine_chunks()))


def _codes(table: pa.Table, column: str) -> tuple[np.ndarray, pa.Array]:
    """A coded column as (each row's code: -1 where not given, or blank once trimmed; the
    distinct values, trimmed, a blank one replaced by another value so that every entry
    parses)."""
    chunks = table.column(column).chunks
    if not chunks:
        return np.zeros(0, np.int64), pa.array([], pa.string())
    values = _blank_null(pc.utf8_trim_whitespace(chunks[0].dictionary.cast(pa.string())))
    indices = pa.chunked_array([c.indices for c in chunks], type=pa.int32()).combine_chunks()
    codes = pc.fill_null(indices, -1).to_numpy().astype(np.int64)
    if values.null_count:
        blank = np.append(values.is_null().to_numpy(zero_copy_only=False), True)
        codes = np.where(blank[codes], -1, codes)
        valid = values.drop_null()
        values = pc.fill_null(values, valid[0] if len(valid) else "")
    return codes, values


def _decoded(table: pa.Table, column: str, decode, missing=None) -> np.ndarray:
    """`decode` of a coded column's distinct values, per row; `missing` where none is given
    (None: every row must give one)."""
    codes, values = _codes(table, column)
    if missing is None and (codes < 0).any():
        raise ValueError(f"{int((codes < 0).sum())} rows give no {column}")
    found = decode(values) if len(values) else np.zeros(0, np.int64)
    return np.append(found, missing if missing is not None else 0)[codes]


def _cents(text: pa.Array) -> np.ndarray:
    """'12', '12.5', '12.50' -> exact integer cents; anything else (a fraction of a cent, a
    sign, an exponent) is refused, as the ingest refuses it."""
    parts = pc.extract_regex(text, r"^(?P<units>\d+)(?:\.(?P<frac>\d{1,2}))?$")
    if parts.null_count:
        raise ValueError(f"{parts.null_count} amounts are not decimals of at most two places")
    units = pc.cast(parts.field("units"), pa.int64()).to_numpy()
    frac = pc.cast(pc.utf8_rpad(parts.field("frac"), width=2, padding="0"), pa.int64())
    return units * 100 + frac.to_numpy()


def _days(values: pa.Array, missing: int | None = None) -> np.ndarray:
    """Dates as day numbers since 1970-01-01 (nulls: `missing`)."""
    days = pc.cast(values, pa.int32())
    if missing is not None:
        days = pc.fill_null(days, missing)
    return days.to_numpy().astype(np.int32)


def _months_of_periods(text: pa.Array) -> np.ndarray:
    """'YYYY-MM' -> year * 12 + month - 1."""
    if not pc.all(pc.match_substring_regex(text, r"^\d{4}-\d{2}$")).as_py():
        raise ValueError("a commission period is not YYYY-MM")
    year = pc.cast(pc.utf8_slice_codeunits(text, 0, 4), pa.int32()).to_numpy()
    month = pc.cast(pc.utf8_slice_codeunits(text, 5, 7), pa.int32()).to_numpy()
    return (year * 12 + month - 1).astype(np.int32)


def _positions(values: pa.Array, among: pa.Array, what: str, optional=False) -> np.ndarray:
    """Each value's position in `among` (-1 where none is given, when `optional`)."""
    found = pc.index_in(values, value_set=among)
    unknown = pc.sum(pc.and_(pc.is_null(found), pc.is_valid(values))).as_py() or 0
    if unknown or (not optional and values.null_count):
        raise ValueError(f"{unknown + (0 if optional else values.null_count)} unknown {what}")
    return pc.fill_null(found, -1).to_numpy().astype(np.int32)


def _day_number(day: date) -> int:
    return int((np.datetime64(day, "D") - EPOCH).astype(np.int64))


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_names(months: np.ndarray) -> list[str]:
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in months.tolist()]


def _per_day(function):
    """`function` of an array of day numbers, worked out once per day of their range and
    gathered when the array is much longer than that range (a million join days span about a
    thousand days): numpy's datetime64 casts cost far more per element than a gather."""

    def over(days, *args):
        days = np.asarray(days, dtype=np.int64)
        if len(days) < 4096:
            return function(days, *args)
        first, last = int(days.min()), int(days.max())
        if (last - first + 1) * 4 > len(days):
            return function(days, *args)
        return function(np.arange(first, last + 1), *args)[days - first]

    over.__doc__ = function.__doc__
    return over


@_per_day
def _plus_months(days: np.ndarray, months: int) -> np.ndarray:
    """The same day of the month `months` later, or that month's last day when it is
    shorter (2024-01-31 + 1 month = 2024-02-29)."""
    stamp = days.astype("datetime64[D]")
    month = stamp.astype("datetime64[M]")
    day_of_month = (stamp - month.astype("datetime64[D]")).astype(np.int64)
    later = month + np.timedelta64(months, "M")
    length = ((later + 1).astype("datetime64[D]") - later.astype("datetime64[D]")).astype(int)
    target = later.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)
    return (target - EPOCH).astype(np.int64)


@_per_day
def _month_of_days(days: np.ndarray) -> np.ndarray:
    """year * 12 + month - 1 of each day."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12


@_per_day
def _late_in_month(days: np.ndarray) -> np.ndarray:
    """Whether each day is one of the last LAST_DAYS days of its month."""
    stamp = days.astype("datetime64[D]")
    next_month = (stamp.astype("datetime64[M]") + 1).astype("datetime64[D]")
    return (next_month - stamp).astype(np.int64) <= LAST_DAYS


# --- the sponsor forest ------------------------------------------------------------------


def _along_path(values: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Per node, the sum of `values` over itself and all its ancestors, by pointer jumping
    (each round doubles the stretch of path summed): a few array passes, not a walk."""
    total = values.astype(np.int64).copy()
    up = parent.astype(np.int64).copy()
    going = np.flatnonzero(up >= 0)
    for _ in range(64):
        if not len(going):
            return total
        above = up[going]
        total[going] += total[above]
        up[going] = up[above]
        going = going[up[going] >= 0]
    raise ValueError("the sponsor links hold a cycle")


class Forest:
    """A sponsor forest numbered for subtree questions: each node's depth, its pre-order
    number and the last pre number of its subtree (so a subtree is a run of pre numbers),
    its direct recruits, and the nodes in pre order. `parent`: the sponsor's position, -1 for
    a root, -2 for a node not in the forest (not joined yet on an as-of day). Siblings are
    numbered in position order (any order would do: no answer depends on it)."""

    def __init__(self, parent: np.ndarray):
        parent = np.asarray(parent, dtype=np.int64)
        self.present = parent >= -1
        linked = parent >= 0
        self.parent = np.where(linked, parent, -1)
        depth = _along_path(linked, self.parent)
        self.depth = np.where(self.present, depth, -1)
        size = self._sizes(linked)
        kids = np.flatnonzero(linked)
        kids = kids[np.argsort(self.parent[kids], kind="stable")]  # grouped by sponsor
        before = np.cumsum(size[kids]) - size[kids]  # sizes of the groups' earlier members
        first = np.ones(len(kids), dtype=bool)
        first[1:] = self.parent[kids][1:] != self.parent[kids][:-1]
        step = np.zeros(len(parent), dtype=np.int64)
        step[kids] = 1 + before - np.maximum.accumulate(np.where(first, before, 0))
        roots = np.flatnonzero(self.present & ~linked)
        step[roots] = np.cumsum(size[roots]) - size[roots]
        self.pre = np.where(self.present, _along_path(step, self.parent), -1)
        self.post = np.where(self.present, self.pre + size - 1, -1)
        self.by_pre = np.empty(int(self.present.sum()), dtype=np.int64)
        self.by_pre[self.pre[self.present]] = np.flatnonzero(self.present)
        self.recruits = np.bincount(self.parent[linked], minlength=len(parent))

    def _sizes(self, linked: np.ndarray) -> np.ndarray:
        """Nodes in each subtree, added up the tree one level at a time, deepest first."""
        size = self.present.astype(np.int64)
        small = np.int16 if len(self.depth) and self.depth.max() < 2**15 else np.int64
        order = np.argsort(self.depth.astype(small), kind="stable")  # 16 bits: a radix sort
        counts = np.bincount(self.depth[self.present])
        ends = np.cumsum(counts) + int((~self.present).sum())
        for level in range(len(counts) - 1, 0, -1):
            nodes = order[ends[level] - counts[level] : ends[level]]
            np.add.at(size, self.parent[nodes], size[nodes])
        return size


@dataclass(frozen=True)
class Cover:
    """What a question covers: positions in pre order of the tree asked, their levels below
    the root asked (or their roots), pre-order intervals, direct recruits in that tree
    (counted before the status filter) and whether each counts as active; `tree`, `base`
    (the root's depth) and `span` (its pre-order interval) place anyone else."""

    tree: Forest
    members: np.ndarray
    level: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    recruits: np.ndarray
    active: np.ndarray
    base: int
    span: tuple[int, int]

    def __len__(self) -> int:
        return len(self.members)

    def levels_of(self, positions: np.ndarray) -> np.ndarray:
        """The level in the tree asked of each position (-1: none, or outside that tree);
        a distributor the status filter left out keeps its place."""
        return self._levels[positions]  # position -1 reads the last entry: -1

    @cached_property
    def _levels(self) -> np.ndarray:
        pre = self.tree.pre
        inside = (pre >= self.span[0]) & (pre <= self.span[1])
        levels = np.where(inside, self.tree.depth - self.base, -1).astype(np.int64)
        return np.append(levels, -1)

    @cached_property
    def rows(self) -> np.ndarray:
        """Position -> row of this cover (-1: not covered)."""
        rows = np.full(len(self.tree.parent), -1, dtype=np.int64)
        rows[self.members] = np.arange(len(self.members))
        return rows


# --- one question's facts ----------------------------------------------------------------


class Period:
    """The period's orders and commissions of the covered distributors (rows of the cover),
    and what each covered distributor bought and earned in it: each column taken on first
    use, from the period's slice of the facts (a view when every fact in it is covered) or,
    when the covered distributors own fewer facts than half the slice (a small subtree), from
    their own facts, found through the facts grouped by owner."""

    def __init__(self, memory: InMemory, cover: Cover, orders: slice, paid: slice):
        self.memory, self.cover = memory, cover
        self._slices = {"order": orders, "paid": paid}
        self._kept: dict[str, np.ndarray | None] = {}
        self._columns: dict[str, np.ndarray] = {}
        self.order_row = self._covered("order", "owner")
        self.paid_row = self._covered("paid", "earner")

    def _covered(self, facts: str, owner: str) -> np.ndarray:
        """The covered rows of the period's facts; which facts those are, kept for the other
        columns (None: all of the slice; a mask over it; or their positions)."""
        part = self._slices[facts]
        start, count, grouped = self.memory.grouped[facts]
        lengths = count[self.cover.members]
        if int(lengths.sum()) < (part.stop - part.start) // 2:
            at = grouped[_ranges(start[self.cover.members], lengths)]
            rows = np.repeat(np.arange(len(self.cover)), lengths)
            inside = (at >= part.start) & (at < part.stop)
            self._kept[facts] = at[inside]
            return rows[inside]
        rows = self.cover.rows[getattr(self.memory, f"{facts}_{owner}")[part]]
        kept = rows >= 0
        if kept.all():
            self._kept[facts] = None
            return rows
        self._kept[facts] = kept
        return rows[kept]

    def __getattr__(self, name: str) -> np.ndarray:
        """order_kind, order_day, order_cents, paid_source, paid_type, paid_trigger,
        paid_cents: the covered facts' column."""
        facts = name.partition("_")[0]
        if name.startswith("_") or facts not in ("order", "paid"):
            raise AttributeError(name)
        if name not in self._columns:
            column, kept = getattr(self.memory, name), self._kept[facts]
            if kept is None or kept.dtype == bool:
                column = column[self._slices[facts]]
            self._columns[name] = column if kept is None else column[kept]
        return self._columns[name]

    def _sum(self, rows: np.ndarray, values=None, size: int | None = None) -> np.ndarray:
        size = len(self.cover) if size is None else size
        return np.bincount(rows, values, minlength=size).astype(np.int64)

    @cached_property
    def bought(self) -> np.ndarray:
        """Per row and order kind (columns in ORDER_KINDS order): cents."""
        cell = self.order_row * len(ORDER_KINDS) + self.order_kind
        return self._sum(cell, self.order_cents, len(self.cover) * 3).reshape(-1, 3)

    @cached_property
    def orders(self) -> np.ndarray:
        """Per row and order kind: how many orders."""
        cell = self.order_row * len(ORDER_KINDS) + self.order_kind
        return self._sum(cell, None, len(self.cover) * 3).reshape(-1, 3)

    @cached_property
    def earned(self) -> np.ndarray:
        return self._sum(self.paid_row, self.paid_cents)

    @property
    def retail(self) -> np.ndarray:
        return self.bought[:, RETAIL]

    @property
    def personal(self) -> np.ndarray:
        return self.bought[:, PERSONAL]

    @property
    def kit(self) -> np.ndarray:
        return self.bought[:, KIT]

    @cached_property
    def revenue(self) -> np.ndarray:
        return self.bought.sum(axis=1)

    def received(self) -> dict[str, np.ndarray]:
        """Per row, commissions retail-tied (type retail_margin or a retail order),
        participant-tied (type recruitment or an own purchase or starter kit, unless
        retail-tied) and paid for recruiting (type recruitment or a starter kit)."""
        kind, cents = self.paid_trigger, self.paid_cents
        retail = (self.paid_type == RETAIL_MARGIN) | (kind == RETAIL)
        recruitment = self.paid_type == RECRUITMENT
        own = (kind == PERSONAL) | (kind == KIT)
        classes = {
            "retail_tied": retail,
            "participant_tied": (recruitment | own) & ~retail,
            "recruiting": recruitment | (kind == KIT),
        }
        return {name: self._sum(self.paid_row, cents * mask) for name, mask in classes.items()}

    def late_personal(self) -> np.ndarray:
        """Per row, own purchases ordered in the last days of their month."""
        mine = self.order_kind == PERSONAL
        late = mine & _late_in_month(self.order_day) if mine.any() else mine
        return self._sum(self.order_row[late], self.order_cents[late])


# --- the contender -----------------------------------------------------------------------


class InMemory:
    """A network's CSV files as arrays, and every analytics view computed from them."""

    def __init__(self, **arrays):
        self.__dict__.update(arrays)

    @classmethod
    def load(cls, folder: Path, sponsor_changes: pd.DataFrame | None = None) -> InMemory:
        """Read distributors.csv, orders.csv and commissions.csv of `folder` (one file of each,
        as `downline demo generate` writes them; clean input). `sponsor_changes`, the hook for
        the tree on a day after transfers: rows of distributor_id, from_id (None: it was a
        root), changed_on (a date), in the order they were loaded; the tree on a day undoes
        every change dated after it. `load_seconds` says how long each part took: reading and
        parsing each file, then what is derived once (the tree now, the facts by owner)."""
        folder, spent, clock = Path(folder), {}, time.perf_counter()
        arrays = _distributors(folder / "distributors.csv")
        spent["distributors"], clock = time.perf_counter() - clock, time.perf_counter()
        ids = arrays["ids"]
        orders, order_ids = _orders(folder / "orders.csv", ids)
        spent["orders"], clock = time.perf_counter() - clock, time.perf_counter()
        arrays.update(orders)
        arrays.update(_commissions(folder / "commissions.csv", ids, order_ids, orders))
        spent["commissions"], clock = time.perf_counter() - clock, time.perf_counter()
        arrays["changes"] = _changes(sponsor_changes, ids)
        arrays["grouped"] = {
            "order": _grouped(arrays["order_owner"], len(ids)),
            "paid": _grouped(arrays["paid_earner"], len(ids)),
        }
        arrays["tree_now"] = Forest(arrays["sponsor"])
        arrays["index"] = pd.Index(ids.to_numpy(zero_copy_only=False))
        spent["derived"] = time.perf_counter() - clock  # the tree, facts by owner, id index
        return cls(**arrays, load_seconds=spent)

    def __len__(self) -> int:
        return len(self.sponsor)

    # --- what a question covers --------------------------------------------------------

    def tree_on(self, day: date) -> Forest:
        """The forest at the end of `day`: who had joined by then, each under the sponsor it
        had before any change dated later (its earliest such change's `from`), a sponsor who
        had not joined yet leaving it a root."""
        sponsor = self.sponsor.astype(np.int64)
        number = _day_number(day)
        who, before, when = self.changes
        later = np.flatnonzero(when > number)
        if len(later):
            later = later[np.argsort(when[later], kind="stable")]
            moved, first = np.unique(who[later], return_index=True)
            sponsor[moved] = before[later[first]]
        joined = self.joined <= number
        parent = np.where(joined, sponsor, -2)
        orphan = joined & (parent >= 0)
        orphan[orphan] = ~joined[parent[orphan]]
        parent[orphan] = -1
        return Forest(parent)

    def cover(self, root: str | None, filters: Filters) -> Cover:
        """The distributors a question covers, in pre order of the tree asked."""
        tree = self.tree_now if filters.as_of is None else self.tree_on(filters.as_of)
        members, base, span = tree.by_pre, 0, (0, np.iinfo(np.int64).max)
        if root is not None:
            at = self.index.get_indexer([root])[0]
            if at < 0:
                raise DownlineError(f"no distributor {root}")
            if tree.pre[at] < 0:
                raise DownlineError(f"{root} had not joined by {filters.as_of}")
            base, span = int(tree.depth[at]), (int(tree.pre[at]), int(tree.post[at]))
            members = tree.by_pre[span[0] : span[1] + 1]
        if filters.as_of is None:
            active = self.status[members] == ACTIVE
        else:
            active = self.left[members] > _day_number(filters.as_of)
        recruits = tree.recruits[members]
        if filters.active_only:
            members, recruits, active = members[active], recruits[active], active[active]
        return Cover(
            tree=tree,
            members=members,
            level=tree.depth[members] - base,
            pre=tree.pre[members],
            post=tree.post[members],
            recruits=recruits.astype(np.int64),
            active=active,
            base=base,
            span=span,
        )

    def period(self, cover: Cover, filters: Filters) -> Period:
        """The orders ordered within the period and the commissions whose month lies within
        its months, of covered distributors (one slice of each, as both are sorted by time)."""
        first = filters.date_from or FIRST_DAY
        last = filters.date_to or filters.as_of or LAST_DAY
        bounds = [_day_number(first), _day_number(last) + 1]
        o = _between(self.order_day, bounds)
        months = [_month_number(first), _month_number(last) + 1]
        c = _between(self.paid_month, months)
        return Period(self, cover, o, c)

    def _asked(self, root: str | None, filters: Filters) -> Period:
        return self.period(self.cover(root, filters), filters)

    # --- the views -----------------------------------------------------------------------

    def levels(self, root: str | None = None, filters: Filters = NO_FILTERS) -> Levels:
        """queries.levels.levels: per level holding a covered distributor, level 0 first."""
        p = self._asked(root, filters)
        level = p.cover.level
        depth = int(level.max(initial=-1)) + 1
        members = np.bincount(level, minlength=depth)
        present = np.flatnonzero(members)

        def total(values):
            return np.bincount(level, values, minlength=depth).astype(np.int64)[present]

        most = np.full(depth, -1, dtype=np.int64)
        np.maximum.at(most, level, p.cover.recruits)
        revenue, earned = total(p.revenue), total(p.earned)
        table = pd.DataFrame(
            {
                "level": present.astype(np.int64),
                "distributors": members[present].astype(np.int64),
                "revenue_cents": revenue,
                "revenue_share": _shares(revenue),
                "commission_cents": earned,
                "commission_share": _shares(earned),
                "avg_recruits": total(p.cover.recruits) / members[present],
                "max_recruits": most[present],
            }
        )
        return Levels(root, table)

    def flows(self, root: str | None = None, filters: Filters = NO_FILTERS) -> Flows:
        """queries.flows.flows: commissions by source and earner level, money entering by
        level and kind, commissions by generation gap."""
        p = self._asked(root, filters)
        source = p.cover.levels_of(p.paid_source)
        earner = p.cover.level[p.paid_row]
        width = int(p.cover.level.max(initial=-1)) + 1
        cell = (source + 1) * width + earner
        size = (int(source.max(initial=-1)) + 2) * width
        cents = np.bincount(cell, p.paid_cents, minlength=size).astype(np.int64)
        count = np.bincount(cell, minlength=size)
        present = np.flatnonzero(count)
        present = np.concatenate([present[present >= width], present[present < width]])
        levels = present // width - 1
        by_level = pd.DataFrame(
            {
                "source_level": pd.array(np.where(levels >= 0, levels, 0), dtype="Int64"),
                "earner_level": (present % width).astype(np.int64),
                "commission_cents": cents[present],
                "commissions": count[present].astype(np.int64),
            }
        )
        by_level.loc[levels < 0, "source_level"] = pd.NA
        pairs = (levels, present % width, cents[present])
        return Flows(by_level, self._entering(p), _by_gap(*pairs))

    def _entering(self, p: Period) -> pd.DataFrame:
        """The period's orders by level and kind (kinds by name within a level)."""
        depth = int(p.cover.level.max(initial=-1)) + 1
        parts = []
        for kind in sorted(ORDER_KINDS):
            k = ORDER_KINDS.index(kind)
            cents = np.bincount(p.cover.level, p.bought[:, k], minlength=depth)
            count = np.bincount(p.cover.level, p.orders[:, k], minlength=depth)
            at = np.flatnonzero(count)
            parts.append(
                pd.DataFrame({"level": at, "kind": kind, "cents": cents[at], "orders": count[at]})
            )
        frame = pd.concat(parts, ignore_index=True)
        frame = frame.sort_values(["level", "kind"], kind="stable").reset_index(drop=True)
        return frame.astype({"level": np.int64, "cents": np.int64, "orders": np.int64})

    def earnings(self, root: str | None = None, filters: Filters = NO_FILTERS) -> Earnings:
        """queries.earnings.earnings: the income disclosure of the covered distributors."""
        p = self._asked(root, filters)
        cents = p.earned
        ordered = np.sort(cents)
        n, total = len(cents), int(cents.sum())
        return Earnings(
            participants=n,
            total_cents=total,
            mean_cents=total / n if n else 0.0,
            median_cents=float(np.median(ordered)) if n else 0.0,
            gini=_gini(ordered),
            top_1_share=_top_share(ordered, Fraction(1, 100)),
            top_10_share=_top_share(ordered, Fraction(10, 100)),
            bands=_bands(cents),
            by_rank=self._by_rank(p),
            lorenz=_lorenz(ordered),
        )

    def _by_rank(self, p: Period) -> pd.DataFrame:
        """Per rank (none given: NO_RANK), the highest mean first, equal means by name."""
        code = self.rank_code[p.cover.members]
        groups = _Groups(code, len(self.rank_names))
        cents = p.earned
        count = groups.sizes
        seen = np.flatnonzero(count)
        frame = pd.DataFrame(
            {
                "rank": self.rank_names[seen],
                "participants": count[seen].astype(np.int64),
                "zero_share": np.bincount(code, cents == 0, len(count))[seen] / count[seen],
                "mean_cents": np.bincount(code, cents, len(count))[seen] / count[seen],
                "median_cents": groups.medians(cents)[seen],
            }
        )
        frame = frame.sort_values(["mean_cents", "rank"], ascending=[False, True])
        return frame.reset_index(drop=True)

    def cohorts(self, root: str | None = None, filters: Filters = NO_FILTERS) -> pd.DataFrame:
        """queries.cohorts.cohorts: per join month, recruits, the share still active 3, 6 and
        12 months after joining (None until its youngest member reached that age by the end
        of the data) and the median commissions in the period."""
        p = self._asked(root, filters)
        members = p.cover.members
        joined, left = self.joined[members], self.left[members]
        end = self._data_end(joined, left, filters)
        month = _month_of_days(joined)
        first = int(month.min(initial=0))
        groups = _Groups(month - first, int(month.max(initial=first - 1)) - first + 1)
        seen = np.flatnonzero(groups.sizes)
        recruits = groups.sizes[seen]
        youngest = groups.max(joined)[seen]
        frame = pd.DataFrame({"cohort": _month_names(seen + first), "recruits": recruits})
        for age in AGES:
            stayed = np.bincount(month - first, left > _plus_months(joined, age), len(groups))
            share = pd.Series(stayed[seen] / recruits, dtype=object)
            judged = (
                np.zeros(len(seen), bool) if end is None else (_plus_months(youngest, age) <= end)
            )
            frame[f"active_after_{age}"] = share.where(judged, None)
        frame["median_commission_cents"] = groups.medians(p.earned)[seen]
        return frame

    @classmethod
    def _retention(cls, joined: np.ndarray, left: np.ndarray, filters: Filters) -> float | None:
        """Of those who joined at least 12 months before the end of the data, the share
        still active 12 months after joining (None: nobody joined that long ago)."""
        end = cls._data_end(joined, left, filters)
        if end is None:
            return None
        year_on = _plus_months(joined, 12)
        judged = year_on <= end
        return float((left[judged] > year_on[judged]).mean()) if judged.any() else None

    @staticmethod
    def _data_end(joined: np.ndarray, left: np.ndarray, filters: Filters) -> int | None:
        """Where the data ends: the period's end (date_to, else as_of), else the last join or
        leave of the covered distributors."""
        last = filters.date_to or filters.as_of
        if last is not None:
            return _day_number(last)
        days = np.concatenate([joined, left[left != NEVER]])
        return int(days.max()) if len(days) else None

    def indicators_with_subtrees(
        self, root: str | None = None, filters: Filters = NO_FILTERS
    ) -> tuple[Indicators, dict[str, pd.DataFrame]]:
        """queries.indicators.indicators_with_subtrees: the indicators, and each ratio's top
        subtrees (MIN_SUBTREE, TOP)."""
        p = self._asked(root, filters)
        parts = _Parts(p)
        members = p.cover.members
        joined, left = self.joined[members], self.left[members]
        totals = {name: int(column.sum()) for name, column in parts.columns.items()}
        value = {key: _ratio(totals[num], totals[den]) for key, (num, den) in RATIOS.items()}
        earned = p.earned
        value["top_1_percent_share"] = (
            _top_share(np.sort(earned), Fraction(1, 100)) if int(earned.sum()) else None
        )
        value["retention_12_months"] = self._retention(joined, left, filters)
        value["end_of_period_buying"] = _ratio(int(p.late_personal().sum()), int(p.personal.sum()))
        details = _details(p, parts, totals)
        items = [
            Indicator(
                spec.key,
                spec.name,
                value[spec.key],
                spec.threshold,
                _crossed(spec.line, value[spec.key]),
                spec.source,
                details.get(spec.key, ""),
            )
            for spec in CATALOGUE
        ]
        lines = {spec.key: spec.line for spec in CATALOGUE}
        subtrees = {key: parts.top(key, lines[key], self.id_text) for key in RATIOS}
        return Indicators(items), subtrees

    def overview(self, root: str | None = None, filters: Filters = NO_FILTERS) -> Overview:
        """queries.overview.overview: the covered distributors' size and money in the period,
        and growth by month (the period's months only, when one is asked)."""
        p = self._asked(root, filters)
        totals = Totals(
            distributors=len(p.cover),
            active=int(p.cover.active.sum()),
            depth=int(p.cover.level.max(initial=0)),
            revenue_cents=int(p.revenue.sum()),
            retail_cents=int(p.retail.sum()),
            commission_cents=int(p.earned.sum()),
            zero_earners=int((p.earned == 0).sum()),
        )
        return Overview(totals, self._growth(p.cover, filters))

    def _growth(self, cover: Cover, filters: Filters) -> pd.DataFrame:
        left = self.left[cover.members]
        joined = _month_of_days(self.joined[cover.members])
        gone = _month_of_days(left[left != NEVER])
        months = np.union1d(joined, gone)
        frame = pd.DataFrame(
            {
                "month": months,
                "joined": _count_in(joined, months),
                "left": _count_in(gone, months),
            }
        )
        frame["net"] = frame.joined - frame.left
        frame["members"] = frame.net.cumsum()
        start = frame.members - frame.net
        frame["attrition"] = (frame.left / start.where(start > 0)).astype(float)
        if filters.period_filtered:
            first = _month_number(filters.date_from or FIRST_DAY)
            last = _month_number(filters.date_to or filters.as_of or LAST_DAY)
            frame = frame[(frame.month >= first) & (frame.month <= last)]
        frame["month"] = _month_names(frame.month.to_numpy())
        return frame.reset_index(drop=True)


# --- loading, per file -------------------------------------------------------------------


def _dates(values: pa.Array) -> np.ndarray:
    return _days(pc.cast(values, pa.date32()))


def _choice(choices: tuple[str, ...], what: str):
    """A decoder: each value's position in `choices` (another value is refused)."""
    return lambda values: _positions(values, pa.array(choices), what)


def _distributors(path: Path) -> dict:
    """Ids, sponsor positions (-1: a root), join and leave days, status codes (not given:
    active, or inactive when a leave date is), rank codes and their names."""
    table = _read(
        path, ("distributor_id", "sponsor_id"), ("joined_on", "rank", "status", "left_on")
    )
    ids = _text(table, "distributor_id")
    if ids.null_count or pc.count_distinct(ids).as_py() != len(ids):
        raise ValueError("distributor ids are missing or repeated")
    left = _decoded(table, "left_on", _dates, NEVER)
    status = _decoded(table, "status", _choice(STATUSES, "statuses"), -1)
    default = np.where(left == NEVER, ACTIVE, STATUSES.index("inactive"))
    codes, names = _codes(table, "rank")
    names = np.append(np.array(names.to_pylist(), dtype=object), NO_RANK)
    rank_names, rank_code = np.unique(names, return_inverse=True)  # alike once trimmed: one
    return {
        "ids": ids,
        "id_text": ids.to_numpy(zero_copy_only=False),
        "sponsor": _positions(_text(table, "sponsor_id"), ids, "sponsors", optional=True),
        "joined": _decoded(table, "joined_on", _dates).astype(np.int32),
        "left": left.astype(np.int32),
        "status": np.where(status >= 0, status, default).astype(np.int8),
        "rank_code": rank_code[codes].astype(np.int64),
        "rank_names": rank_names,
    }


def _by_time(time_of: np.ndarray, arrays: dict) -> dict:
    """The facts in time order (stable), so that a period is one slice."""
    if len(time_of) < 2 or bool((time_of[1:] >= time_of[:-1]).all()):
        return arrays
    order = np.argsort(time_of, kind="stable")
    return {
        k: (v.take(pa.array(order)) if isinstance(v, pa.Array) else v[order])
        for k, v in arrays.items()
    }


def _orders(path: Path, ids: pa.Array) -> tuple[dict, pa.Array]:
    """The orders by day: owner position, day, kind code, cents; and their ids, aligned."""
    table = _read(path, ("order_id", "distributor_id"), ("ordered_on", "amount", "kind"))
    day = _decoded(table, "ordered_on", _dates).astype(np.int32)
    arrays = _by_time(
        day,
        {
            "order_day": day,
            "order_owner": _positions(_text(table, "distributor_id"), ids, "order accounts"),
            "order_kind": _decoded(table, "kind", _choice(ORDER_KINDS, "kinds")).astype(np.int8),
            "order_cents": _decoded(table, "amount", _cents),
            "order_ids": _text(table, "order_id"),
        },
    )
    if int(arrays["order_cents"].sum()) >= EXACT:
        raise ValueError("the orders add up to more than float64 sums hold exactly")
    return arrays, arrays.pop("order_ids")


def _commissions(path: Path, ids: pa.Array, order_ids: pa.Array, orders: dict) -> dict:
    """The commissions by month: earner and source positions (-1: none named), month, type
    code, the kind of the order named (-1: none), cents."""
    table = _read(path, ("earner_id", "source_id", "order_id"), ("period", "amount", "type"))
    month = _decoded(table, "period", _months_of_periods).astype(np.int32)
    named = _positions(_text(table, "order_id"), order_ids, "orders named", optional=True)
    arrays = _by_time(
        month,
        {
            "paid_month": month,
            "paid_earner": _positions(_text(table, "earner_id"), ids, "earners"),
            "paid_source": _positions(_text(table, "source_id"), ids, "sources", optional=True),
            "paid_type": _decoded(table, "type", _choice(COMMISSION_TYPES, "types")).astype(
                np.int8
            ),
            "paid_trigger": np.where(
                named >= 0, orders["order_kind"][np.maximum(named, 0)], -1
            ).astype(np.int8),
            "paid_cents": _decoded(table, "amount", _cents),
        },
    )
    if int(arrays["paid_cents"].sum()) >= EXACT:
        raise ValueError("the commissions add up to more than float64 sums hold exactly")
    return arrays


def _between(times: np.ndarray, bounds: list[int]) -> slice:
    """The facts whose time t has bounds[0] <= t < bounds[1] (`times` sorted). The needles
    have the column's own type: others would make numpy convert the whole column first."""
    limits = np.iinfo(times.dtype)
    needles = np.clip(bounds, limits.min, limits.max).astype(times.dtype)
    return slice(*np.searchsorted(times, needles).tolist())


def _grouped(owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The facts grouped by owner: (each owner's first entry, its number of facts, the facts'
    positions by owner, each owner's in time order), so a few owners' facts are a few runs."""
    count = np.bincount(owner, minlength=n)
    return np.cumsum(count) - count, count, np.argsort(owner, kind="stable")


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The runs [start, start + length) one after another, as one array of positions."""
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return offsets + np.arange(int(lengths.sum()))


def _changes(frame: pd.DataFrame | None, ids: pa.Array) -> tuple[np.ndarray, ...]:
    """Sponsor changes as (who, from whom: -1 for none, day), in load order."""
    if frame is None or frame.empty:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    table = pa.table(
        {
            "who": pa.array(frame.distributor_id, pa.string(), from_pandas=True),
            "from": pa.array(frame.from_id, pa.string(), from_pandas=True),
            "day": pa.array(pd.to_datetime(frame.changed_on).dt.date, pa.date32()),
        }
    )
    return (
        _positions(table.column("who").combine_chunks(), ids, "moved").astype(np.int64),
        _positions(table.column("from").combine_chunks(), ids, "former sponsors", True).astype(
            np.int64
        ),
        _days(table.column("day").combine_chunks()).astype(np.int64),
    )


# --- measures ----------------------------------------------------------------------------


def _shares(cents: np.ndarray) -> np.ndarray:
    total = int(cents.sum())
    return cents / total if total else np.zeros(len(cents))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _pct(value: float | None) -> str:
    return "no data" if value is None else f"{value * 100:.1f} %"


def _crossed(line, value: float | None) -> bool:
    """Past the line's limit in its direction (reaching it counts when `at`)."""
    if value is None:
        return False
    past = line.limit - value if line.below else value - line.limit
    return bool(past >= 0) if line.at else bool(past > 0)


def _count_in(values: np.ndarray, months: np.ndarray) -> np.ndarray:
    found, counts = np.unique(values, return_counts=True)
    out = np.zeros(len(months), dtype=np.int64)
    out[np.searchsorted(months, found)] = counts
    return out


def _by_gap(source: np.ndarray, earner: np.ndarray, cents: np.ndarray) -> pd.DataFrame:
    """Commissions with a source in the tree asked by source level minus earner level, from
    their sums per (source level, earner level) pair that holds any."""
    sourced = source >= 0
    gap = source[sourced] - earner[sourced]
    low = int(gap.min(initial=0))
    totals = np.bincount(gap - low, cents[sourced]).astype(np.int64)
    present = np.flatnonzero(np.bincount(gap - low))
    frame = pd.DataFrame(
        {"gap": (present + low).astype(np.int64), "commission_cents": totals[present]}
    )
    total = int(frame.commission_cents.sum())
    frame["share"] = frame.commission_cents / total if total else 0.0
    return frame


def _gini(ordered: np.ndarray) -> float:
    """Mean absolute difference over twice the mean, from the sorted amounts:
    (2 sum_i i x_i - (n + 1) sum x) / (n sum x), i from 1; exact integers, rounded once."""
    n, total = len(ordered), int(ordered.sum())
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1, dtype=np.int64)
    if n * total < 2**62:  # every partial sum of i * x_i fits in an int64
        weighted = int((ranks * ordered).sum())
        return (2 * weighted - (n + 1) * total) / (n * total)
    return float(2 * (ranks * ordered.astype(float)).sum() / (n * total) - (n + 1) / n)


def _top_share(ordered: np.ndarray, fraction: Fraction) -> float:
    """The share held by the richest round(n x fraction) (half to even), at least one."""
    n, total = len(ordered), int(ordered.sum())
    if n == 0 or total == 0:
        return 0.0
    k = max(1, round(n * fraction))
    return int(ordered[n - k :].sum()) / total


def _lorenz(ordered: np.ndarray, points: int = 20) -> list[tuple[float, float]]:
    n, total = len(ordered), int(ordered.sum())
    if n == 0 or total == 0:
        return [(i / points, i / points) for i in range(points + 1)]
    running = np.concatenate([[0], np.cumsum(ordered)])
    return [
        (i / points, int(running[round(Fraction(n * i, points))]) / total)
        for i in range(points + 1)
    ]


def _bands(cents: np.ndarray) -> pd.DataFrame:
    """Participants, their share and their total per band of BANDS (zero: the first)."""
    lows = np.array([low for _, low, _ in BANDS[1:]])
    band = np.where(cents == 0, 0, np.searchsorted(lows, cents, side="right"))
    count = np.bincount(band, minlength=len(BANDS)).astype(np.int64)
    return pd.DataFrame(
        {
            "band": [name for name, _, _ in BANDS],
            "participants": count,
            "share": count / len(cents) if len(cents) else 0.0,
            "total_cents": np.bincount(band, cents, minlength=len(BANDS)).astype(np.int64),
        }
    )


class _Groups:
    """Rows grouped by a small code in [0, count): sizes, maxima and medians per group, by
    one stable sort of the codes (and a loop over the few groups for medians)."""

    def __init__(self, code: np.ndarray, count: int):
        self.code = code
        self.order = np.argsort(code, kind="stable")
        self.sizes = np.bincount(code, minlength=count)
        self.starts = np.cumsum(self.sizes) - self.sizes

    def __len__(self) -> int:
        return len(self.sizes)

    def max(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.sizes), dtype=np.asarray(values).dtype)
        np.maximum.at(out, self.code, values)
        return out

    def medians(self, values: np.ndarray) -> np.ndarray:
        ordered = np.asarray(values)[self.order]
        out = np.full(len(self.sizes), np.nan)
        for group in np.flatnonzero(self.sizes):
            start = self.starts[group]
            out[group] = np.median(ordered[start : start + self.sizes[group]])
        return out


class _Parts:
    """Per covered distributor (row, in pre order of the tree asked), what the ratio
    indicators sum; and each row's subtree among the covered rows (itself and its covered
    downline: the rows from it up to the last whose pre number is within its interval), so a
    part summed over every subtree is a difference of two cumulative sums."""

    def __init__(self, p: Period):
        cover = p.cover
        self.members = cover.members
        self.start = np.arange(len(cover))
        if len(cover) and cover.pre[-1] - cover.pre[0] + 1 == len(cover):  # nobody left out
            self.end = cover.post - cover.pre[0] + 1
        else:
            self.end = np.searchsorted(cover.pre, cover.post, side="right")
        self.size = self.end - self.start
        earned, bought = p.earned, p.personal + p.kit
        self._summed = {"retail_cents": self.sums(p.retail), "revenue_cents": self.sums(p.revenue)}
        team_retail, team_revenue = self._summed["retail_cents"], self._summed["revenue_cents"]
        customer_share = np.zeros(len(cover))
        np.divide(team_retail, team_revenue, out=customer_share, where=team_revenue > 0)
        self.customer_share = customer_share
        self.columns = {
            **p.received(),
            "commissions": earned,
            "retail_cents": p.retail,
            "revenue_cents": p.revenue,
            "earned": earned,
            "low_customer_pay": np.where(customer_share <= 0.5, earned, 0),
            "net_loss": (earned < bought).astype(np.int64),
            "zero": (earned == 0).astype(np.int64),
            "small": (earned <= SMALL_EARNER).astype(np.int64),
            "participants": np.ones(len(cover), dtype=np.int64),
        }
        self.columns["tied"] = self.columns["retail_tied"] + self.columns["participant_tied"]

    def sums(self, values: np.ndarray) -> np.ndarray:
        running = np.concatenate([[0], np.cumsum(values, dtype=np.int64)])
        return running[self.end] - running[self.start]

    def summed(self, name: str) -> np.ndarray:
        if name not in self._summed:
            self._summed[name] = self.sums(self.columns[name])
        return self._summed[name]

    def top(self, key: str, line, ids: np.ndarray) -> pd.DataFrame:
        """Ratio `key` in every subtree of at least MIN_SUBTREE rows with a non-zero
        denominator; the TOP furthest past the line first (ties: the larger subtree, then the
        root's id): root, distributors, value, crossed."""
        numerator, denominator = RATIOS[key]
        part, whole = self.summed(numerator), self.summed(denominator)
        rows = np.flatnonzero((self.size >= MIN_SUBTREE) & (whole != 0))
        value = part[rows] / whole[rows]
        past = line.limit - value if line.below else value - line.limit
        if len(rows) > TOP:  # the candidates: at least as far past as the TOP-th furthest
            near = past >= np.partition(past, len(past) - TOP)[len(past) - TOP]
            rows, value, past = rows[near], value[near], past[near]
        found = pd.DataFrame(
            {
                "root": ids[self.members[rows]] if len(rows) else np.array([], dtype=object),
                "distributors": self.size[rows].astype(np.int64),
                "value": value,
                "past": past,
            }
        )
        found = found.sort_values(
            ["past", "distributors", "root"], ascending=[False, False, True], kind="stable"
        ).head(TOP)
        crossed = found.past >= 0 if line.at else found.past > 0
        return found.assign(crossed=crossed).drop(columns="past").reset_index(drop=True)


def _details(p: Period, parts: _Parts, totals: dict[str, int]) -> dict[str, str]:
    """The figures quoted beside four indicators (docs/indicators.md)."""
    earned, kit = p.earned, p.kit
    earners = earned > 0
    low = int((parts.customer_share[earners] <= 0.5).sum())
    bought_kit = kit > 0
    lost = _ratio(int((earned[bought_kit] < kit[bought_kit]).sum()), int(bought_kit.sum()))
    participant = _ratio(totals["participant_tied"], totals["tied"])
    return {
        "retail_reward_share": "rewards on participants' own purchases and starter kits: "
        + _pct(participant),
        "low_customer_share_pay": f"{low} of {int(earners.sum())} earners",
        "net_loss_rate": f"starter-kit buyers who never recouped the kit: {_pct(lost)}",
        "top_1_percent_share": f"Gini {_gini(np.sort(earned)):.3f}",
    }
