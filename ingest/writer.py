"""Batches written on background threads while the next ones are parsed."""

from __future__ import annotations

import queue
import threading

from ingest.report import RejectWriter


class BackgroundWriter:
    """Writes batches on writer threads while the caller parses the next ones.

    Neo4j commits faster with two transactions in flight than with one. Rows are routed to a
    writer by their owner (the distributor an order hangs from), so concurrent transactions
    seldom lock the same nodes; the rare deadlock left (two relationship chains sharing a
    relationship) is retried by the managed transaction. Items are
    (line, fields, record, reason): a reason means the row is rejected. Each writer's queue
    holds at most two batches, so memory stays bounded; an error in a writer is raised in the
    caller at the next send or on exit.
    """

    def __init__(self, flush, rejects: RejectWriter, threads: int, owner: str | None):
        self.flush = flush
        self.rejects = rejects
        self.owner = owner
        self.items: list = []
        self.queues: list[queue.Queue] = [queue.Queue(maxsize=2) for _ in range(threads)]
        self.error: BaseException | None = None
        self.threads = [
            threading.Thread(target=self._work, args=(q,), name="ingest-writer", daemon=True)
            for q in self.queues
        ]

    @property
    def pending(self) -> int:
        return len(self.items)

    def add(self, line, fields, record, reason) -> None:
        self.items.append((line, fields, record, reason))

    def send(self) -> None:
        if self.error is not None:
            raise self.error
        if not self.items:
            return
        if len(self.queues) == 1:
            self.queues[0].put(self.items)
        else:
            parts: list[list] = [[] for _ in self.queues]
            for item in self.items:
                record = item[2]
                key = record[self.owner] if record is not None else item[0]
                parts[hash(key) % len(parts)].append(item)
            for part, target in zip(parts, self.queues, strict=True):
                if part:
                    target.put(part)
        self.items = []

    def _work(self, source: queue.Queue) -> None:
        while (items := source.get()) is not None:
            if self.error is not None:
                continue  # drain after a failure
            try:
                for line, fields, _, reason in items:
                    if reason is not None:
                        self.rejects.reject(line, fields, reason)
                batch = [
                    (line, fields, record)
                    for line, fields, record, reason in items
                    if reason is None
                ]
                if batch:
                    self.flush(batch)
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller
                self.error = error

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.send()
        for target in self.queues:
            target.put(None)
        for thread in self.threads:
            thread.join()
        if exc_type is None and self.error is not None:
            raise self.error
        return False
