"""Which distributors a metric covers, and at which level: a subtree, a status, a date.

For the tree as it is, levels are stored depths minus the root's and subtrees are pre-order
intervals. For the tree as it stood on a date, later sponsor changes are undone and the forest
renumbered in Python over every distributor who had joined by then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import neo4j
import pandas as pd
from pandas.api.types import is_object_dtype

from downline.errors import DownlineError
from downline.forest import number_forest
from queries import analytics_cypher as q
from queries.filters import Filters

CENT_COLUMNS = ("retail_cents", "personal_cents", "starter_kit_cents", "commission_cents")


@dataclass(frozen=True)
class Root:
    id: str
    depth: int
    pre: int
    post: int


def read(driver: neo4j.Driver, database: str, statement: str, **params) -> pd.DataFrame:
    # No bookmark manager: Community Edition runs one server, which sees every committed write
    # anyway, and the manager costs a millisecond or two per statement.
    records, _, keys = driver.execute_query(
        statement,
        database_=database,
        routing_=neo4j.RoutingControl.READ,
        bookmark_manager_=None,
        **params,
    )
    frame = pd.DataFrame([r.values() for r in records], columns=keys)
    for column in frame.columns:
        values = frame[column]
        if is_object_dtype(values) and values.map(lambda v: hasattr(v, "to_native")).any():
            frame[column] = values.map(lambda v: v.to_native() if v is not None else None)
    return frame


def no_such_distributor(did: str) -> DownlineError:
    return DownlineError(f"no distributor {did}")


def find_root(driver: neo4j.Driver, database: str, root_id: str | None) -> Root | None:
    if root_id is None:
        return None
    frame = read(driver, database, q.ROOT, root=root_id)
    if frame.empty:
        raise no_such_distributor(root_id)
    row = frame.iloc[0]
    return Root(row.id, int(row.depth), int(row.pre), int(row.post))


def distributors(
    driver: neo4j.Driver, database: str, filters: Filters, root: Root | None
) -> pd.DataFrame:
    """One row per distributor covered, with `level` and its activity within the period."""
    params = filters.params()
    stored = not filters.period_filtered  # all time: the totals the ingest keeps answer
    if filters.as_of is None and root is not None:
        statement = q.PER_DISTRIBUTOR_STORED_SUBTREE if stored else q.PER_DISTRIBUTOR_SUBTREE
        frame = read(driver, database, statement, pre=root.pre, post=root.post, **params)
    else:
        statement = q.PER_DISTRIBUTOR_STORED_ALL if stored else q.PER_DISTRIBUTOR_ALL
        frame = read(driver, database, statement, **params)
    for column in CENT_COLUMNS:
        frame[column] = frame[column].fillna(0).astype("int64")
    if filters.as_of is None:
        frame["level"] = frame.depth - (root.depth if root else 0)
        active = frame.status == "active"
    else:
        frame = _as_of(driver, database, frame, filters.as_of, root)
        active = frame.left_on.isna() | (frame.left_on > filters.as_of)
    recruits = frame.sponsor_id.value_counts()
    frame["recruits"] = frame.id.map(recruits).fillna(0).astype("int64")
    if filters.active_only:
        frame = frame[active]
    return frame.reset_index(drop=True)


def _as_of(driver, database, frame: pd.DataFrame, day: date, root: Root | None) -> pd.DataFrame:
    frame = frame[frame.joined_on <= day].copy()
    sponsors = dict(zip(frame.id, frame.sponsor_id, strict=True))
    changes = read(driver, database, q.CHANGES_AFTER, as_of=day)
    undone: set[str] = set()
    for change in changes.itertuples():  # the earliest later change holds the sponsor then
        if change.id in sponsors and change.id not in undone:
            sponsors[change.id] = change.from_id
            undone.add(change.id)
    sponsors = {d: (s if s in sponsors else None) for d, s in sponsors.items()}
    numbers = number_forest(sponsors)
    frame["sponsor_id"] = frame.id.map(sponsors)
    frame["depth"] = frame.id.map(lambda d: numbers[d][0])
    frame["pre"] = frame.id.map(lambda d: numbers[d][1])
    frame["post"] = frame.id.map(lambda d: numbers[d][2])
    base = 0
    if root is not None:
        if root.id not in numbers:
            raise DownlineError(f"{root.id} had not joined by {day}")
        base, pre, post, _ = numbers[root.id]
        frame = frame[(frame.pre >= pre) & (frame.pre <= post)]
    frame["level"] = frame.depth - base
    return frame
