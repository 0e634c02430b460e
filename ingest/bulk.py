"""Validated rows staged as input files for Neo4j's offline bulk importer (first loads only).

The checks and reject reasons are those of the transactional path (ingest.load) for a database
that holds nothing yet: the same column checks (ingest.columns), distributor pass
(ingest.verdicts) and tree checks, references resolved against what this run accepted,
duplicates found by id hash. Customers, orders and commissions are read once, a block of
records at a time: references are resolved to row indexes with Arrow, accepted rows staged by
pyarrow's CSV writer and added to their owners' totals with numpy, and the rare duplicates
found at the end of a file are taken out of the staged files again. Derived values (depth,
root, subtree interval, totals by kind) are computed here, so the importer writes each
distributor once, complete.

Memory: per distributor an index entry and nine 8-byte numbers, per customer a set entry, per
order and commission one 8-byte id hash, and one block of Arrow columns; everything else
streams.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from downline.forest import DOWNLINE_FIELDS, downline_sums, number_arrays
from downline.totals import TOTAL_COLUMNS, TOTALS, revenue
from ingest.columns import (
    NOT_NAMED,
    SCHEMAS,
    Checked,
    IdIndex,
    checked,
    per_value,
    sorted_search,
    take_rows,
)
from ingest.incremental import full_gap, spread
from ingest.options import LoadOptions
from ingest.reader import CsvFile
from ingest.references import DISTRIBUTOR_COLUMNS, References
from ingest.report import FileReport, RejectWriter
from ingest.scan import Duplicates, find_duplicates, id_hashes
from ingest.stage import DISTRIBUTOR_BASE, FILES_OF_KIND, STAGED_FILES, Stage
from ingest.verdicts import Verdicts

PARTIAL = "Distributor.partial"  # distributors before their derived values are known

# One row of TOTALS per distributor; a column is an array of its own, a row unpacks in order.
TOTALS_ROW = np.dtype([(column, np.int64) for column in TOTAL_COLUMNS])
# The facts a kind of file holds, and the column naming the distributor whose totals they add to.
FACT_OF_KIND = {"orders": ("Order", "distributor_id"), "commissions": ("Commission", "earner_id")}


class BulkStager:
    """Stages the files of one run; remembers what it accepted and rejected across files."""

    def __init__(
        self,
        options: LoadOptions,
        folder: Path,
        advance: Callable[[int], None] = lambda rows: None,
    ):
        self.options = options
        self.advance = advance
        self.stage = Stage(folder)
        self.references = References()
        self.distributors: dict[str, int] = {}  # accepted id -> row index
        self.distributor_index = IdIndex({})  # the same, at column speed
        self.customer_index = IdIndex({})  # accepted customer id -> 0
        self.customers: set[str] = set()
        self.order_hashes = np.empty(0, dtype=np.int64)  # sorted, of the accepted orders
        self.numbers = np.zeros((0, 5), dtype=np.int64)  # depth, pre, post, root index, recruits
        self.parents = np.zeros(0, dtype=np.int64)  # index of the sponsor, -1 for a root
        self.active = array("b")
        self.totals = np.zeros(0, dtype=TOTALS_ROW)

    def stage_file(self, csv_file: CsvFile, report: FileReport) -> None:
        folder = self.options.rejects_dir or csv_file.path.parent
        rejects = RejectWriter(csv_file.path, csv_file.header, folder, report)
        try:
            if csv_file.spec.kind == "distributors":
                self._distributors(csv_file, report, rejects)
            else:
                self._facts(csv_file, report, rejects)
        finally:
            rejects.close()

    # --- distributors --------------------------------------------------------------------

    def _distributors(self, csv_file: CsvFile, report: FileReport, rejects) -> None:
        """The verdicts of ingest.verdicts, applied a checked block at a time."""
        verdicts = Verdicts(csv_file, report, self.options.latest)
        verdicts.check_tree({})  # nothing is stored before a bulk load
        scan, tree_rejects = verdicts.scan, verdicts.tree_rejects
        refused_lines = np.fromiter(scan.rejected, dtype=np.int64, count=len(scan.rejected))
        repeat_lines = np.fromiter(scan.collapsed, dtype=np.int64, count=len(scan.collapsed))
        tree_ids = pa.array(list(tree_rejects), pa.string())
        for block in scan.blocks:
            self.advance(block.read)
            refused = np.isin(block.lines, refused_lines)
            refused |= np.asarray(pc.is_in(block.records.column("id"), value_set=tree_ids))
            repeats = np.isin(block.lines, repeat_lines) & ~refused
            at = np.flatnonzero(refused)
            later = [
                (line, fields, scan.rejected.get(line) or tree_rejects[record["id"]])
                for line, fields, record in zip(
                    block.lines[at].tolist(),
                    block.field_rows(at),
                    block.record_rows(at),
                    strict=True,
                )
            ]
            for line, fields, reason in sorted(block.rejected + later, key=lambda r: r[0]):
                rejects.reject(line, fields, reason)
            staged = take_rows(block.records, np.flatnonzero(~refused & ~repeats))
            first = len(self.distributors)
            ids = staged.column("id").to_pylist()
            self.distributors.update(zip(ids, range(first, first + len(ids)), strict=True))
            active = pc.equal(staged.column("status"), "active").to_numpy(zero_copy_only=False)
            self.active.frombytes(active.astype(np.int8).tobytes())
            self.stage.write_table(PARTIAL, staged.select(["id", *DISTRIBUTOR_BASE]))
            collapsed = int(repeats.sum())
            report.count(created=len(ids), loaded=len(ids) + collapsed, collapsed=collapsed)
        scan.blocks.clear()  # staged: only the sponsors are needed from here on
        self.stage.multiline |= csv_file.multiline
        verdicts.fold_into(self.references)
        sponsors = scan.sponsors
        links = pa.table(
            {"id": list(sponsors), "sponsor_id": list(sponsors.values())},
            schema=pa.schema([("id", pa.string()), ("sponsor_id", pa.string())]),
        )
        self.stage.write_table("SPONSORED_BY", links.filter(pc.is_valid(links["sponsor_id"])))
        placements = pa.table(
            {
                "id": list(scan.placements),
                "placement_id": [parent for parent, _ in scan.placements.values()],
                "placement_leg": [leg for _, leg in scan.placements.values()],
            },
            schema=pa.schema(
                [(name, pa.string()) for name in ("id", "placement_id", "placement_leg")]
            ),
        )
        self.stage.write_table(
            "PLACED_UNDER", placements.filter(pc.is_valid(placements["placement_id"]))
        )
        del verdicts  # all of pass 1 but the sponsors
        self._number(sponsors)
        self.totals = np.zeros(len(self.distributors), dtype=TOTALS_ROW)

    def _number(self, sponsors: dict[str, str | None]) -> None:
        """Depth, interval, root and recruits of the accepted distributors, by row index
        (siblings and roots in id order, as downline.forest.number_forest numbers them)."""
        rows = self.distributors
        n = len(rows)
        self.distributor_index = IdIndex(rows)
        sponsor_of = pa.array([sponsors[did] for did in rows], pa.string())
        found = per_value(sponsor_of, self.distributor_index.find)
        # -1 for a root and -2 for a sponsor outside the forest, as number_arrays reads them
        self.parents = np.where(found == NOT_NAMED, -1, np.where(found == -1, -2, found))
        rank = np.empty(n, dtype=np.int64)
        rank[pc.sort_indices(pa.array(list(rows), pa.string())).to_numpy()] = np.arange(n)
        depth, pre, post, root = number_arrays(self.parents, rank)
        self.numbers = np.zeros((n, 5), dtype=np.int64)
        numbered = pre >= 0
        self.numbers[numbered, :4] = np.column_stack([depth, pre, post, root])[numbered]
        self.numbers[:, 4] = np.bincount(self.parents[self.parents >= 0], minlength=n)

    # --- customers, orders, commissions ----------------------------------------------------

    def _facts(self, csv_file: CsvFile, report: FileReport, rejects) -> None:
        """One pass: blocks are checked and staged as they come; duplicates are settled after."""
        kind = csv_file.spec.kind
        staged, refused = [], []  # id hashes of the rows staged, and of those refused
        for block in checked(csv_file, self.options.latest):
            report.read += block.read
            self.advance(block.read)
            for line, fields, reason in block.rejected:
                rejects.reject(line, fields, reason)
            hashes = id_hashes(block)
            missing, found = self._missing_references(kind, block.records)
            refused.append(hashes[missing])
            staged.append(hashes[~missing])
            self._refuse(kind, block, np.flatnonzero(missing), rejects)
            self._stage_block(kind, block, np.flatnonzero(~missing), found, report)
        self.stage.multiline |= csv_file.multiline
        # One array of hashes at a time: 6.7M orders make 54 MB of them.
        staged = np.concatenate([np.empty(0, np.int64), *staged])
        staged.sort()
        refused = np.concatenate([np.empty(0, np.int64), *refused])
        everything = np.concatenate([staged, refused]) if len(refused) else staged
        duplicates = find_duplicates(csv_file, everything, self.options.latest)
        del everything, refused
        if duplicates.collapsed or duplicates.conflicting:
            self._settle(kind, duplicates, rejects, report)
        if kind == "customers":
            self.customer_index = IdIndex(dict.fromkeys(self.customers, 0))
        if kind == "orders":
            gone = [hash(i) for i in duplicates.conflicting_ids]
            if gone:
                staged = staged[~np.isin(staged, gone)]
            if len(self.order_hashes):
                staged = np.sort(np.concatenate([self.order_hashes, staged]))
            self.order_hashes = staged

    def _has_order(self, ids: list[str]) -> np.ndarray:
        """Whether each order id is among the accepted orders (by hash)."""
        if not len(self.order_hashes):
            return np.zeros(len(ids), dtype=bool)
        hashes = np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))
        where = np.minimum(sorted_search(self.order_hashes, hashes), len(self.order_hashes) - 1)
        return self.order_hashes[where] == hashes

    def _missing_references(self, kind: str, records: pa.Table) -> tuple[np.ndarray, dict]:
        """Whether each record names a distributor, customer or order that was not accepted,
        and the row index (or -1, or NOT_NAMED) each reference column resolved to."""
        missing = np.zeros(records.num_rows, dtype=bool)
        lookups = {c: self.distributor_index.find for c, _ in DISTRIBUTOR_COLUMNS}
        lookups["customer_id"] = self.customer_index.find
        if kind == "commissions":
            lookups["order_id"] = lambda ids: np.where(self._has_order(ids), 0, -1)
        found = {}
        for column, lookup in lookups.items():
            if column in records.column_names:
                found[column] = per_value(records.column(column), lookup)
                missing |= found[column] == -1
        return missing, found

    def _refuse(self, kind: str, block: Checked, at: np.ndarray, rejects) -> None:
        """Reject the rows at `at` for the reference they miss, with its reason."""
        if not len(at):
            return
        records = block.record_rows(at)
        orders = [r["order_id"] for r in records if r.get("order_id")]
        present = {
            "distributors": self.distributors,
            "customers": self.customers,
            "orders": {i for i, hit in zip(orders, self._has_order(orders), strict=True) if hit},
        }
        for line, fields, record in zip(
            block.lines[at].tolist(), block.field_rows(at), records, strict=True
        ):
            problem = self.references.problem(record, present)
            rejects.reject(line, fields, problem)
            if kind == "customers":
                self.references.rejected_customers.setdefault(record["id"], problem)

    def _stage_block(self, kind: str, block: Checked, at: np.ndarray, found, report) -> None:
        if not len(at):
            return
        rows = take_rows(block.records, at).append_column("line", pa.array(block.lines[at]))
        for name, columns, given in STAGED_FILES[kind]:
            table = rows.select(columns)
            if given is not None:
                table = table.filter(pc.is_valid(table.column(given)))
            self.stage.write_table(name, table)
        if kind == "customers":
            self.customers.update(rows.column("id").to_pylist())
        if kind in FACT_OF_KIND:
            self._add_totals(kind, rows, found[FACT_OF_KIND[kind][1]][at], 1)
        report.count(created=len(at), loaded=len(at))

    def _add_totals(self, kind: str, records: pa.Table, owners: np.ndarray, sign: int) -> None:
        """Add (sign 1) or take back (-1) the records' amounts in their owners' totals (row
        indexes)."""
        fact, _ = FACT_OF_KIND[kind]
        cents = sign * records.column("amount_cents").to_numpy()
        for total in TOTALS:
            if total.fact != fact:
                continue
            chosen = (
                slice(None)
                if total.kind is None
                else np.asarray(pc.equal(records.column("kind"), total.kind), dtype=bool)
            )
            np.add.at(
                self.totals[total.column], owners[chosen], sign if total.counts else cents[chosen]
            )

    def _settle(self, kind: str, duplicates: Duplicates, rejects, report) -> None:
        """Take exact repeats and conflicting duplicates out of the staged files.

        Lines already rejected for a missing reference stay rejected with that reason."""
        dropped = self.stage.drop_lines(
            FILES_OF_KIND[kind], set(duplicates.collapsed) | set(duplicates.conflicting)
        )
        if kind in FACT_OF_KIND:
            taken = [duplicates.rows[line][1] for line in sorted(dropped)]
            owners = [self.distributors[record[FACT_OF_KIND[kind][1]]] for record in taken]
            taken = pa.Table.from_pylist(taken, schema=SCHEMAS[kind])
            self._add_totals(kind, taken, np.array(owners, dtype=np.int64), -1)
        for line in sorted(dropped):
            fields, _ = duplicates.rows[line]
            if line in duplicates.collapsed:
                report.count(collapsed=1, created=-1)
            else:
                report.count(loaded=-1, created=-1)
                rejects.reject(line, fields, duplicates.conflicting[line])
        if kind == "customers":
            self.customers.difference_update(duplicates.conflicting_ids)

    # --- the end -------------------------------------------------------------------------

    def finish(self) -> list[str]:
        """Write the distributors with their derived values; return the importer's arguments."""
        partial = self.stage.path(PARTIAL)
        if self.distributors:
            sums = downline_sums(
                self.numbers[:, 1],
                self.numbers[:, 2],
                self.numbers[:, 0],
                self.parents,
                np.frombuffer(self.active, dtype=np.int8),
                revenue(self.totals),
                self.totals["commission_cents"],
            )
            depth, pre, post, root, recruits = self.numbers.T
            # Stored with gaps, as a transactional run numbers the whole forest.
            pre, post = spread(pre, post, full_gap(len(pre)))
            derived = {
                "depth": depth,
                "pre": pre,
                "post": post,
                "root_id": root,
                "recruits": recruits,
                **{column: self.totals[column] for column in TOTAL_COLUMNS},
                **{field: sums[field] for field in DOWNLINE_FIELDS},
            }
            ids, done = self.distributor_index.ids, 0
            for batch in _read_partial(partial):
                part = pa.Table.from_batches([batch])
                for name, values in derived.items():
                    values = values[done : done + part.num_rows]
                    part = part.append_column(
                        name, ids.take(pa.array(values)) if name == "root_id" else pa.array(values)
                    )
                self.stage.write_table("Distributor", part)
                done += part.num_rows
        partial.unlink(missing_ok=True)
        return self.stage.import_args()


def _read_partial(path: Path) -> pacsv.CSVStreamingReader:
    """The staged distributors (written by Stage.write_table) in batches, dates as dates."""
    columns = ["id", *DISTRIBUTOR_BASE]
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=columns),
        # Always: a value may hold a quoted CR that no record-spanning line announced.
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.date32() if c.endswith("_on") else pa.string() for c in columns},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
