"""The Cypher engine: every metric's facts read from Neo4j by the statements of
queries/analytics_cypher.py, the specification of each metric (docs/metrics.md).

It reads one row per candidate distributor and the period's facts through the driver, so it
answers whatever state the read model is in, and slowly on a large network; the read model
(queries/snapshot_source.py) answers the same from a columnar snapshot.
"""

from __future__ import annotations

from datetime import date

import neo4j
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from downline.calendar import EPOCH
from downline.snapshot import NEVER
from downline.totals import END_OF_PERIOD_DAYS
from downline.vocabulary import COMMISSION_TYPES, ORDER_KINDS
from queries import analytics_cypher as q
from queries.facts import FIGURES, LevelPairs, Network, OrderSums, Paid
from queries.filters import Filters
from queries.network import Candidates, Changes, cover
from queries.tree import find_root, read


def days(values: pd.Series) -> np.ndarray:
    """Dates (None: not given) as days since 1970-01-01, None as NEVER."""
    stamps = np.array(values.tolist(), dtype="datetime64[D]")
    out = (stamps - np.datetime64(EPOCH, "D")).astype(np.int64)
    out[np.isnat(stamps)] = NEVER
    return out


def codes(values: pd.Series, choices: tuple[str, ...]) -> np.ndarray:
    """Each value's position in `choices` (-1: none)."""
    return positions(values, pa.array(choices))


class CypherSource:
    """Facts for the metrics, read from Neo4j."""

    name = "cypher"

    def __init__(self, driver: neo4j.Driver, database: str):
        self.driver = driver
        self.database = database

    @property
    def cypher(self) -> CypherSource:
        """What Neo4j answers in either engine (stored totals, graph-shaped reads): itself."""
        return self

    def read(self, statement: str, **params) -> pd.DataFrame:
        return read(self.driver, self.database, statement, **params)

    def network(self, root: str | None, filters: Filters) -> Network:
        """The covered distributors with their figures in the period (the all-time totals
        the ingest keeps when no period is asked)."""
        params = filters.params()
        stored = not filters.period_filtered
        if filters.as_of is None and root is not None:
            found = find_root(self.driver, self.database, root)
            statement = q.PER_DISTRIBUTOR_STORED_SUBTREE if stored else q.PER_DISTRIBUTOR_SUBTREE
            frame = self.read(statement, pre=found.pre, post=found.post, **params)
        else:
            statement = q.PER_DISTRIBUTOR_STORED_ALL if stored else q.PER_DISTRIBUTOR_ALL
            frame = self.read(statement, **params)
        candidates = _candidates(frame)
        changes = self._changes(candidates, filters.as_of) if filters.as_of else None
        chosen = cover(candidates, root, filters, changes)
        rows = frame.iloc[chosen.members]
        figures = {c: rows[c].fillna(0).to_numpy(dtype=np.int64) for c in FIGURES}
        return Network.of(
            chosen,
            all_ids=candidates.ids,
            all_ranks=strings(frame["rank"]),
            joined=candidates.joined[chosen.members],
            left=candidates.left[chosen.members],
            **figures,
        )

    def _changes(self, candidates: Candidates, day: date) -> Changes:
        found = self.read(q.CHANGES_AFTER, as_of=day)
        return Changes(
            distributor=positions(found.id, candidates.ids),
            before=positions(found.from_id, candidates.ids),
            day=days(found.changed_on),
        )

    def pairs(self, network: Network, filters: Filters) -> LevelPairs:
        return LevelPairs.of(network, self.paid(network, filters))

    def received(self, network: Network, filters: Filters) -> dict[str, np.ndarray]:
        return self.paid(network, filters).received(len(network))

    def paid(self, network: Network, filters: Filters) -> Paid:
        """The period's commissions by earner, source, type and the order kind behind them."""
        found = self.read(q.COMMISSIONS_BY_PAIR_AND_TRIGGER, **filters.params())
        return Paid(
            earner=positions(found.earner_id, network.ids),
            source_level=network.cover.levels_of(positions(found.source_id, network.all_ids)),
            type=codes(found.type, COMMISSION_TYPES),
            trigger=codes(found.order_kind, ORDER_KINDS),
            cents=found.cents.to_numpy(dtype=np.int64),
            count=found.commissions.to_numpy(dtype=np.int64),
        ).covered()

    def order_sums(self, network: Network, filters: Filters) -> OrderSums:
        """Per covered distributor and order kind: the period's amount and number of orders."""
        found = self.read(q.ORDERS_BY_ACCOUNT_AND_KIND, **filters.params())
        return OrderSums.add_up(
            len(network),
            positions(found.id, network.ids),
            codes(found.kind, ORDER_KINDS),
            found.cents.to_numpy(dtype=np.int64),
            found.orders.to_numpy(dtype=np.int64),
        )

    def late_personal(self, network: Network, filters: Filters) -> np.ndarray:
        """Per covered distributor, personal purchases in the last days of a month."""
        found = self.read(q.PERSONAL_BY_DAY, **filters.params())
        late = (found.day > found.month_end.map(lambda d: d.day) - END_OF_PERIOD_DAYS).to_numpy()
        at = positions(found.id, network.ids)
        keep = late & (at >= 0)
        cents = found.cents.to_numpy(dtype=np.int64)
        return np.bincount(at[keep], cents[keep], minlength=len(network)).astype(np.int64)


def positions(values: pd.Series, ids: pa.Array) -> np.ndarray:
    """Each value's position among `ids` (-1: missing, or not there)."""
    found = pc.index_in(strings(values), value_set=ids, skip_nulls=True)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def strings(values: pd.Series) -> pa.Array:
    """Text values as an Arrow array, missing ones (None or NaN) as nulls."""
    return pa.array(values, type=pa.string(), from_pandas=True)


def _candidates(frame: pd.DataFrame) -> Candidates:
    ids = strings(frame.id)
    pre = frame.pre.to_numpy(dtype=np.int64)
    return Candidates(
        ids=ids,
        sponsor=positions(frame.sponsor_id, ids),
        depth=frame.depth.to_numpy(dtype=np.int64),
        pre=pre,
        post=frame.post.to_numpy(dtype=np.int64),
        joined=days(frame.joined_on),
        left=days(frame.left_on),
        active=(frame.status == "active").to_numpy(),
        by_pre=np.argsort(pre, kind="stable"),
        id_rank=None,
    )
