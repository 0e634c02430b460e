"""What the metrics compute on, whichever engine read it (queries/cypher_source.py or
queries/snapshot_source.py): the covered distributors as aligned arrays, the period's
commissions, and order sums per distributor and kind. Rows are the covered distributors in
pre order of the tree asked; every other array refers to them by row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from downline.totals import REVENUE_COLUMNS, commission_classes, revenue
from downline.vocabulary import ORDER_KINDS
from queries.network import Cover

# A distributor's figures in the period, in integer cents: orders by kind, then commissions.
FIGURES = (*REVENUE_COLUMNS, "commission_cents")


@dataclass(frozen=True)
class Network:
    """The covered distributors: level (0 is the root asked, or each root of the forest),
    pre-order interval in the tree asked, active (status, or not left by the as-of day),
    direct recruits in that tree, join and leave days (NEVER: not left), and what each bought
    and earned in the period. `members`: their positions in the engine's own table, whose ids
    and ranks are `all_ids` and `all_ranks` (looked up only when asked: most views need none)."""

    all_ids: pa.Array
    all_ranks: pa.Array
    members: np.ndarray
    level: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    active: np.ndarray
    recruits: np.ndarray
    joined: np.ndarray
    left: np.ndarray
    retail_cents: np.ndarray
    personal_cents: np.ndarray
    starter_kit_cents: np.ndarray
    commission_cents: np.ndarray
    cover: Cover | None = None  # places distributors it does not cover (engines set it)

    @classmethod
    def of(cls, cover: Cover, **columns) -> Network:
        return cls(
            cover=cover,
            members=cover.members,
            level=cover.level,
            pre=cover.pre,
            post=cover.post,
            active=cover.active,
            recruits=cover.recruits,
            **columns,
        )

    def __len__(self) -> int:
        return len(self.level)

    @property
    def ids(self) -> pa.Array:
        return pc.take(self.all_ids, pa.array(self.members))

    @property
    def rank(self) -> pa.Array:
        return pc.take(self.all_ranks, pa.array(self.members))

    def ids_of(self, rows: np.ndarray) -> list[str]:
        """The ids of some rows."""
        return pc.take(self.all_ids, pa.array(self.members[rows])).to_pylist()

    @property
    def revenue_cents(self) -> np.ndarray:
        """Revenue: orders of every kind (retail, own purchases, starter kits)."""
        return revenue(vars(self))

    @property
    def bought_cents(self) -> np.ndarray:
        """What the distributor paid the company: own purchases and starter kits."""
        return self.personal_cents + self.starter_kit_cents


@dataclass(frozen=True)
class Paid:
    """The period's commissions to covered earners, one entry per group of them: the earner's
    row, the source's level in the tree asked (-1: none named, or outside that tree), the type
    and trigger codes (the kind of the order named, -1 when none; codes index
    downline.vocabulary), amount and number of commissions (None: one each)."""

    earner: np.ndarray
    source_level: np.ndarray | None  # None: not looked up (what needs no sources)
    type: np.ndarray
    trigger: np.ndarray
    cents: np.ndarray
    count: np.ndarray | None = None

    def covered(self) -> Paid:
        keep = self.earner >= 0
        return Paid(
            *(None if v is None else v[keep] for v in (getattr(self, f) for f in _PAID_FIELDS))
        )

    def received_total(self, rows: int) -> np.ndarray:
        """Per covered row, all its commissions."""
        return _sum(self.earner, self.cents, rows)

    def received(self, rows: int) -> dict[str, np.ndarray]:
        """Per covered row, the commissions of each of COMMISSION_CLASSES: one sum over (row,
        combination of classes), then each class adds up the combinations that hold it."""
        classes = commission_classes(self.type, self.trigger)
        code = sum(mask.astype(np.int64) << bit for bit, mask in enumerate(classes.values()))
        width = 1 << len(classes)
        by_code = _sum(self.earner * width + code, self.cents, rows * width).reshape(rows, width)
        return {
            name: by_code[:, [c for c in range(width) if c >> bit & 1]].sum(axis=1)
            for bit, name in enumerate(classes)
        }


_PAID_FIELDS = ("earner", "source_level", "type", "trigger", "cents", "count")


@dataclass(frozen=True)
class LevelPairs:
    """The period's commissions to covered earners by (source level: -1 when none is named or
    it is outside the tree asked, earner level): amount and number (None: one each), one entry
    per group."""

    source_level: np.ndarray
    earner_level: np.ndarray
    cents: np.ndarray
    count: np.ndarray | None

    @classmethod
    def of(cls, network: Network, paid: Paid) -> LevelPairs:
        """The commissions summed by level pair (few: levels squared at most)."""
        earner = network.level[paid.earner]
        width = int(earner.max(initial=-1)) + 1
        cell = (paid.source_level.astype(np.int64) + 1) * width + earner
        size = (int(paid.source_level.max(initial=-1)) + 2) * width
        count = _sum(cell, paid.count, size)
        present = np.flatnonzero(count)
        return cls(
            source_level=present // width - 1 if width else present,
            earner_level=present % width if width else present,
            cents=_sum(cell, paid.cents, size)[present],
            count=count[present],
        )


def _sum(rows: np.ndarray, values: np.ndarray | None, size: int) -> np.ndarray:
    """Per row, the sum of the values given for it, or how many are given (values None); exact
    for cents: float64 holds every integer below 2**53."""
    return np.bincount(rows, values, minlength=size).astype(np.int64)


@dataclass(frozen=True)
class OrderSums:
    """Per covered distributor (rows) and order kind (columns, in ORDER_KINDS order): the
    period's order amounts and numbers of orders (None when not asked for)."""

    cents: np.ndarray
    count: np.ndarray | None

    @classmethod
    def add_up(cls, rows: int, at, kind, cents, count=None) -> OrderSums:
        """Sums of entries (row, kind code, cents, number of orders: None for one each); rows
        -1 are not covered."""
        keep = at >= 0
        cell = at[keep] * len(ORDER_KINDS) + kind[keep]
        size, shape = rows * len(ORDER_KINDS), (rows, len(ORDER_KINDS))
        amounts = _sum(cell, np.asarray(cents)[keep], size).reshape(shape)
        numbers = _sum(cell, None if count is None else np.asarray(count)[keep], size)
        return cls(amounts, numbers.reshape(shape))
