"""Which engine answers a view: the read model (queries/snapshot_source.py) when its snapshot
reflects the newest finished ingest run, else Cypher (queries/cypher_source.py), with one
warning that says why. Never a wrong answer: a stale snapshot is not used."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import neo4j

from downline import snapshot
from downline.settings import Settings
from queries import analytics_cypher as q
from queries.cypher_source import CypherSource
from queries.snapshot_source import SnapshotSource

REBUILD = "`downline snapshot rebuild` brings it up to date"
_OPENED: dict[Path, SnapshotSource] = {}  # per process: one mapping of each version


@dataclass(frozen=True)
class Choice:
    source: CypherSource | SnapshotSource
    warning: str | None  # why the slower Cypher engine answers, or None


def choose(driver: neo4j.Driver, settings: Settings) -> Choice:
    cypher = CypherSource(driver, settings.neo4j_database)
    try:
        found = _opened(settings.snapshot_dir, cypher)
    except snapshot.SnapshotError as error:
        return Choice(cypher, f"the analytics snapshot cannot be read ({error}); {REBUILD}")
    problem = staleness(cypher, found.version if found else None)
    if problem is not None:
        return Choice(cypher, f"{problem}: answering from Neo4j, which is slower; {REBUILD}")
    return Choice(found.with_cypher(cypher), None)


def _opened(folder: Path, cypher: CypherSource) -> SnapshotSource | None:
    """The current version, mapped once per process (a new version replaces the old one)."""
    current = snapshot.current_folder(folder)
    if current is None:
        return None
    if current not in _OPENED:
        _OPENED.clear()
        _OPENED[current] = SnapshotSource(snapshot.open_version(current), cypher)
    return _OPENED[current]


def staleness(cypher: CypherSource, version: snapshot.Version | None) -> str | None:
    """Why the snapshot does not reflect the newest finished run, or None when it does. A
    run still going is not finished: until it is, the snapshot of the run before answers."""
    if version is None:
        return "there is no analytics snapshot yet"
    runs = cypher.read(q.LATEST_RUNS, limit=100)
    finished = runs[runs.status != "running"]
    newest = finished.id.iloc[0] if len(finished) else None
    if newest != version.run_id:
        return (
            f"the analytics snapshot reflects ingest run {version.run_id}, "
            f"not the newest finished one ({newest})"
        )
    return None
