"""The one generic runner of saved and ad-hoc queries: checked, read-only, bounded, audited."""

from __future__ import annotations

import getpass
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import neo4j
import pandas as pd
from neo4j.exceptions import ClientError, Neo4jError

from downline.errors import DownlineError
from queries.library import SavedQuery
from queries.readonly import QueryRefused, check_plan, check_text


@dataclass(frozen=True)
class QueryResult:
    rows: pd.DataFrame
    truncated: bool  # more rows than the cap: only the first `limit` are kept
    seconds: float


def _native(value):
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, list):
        return [_native(v) for v in value]
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, (neo4j.graph.Node, neo4j.graph.Relationship)):
        return {k: _native(v) for k, v in dict(value).items()}
    return value


def run_query(
    driver: neo4j.Driver,
    database: str,
    query: SavedQuery,
    values: dict,
    *,
    limit: int,
    timeout: float,
    audit_log: Path,
    user: str | None = None,
) -> QueryResult:
    """Check, then run in a read transaction; every call leaves one audit record."""
    began = time.monotonic()
    record = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "user": user or getpass.getuser(),
        "query": query.name,
        "sha256": hashlib.sha256(query.text.encode()).hexdigest(),
        "params": values,
    }
    try:
        check_text(query.text)
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            summary = session.run("EXPLAIN " + query.text, values).consume()
            check_plan(summary.query_type)
            fetch = neo4j.unit_of_work(timeout=timeout)(_fetch)
            rows, truncated = session.execute_read(fetch, query.text, values, limit)
    except QueryRefused as refused:
        _audit(audit_log, record, began, "refused", str(refused))
        raise
    except ClientError as error:
        reason = _client_reason(error, timeout)
        _audit(audit_log, record, began, "failed", reason)
        raise DownlineError(f"{query.name}: {reason}") from None
    except Neo4jError as error:
        _audit(audit_log, record, began, "failed", error.message or str(error))
        raise
    seconds = time.monotonic() - began
    _audit(audit_log, record, began, "truncated" if truncated else "ok", None, len(rows))
    return QueryResult(rows, truncated, seconds)


def _fetch(tx, query, values, limit):
    result = tx.run(query, values)
    keys = result.keys()
    rows = []
    for record in result:
        if len(rows) == limit:
            return pd.DataFrame(rows, columns=keys), True
        rows.append([_native(v) for v in record.values()])
    return pd.DataFrame(rows, columns=keys), False


def _client_reason(error: ClientError, timeout: float) -> str:
    code = error.code or ""
    if "TransactionTimedOut" in code or "Timeout" in code:
        return f"stopped after the {timeout:g} s timeout"
    if "AccessMode" in code or "WriteOnReadOnly" in code:
        return "refused by Neo4j: it tried to write in a read transaction"
    return (error.message or code).splitlines()[0]


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else str(value)


def _audit(path: Path, record: dict, began: float, outcome: str, reason, rows: int = 0) -> None:
    entry = {
        **record,
        "rows": rows,
        "seconds": round(time.monotonic() - began, 3),
        "outcome": outcome,
        "reason": reason,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, default=_jsonable) + "\n")
