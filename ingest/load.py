"""Loads one file in two streaming passes, so that every row is loaded or rejected with a reason.

Pass 1 (ingest.scan) reads the whole file without writing; for distributors the sponsor tree is
then checked merged with the one in Neo4j (ingest.verdicts, shared with the bulk load). Pass 2
reads it again and writes `UNWIND` batches in managed transactions; rows whose references are
missing from Neo4j, or which contradict what is stored, are rejected then. Memory is bounded by
the batch size plus what pass 1 keeps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import neo4j

from ingest import cypher
from ingest.options import LoadOptions
from ingest.reader import CsvFile
from ingest.references import References
from ingest.report import FileReport, RejectWriter
from ingest.scan import Scan
from ingest.snapshot import Delta
from ingest.verdicts import Verdict, Verdicts
from ingest.writer import BackgroundWriter


def _fmt(value) -> str:
    return "empty" if value is None else str(value)


class Loader:
    """Loads the files of one run; remembers rejected distributors and customers across files."""

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str,
        options: LoadOptions,
        advance: Callable[[int], None] = lambda rows: None,
    ):
        self.driver = driver
        self.database = database
        self.options = options
        self.advance = advance
        self.references = References()
        self.delta = Delta()  # what this run writes, for the analytics snapshot
        # For the derived values (ingest.derive): each moved distributor's sponsor before
        # the run, and +1/-1 per distributor whose status turned active or stopped being.
        self.was: dict[str, str | None] = {}
        self.flips: Counter[str] = Counter()

    # --- helpers -------------------------------------------------------------------------

    def _query(self, statement: str, **params) -> list[neo4j.Record]:
        records, _, _ = self.driver.execute_query(statement, database_=self.database, **params)
        return records

    def _existing(self, statement: str, ids) -> set[str]:
        ids = sorted({i for i in ids if i is not None})
        if not ids:
            return set()
        return {r["id"] for r in self._query(statement, ids=ids)}

    # --- one file ------------------------------------------------------------------------

    def load(self, csv_file: CsvFile, report: FileReport) -> None:
        kind = csv_file.spec.kind
        self._placed = "placement_id" in csv_file.header
        verdicts = Verdicts(csv_file, report, self.options.latest)
        stored: dict[str, str | None] = {}
        pending: set[str] = set()
        if kind == "distributors":
            stored, pending = self._stored_sponsors(verdicts.scan)
            verdicts.check_tree(stored)
        # Into an empty label (a first load) every id is new: no per-batch look-up is needed.
        probe = {"orders": cypher.ANY_ORDER, "commissions": cypher.ANY_COMMISSION}.get(kind)
        self._first_load = probe is not None and not self._query(probe)
        folder = self.options.rejects_dir or csv_file.path.parent
        rejects = RejectWriter(csv_file.path, csv_file.header, folder, report)
        try:
            self._write(verdicts, rejects, report, stored)
            if kind == "distributors":
                self._link_distributors(verdicts.scan, stored, pending, report)
        finally:
            rejects.close()
        verdicts.fold_into(self.references)

    def _write(self, verdicts: Verdicts, rejects: RejectWriter, report: FileReport, stored) -> None:
        """Accepted rows in batches on writer threads. An exact repeat shares the fate of the
        line it repeats, which is known once every batch is written."""
        kind = verdicts.csv_file.spec.kind
        flush = {
            "distributors": lambda b: self._flush_distributors(b, stored, report),
            "customers": lambda b: self._flush_customers(b, rejects, report),
            "orders": lambda b: self._flush_orders(b, rejects, report),
            "commissions": lambda b: self._flush_commissions(b, rejects, report),
        }[kind]
        # Orders and customers are written by several threads, partitioned by the one node
        # they lock. Distributors and commissions (which lock earner, source and order, so no
        # partition keeps transactions apart) are written by one.
        owner = {"orders": "distributor_id", "customers": "referred_by"}.get(kind)
        writers = self.options.writers if owner else 1
        repeats: list[Verdict] = []
        with BackgroundWriter(flush, rejects, writers, owner) as writer:
            for row in verdicts.rows(self.advance):
                if row.repeats is None:
                    writer.add(row.line, row.fields, row.record, row.reason)
                else:
                    repeats.append(row)
                if writer.pending >= self.options.batch_size:
                    writer.send()
        for row in repeats:
            if row.repeats in rejects.reasons:
                rejects.reject(row.line, row.fields, rejects.reasons[row.repeats])
            else:
                report.count(collapsed=1, loaded=1)

    # --- distributors --------------------------------------------------------------------

    def _stored_sponsors(self, scan: Scan) -> tuple[dict[str, str | None], set[str]]:
        """id -> sponsor of the stored distributors the file names (its rows, their sponsors
        and placements) and of their uplines, which is all the tree checks and the links
        read, and the ids an interrupted run created; one upline level per read. A file
        naming a large part of the network reads the whole tree in one pass instead."""
        named = {*scan.sponsors, *scan.rejected_ids, *scan.sponsors.values()}
        named.update(placement for placement, _ in scan.placements.values())
        named.discard(None)
        if len(named) * WHOLE_TREE_SHARE > self._query(cypher.DISTRIBUTOR_COUNT)[0]["n"]:
            return self._all_sponsors()
        sponsors: dict[str, str | None] = {}
        pending: set[str] = set()
        frontier = sorted(named)
        while frontier:
            for start in range(0, len(frontier), self.options.batch_size):
                ids = frontier[start : start + self.options.batch_size]
                for record in self._query(cypher.SPONSORS_OF, ids=ids):
                    sponsors[record["id"]] = record["sponsor_id"]
                    if record["pending"]:
                        pending.add(record["id"])
            frontier = sorted({s for s in sponsors.values() if s} - set(sponsors))
        return sponsors, pending

    def _all_sponsors(self) -> tuple[dict[str, str | None], set[str]]:
        """id -> sponsor of the stored tree, and the ids an interrupted run created."""
        sponsors: dict[str, str | None] = {}
        pending: set[str] = set()

        def read(tx):
            for record in tx.run(cypher.ALL_SPONSORS):
                sponsors[record["id"]] = record["sponsor_id"]
                if record["pending"]:
                    pending.add(record["id"])

        with self.driver.session(
            database=self.database, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            session.execute_read(read)
        return sponsors, pending

    def _flush_distributors(self, batch, existing, report: FileReport) -> None:
        rows = [record for _, _, record in batch]
        for flipped in self._query(cypher.MERGE_DISTRIBUTORS, rows=rows):
            self.flips[flipped["id"]] += flipped["flip"]
        self.delta.add_records("distributors", [{**r, "placed": self._placed} for r in rows])
        known = sum(1 for _, _, record in batch if record["id"] in existing)
        report.count(existing=known, created=len(batch) - known, loaded=len(batch))

    def _link_distributors(self, scan: Scan, existing, pending, report) -> None:
        """After every node exists: sponsor links that changed, then placements.

        A distributor with no stored link gets its first one by a plain CREATE; every other
        change goes through LINK_SPONSORS, which removes the stored link first and records a
        transfer unless an interrupted run had created the distributor.
        """
        missing = object()
        links = [
            {
                "id": did,
                "sponsor_id": sponsor,
                "record_change": did in existing and did not in pending,
                "changed_on": self.options.as_of,
            }
            for did, sponsor in scan.sponsors.items()
            if existing.get(did, missing) != sponsor
        ]
        report.count(transfers=sum(1 for link in links if link["record_change"]))
        for link in links:
            if link["record_change"]:
                self.was.setdefault(link["id"], existing.get(link["id"]))
        self.delta.add_records(
            "changes",
            [
                {
                    "distributor_id": link["id"],
                    "from_id": existing.get(link["id"]),
                    "to_id": link["sponsor_id"],
                    "changed_on": link["changed_on"],
                }
                for link in links
                if link["record_change"]
            ],
        )
        size = self.options.batch_size
        fresh, changed = [], []
        for link in links:
            first = existing.get(link["id"]) is None and not link["record_change"]
            if first and link["sponsor_id"] is None:
                continue  # a new root: no link to make
            (fresh if first else changed).append(link)
        for statement, rows in ((cypher.LINK_NEW_SPONSORS, fresh), (cypher.LINK_SPONSORS, changed)):
            for start in range(0, len(rows), size):
                self._query(statement, rows=rows[start : start + size])
        placements = [
            {"id": did, "placement_id": pid, "placement_leg": leg}
            for did, (pid, leg) in scan.placements.items()
        ]
        for start in range(0, len(placements), size):
            self._query(cypher.LINK_PLACEMENTS, rows=placements[start : start + size])

    # --- references ----------------------------------------------------------------------

    def _refs(self, records: list[dict]) -> dict[str, set[str]]:
        people = [
            r.get(c)
            for r in records
            for c in ("distributor_id", "referred_by", "earner_id", "source_id")
        ]
        return {
            "distributors": self._existing(cypher.existing_ids("Distributor"), people),
            "customers": self._existing(
                cypher.existing_ids("Customer"), [r.get("customer_id") for r in records]
            ),
            "orders": self._existing(
                cypher.existing_ids("Order"), [r.get("order_id") for r in records]
            ),
        }

    def _split(self, batch, rejects: RejectWriter, report: FileReport, stored=None):
        """(rows to write, {id: reason} of rows rejected for a missing reference or for
        contradicting the stored row with their id); identical stored rows count as loaded."""
        refs = self._refs([record for _, _, record in batch])
        fresh, refused = [], {}
        for line, fields, record in batch:
            problem = self.references.problem(record, refs)
            if problem is None and stored is not None and record["id"] in stored:
                problem = _contradiction(record, stored[record["id"]])
                if problem is None:
                    report.count(existing=1, loaded=1)
                    continue
            if problem is not None:
                rejects.reject(line, fields, problem)
                refused[record["id"]] = problem
                continue
            fresh.append(record)
        return fresh, refused

    # --- customers, orders, commissions ----------------------------------------------------

    def _flush_customers(self, batch, rejects: RejectWriter, report: FileReport) -> None:
        known = self._existing(cypher.existing_ids("Customer"), [r["id"] for _, _, r in batch])
        rows, refused = self._split(batch, rejects, report)
        for cid, reason in refused.items():
            if cid not in known:
                self.references.rejected_customers.setdefault(cid, reason)
        if rows:
            self._query(cypher.MERGE_CUSTOMERS, rows=rows)
        existing = sum(1 for r in rows if r["id"] in known)
        report.count(existing=existing, created=len(rows) - existing, loaded=len(rows))

    def _flush_stored_facts(
        self, batch, rejects, report, lookup, create, exists, owner_column
    ) -> None:
        """Orders and commissions: identical repeats count as loaded, contradicting ones are
        rejected, new ones created; a row whose references are missing is not created, and
        only those rows are looked into for the reason."""
        stored = (
            {}
            if self._first_load
            else {
                r["id"]: r.data()
                for r in self._query(lookup, ids=[record["id"] for _, _, record in batch])
            }
        )
        candidates = []
        for line, fields, record in batch:
            if record["id"] in stored:
                problem = _contradiction(record, stored[record["id"]])
                if problem:
                    rejects.reject(line, fields, problem)
                else:
                    report.count(existing=1, loaded=1)
            else:
                candidates.append((line, fields, record))
        if not candidates:
            return

        # In owner order, so that concurrent batches lock distributors in the same order.
        rows = sorted((record for _, _, record in candidates), key=lambda r: r[owner_column])
        owners = sorted({record[owner_column] for record in rows})

        def write(tx):
            created = tx.run(create, rows=rows).single()["created"]
            tx.run(cypher.MARK_TOTALS_STALE, ids=owners).consume()
            return created

        with self.driver.session(database=self.database) as session:
            created = session.execute_write(write)
        report.count(created=created, loaded=created)
        if created < len(rows):
            present = self._existing(exists, [record["id"] for record in rows])
            missed = [item for item in candidates if item[2]["id"] not in present]
            refs = self._refs([record for _, _, record in missed])
            for line, fields, record in missed:
                problem = self.references.problem(record, refs) or "a reference vanished"
                rejects.reject(line, fields, problem)
            rows = [record for record in rows if record["id"] in present]
        self.delta.add_records(DELTA_KIND[owner_column], rows)

    def _flush_orders(self, batch, rejects, report) -> None:
        self._flush_stored_facts(
            batch,
            rejects,
            report,
            cypher.EXISTING_ORDERS,
            cypher.CREATE_ORDERS,
            cypher.existing_ids("Order"),
            "distributor_id",
        )

    def _flush_commissions(self, batch, rejects, report) -> None:
        self._flush_stored_facts(
            batch,
            rejects,
            report,
            cypher.EXISTING_COMMISSIONS,
            cypher.CREATE_COMMISSIONS,
            cypher.existing_ids("Commission"),
            "earner_id",
        )


DELTA_KIND = {"distributor_id": "orders", "earner_id": "commissions"}
WHOLE_TREE_SHARE = 5  # a file naming over a fifth of the network reads the whole tree


def _contradiction(record: dict, stored: dict) -> str | None:
    """How a record differs from the stored row with the same id, or None if it does not."""
    differences = []
    for column, value in record.items():
        if column == "id":
            continue
        kept = stored.get(column)
        if hasattr(kept, "to_native"):
            kept = kept.to_native()
        if kept != value:
            differences.append(f"{column} {_fmt(kept)} stored, {_fmt(value)} in this file")
    if not differences:
        return None
    return f"{record['id']} was loaded before with other values: " + "; ".join(differences)
