"""Reading Cypher results into frames, and a subtree's root with its stored numbers."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j
import pandas as pd
from pandas.api.types import is_object_dtype

from queries import analytics_cypher as q
from queries.network import no_such_distributor


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


def find_root(driver: neo4j.Driver, database: str, root_id: str | None) -> Root | None:
    if root_id is None:
        return None
    frame = read(driver, database, q.ROOT, root=root_id)
    if frame.empty:
        raise no_such_distributor(root_id)
    row = frame.iloc[0]
    return Root(row.id, int(row.depth), int(row.pre), int(row.post))
