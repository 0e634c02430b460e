"""The ingest lock (one load at a time, across machines) and the IngestRun records."""

from __future__ import annotations

import json
import os
import socket
import threading
from datetime import date
from pathlib import Path

import neo4j

from downline.errors import DownlineError
from downline.processes import pid_alive
from ingest import cypher
from ingest.report import RunReport

LOCK_NAME = "ingest"


class IngestBusy(DownlineError):
    """Another ingest holds the lock and is alive."""


class IngestLock:
    """A lock node in Neo4j with a heartbeat; a dead holder's lock is taken over.

    The holder is dead when its heartbeat is older than the TTL, or when it ran on this host
    and its process is gone (so a killed run can be re-run at once).
    """

    def __init__(self, driver: neo4j.Driver, database: str, run_id: str, ttl: float):
        self.driver = driver
        self.database = database
        self.run_id = run_id
        self.ttl = ttl
        self.host = socket.gethostname()
        self.holder = f"{self.host}:{os.getpid()}:{run_id}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> str | None:
        """Take the lock; return the run id of a dead holder whose run was interrupted."""
        with self.driver.session(database=self.database) as session:
            return session.execute_write(self._acquire)

    def _acquire(self, tx) -> str | None:
        current = tx.run(cypher.TAKE_LOCK_FOR_READ, name=LOCK_NAME, ttl=int(self.ttl)).single()
        if current["holder"] is not None:
            dead = bool(current["expired"]) or (
                current["host"] == self.host and not pid_alive(current["pid"])
            )
            if not dead:
                raise IngestBusy(
                    f"another ingest is running (run {current['run_id']} on {current['host']}, "
                    f"pid {current['pid']}); try again when it has finished"
                )
            tx.run(
                cypher.MARK_RUN_INTERRUPTED,
                run_id=current["run_id"],
                reason="the process stopped before the run finished",
            )
        tx.run(
            cypher.SET_LOCK_HOLDER,
            name=LOCK_NAME,
            holder=self.holder,
            host=self.host,
            pid=os.getpid(),
            run_id=self.run_id,
        )
        return current["run_id"] if current["holder"] is not None else None

    def start_heartbeat(self) -> None:
        self._thread = threading.Thread(target=self._beat, name="ingest-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.ttl / 4):
            try:
                self.driver.execute_query(
                    cypher.HEARTBEAT, name=LOCK_NAME, holder=self.holder, database_=self.database
                )
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError):
                pass  # the next beat tries again; the TTL leaves room for a few misses

    def abandon(self) -> None:
        """Stop the heartbeat and keep the lock: the database it lives in is being replaced."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def release(self, driver: neo4j.Driver | None = None) -> None:
        """Give the lock up (through `driver` when the server restarted since it was taken:
        an abandoned lock that came back with the store a failed bulk import put back)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        (driver or self.driver).execute_query(
            cypher.RELEASE_LOCK, name=LOCK_NAME, holder=self.holder, database_=self.database
        )


def bulk_marker(settings) -> Path:
    """Present while a bulk load may have left the local database incomplete."""
    return settings.data_dir / "run" / "bulk-load.pending"


def newest_finished(driver, database) -> str | None:
    """The id of the newest run that is not running (finished, failed or interrupted)."""
    records, _, _ = driver.execute_query(cypher.NEWEST_FINISHED_RUN, database_=database)
    return records[0]["id"] if records else None


def record_start(driver, database, report: RunReport) -> None:
    driver.execute_query(
        cypher.START_RUN,
        run_id=report.run_id,
        started_at=report.started_at,
        host=socket.gethostname(),
        pid=os.getpid(),
        as_of=date.fromisoformat(report.as_of),
        files=[f.path for f in report.files],
        checksums=[f.sha256 for f in report.files],
        database_=database,
    )


def record_finish(driver, database, report: RunReport) -> None:
    driver.execute_query(
        cypher.FINISH_RUN,
        run_id=report.run_id,
        status=report.status,
        error=report.error,
        read=report.read,
        loaded=report.loaded,
        rejected=report.rejected,
        report=json.dumps(report.to_dict(), default=str),
        database_=database,
    )


def history(driver, database, limit: int = 20) -> list[dict]:
    records, _, _ = driver.execute_query(
        cypher.RUN_HISTORY,
        limit=limit,
        database_=database,
        routing_=neo4j.RoutingControl.READ,
    )
    return [record.data() for record in records]


def already_loaded(driver, database, checksum: str) -> str | None:
    """The id of a finished run that loaded a file with this checksum, if any."""
    records, _, _ = driver.execute_query(
        cypher.LOADED_CHECKSUM,
        checksum=checksum,
        database_=database,
        routing_=neo4j.RoutingControl.READ,
    )
    return records[0]["run_id"] if records else None
