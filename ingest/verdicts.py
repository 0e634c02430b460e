"""The verdict on every row of a file, shared by both load paths, so that they reject the same
rows with the same reasons.

Pass 1 (ingest.scan) and, for distributors, the tree check against the stored tree (empty for
a bulk load) decide before anything is written; pass 2 hands on each row as accepted, rejected
with its reason, or an exact repeat of an earlier line -- from the blocks pass 1 kept
(distributors, parsed once) or from the file checked again.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import NamedTuple

from ingest.columns import checked
from ingest.genealogy import check_tree
from ingest.reader import CsvFile
from ingest.references import References
from ingest.report import FileReport
from ingest.scan import scan_file


class Verdict(NamedTuple):
    line: int
    fields: list[str]
    record: dict | None  # accepted: the record to write
    reason: str | None  # rejected, for this reason
    repeats: int | None  # an exact repeat of this earlier line, whose fate it shares


class Verdicts:
    """Pass 1 of one file on construction; `check_tree` for distributors, then `rows()`."""

    def __init__(self, csv_file: CsvFile, report: FileReport, latest: date):
        self.csv_file = csv_file
        self.latest = latest
        self.scan = scan_file(csv_file, report, latest)
        self.stored: Mapping[str, str | None] = {}
        self.tree_rejects: dict[str, str] = {}

    def check_tree(self, stored: Mapping[str, str | None]) -> None:
        """Check the file's sponsor tree merged with the stored one (id -> sponsor id).

        Afterwards `scan.sponsors` and `scan.placements` hold the accepted distributors only.
        """
        scan = self.scan
        self.stored = stored
        self.tree_rejects = check_tree(
            scan.sponsors,
            {d: p for d, (p, _) in scan.placements.items() if p is not None},
            stored,
            scan.rejected_ids,
        )
        for did in self.tree_rejects:
            scan.sponsors.pop(did, None)
            scan.placements.pop(did, None)

    def rows(self, advance: Callable[[int], None]) -> Iterator[Verdict]:
        """Pass 2: every row of the file in order, with its verdict."""
        scan, tree_rejects = self.scan, self.tree_rejects
        for block in scan.blocks or checked(self.csv_file, self.latest):
            advance(block.read)
            accepted = block.accepted()
            refused = ((line, fields, None) for line, fields, _ in block.rejected)
            for line, fields, record in heapq.merge(accepted, refused, key=_line):
                if line in scan.rejected:
                    yield Verdict(line, fields, None, scan.rejected[line], None)
                elif record["id"] in tree_rejects:
                    yield Verdict(line, fields, None, tree_rejects[record["id"]], None)
                elif line in scan.collapsed:
                    yield Verdict(line, fields, None, None, scan.collapsed[line])
                else:
                    yield Verdict(line, fields, record, None, None)

    def fold_into(self, references: References) -> None:
        """Remember the distributors rejected here, unless stored already, so that later files'
        rows naming them are rejected with the chain of reasons."""
        for did, reason in {**self.scan.rejected_ids, **self.tree_rejects}.items():
            if did not in self.stored:
                references.rejected_distributors.setdefault(did, reason)


def _line(row: tuple) -> int:
    return row[0]
