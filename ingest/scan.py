"""Pass 1 over a file, shared by both load paths: field checks and duplicate ids, no writes.

The checks are ingest.columns' (column operations, today's reasons). A file that turns out
unreadable fails here, before anything of it is written. Memory is one 8-byte id hash per row
(and, for distributors, the id -> sponsor map the tree checks need and the checked blocks, so
that the file is parsed once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ingest.columns import Checked, checked
from ingest.reader import CsvFile
from ingest.report import FileReport


@dataclass
class Scan:
    rejected: dict[int, str] = field(default_factory=dict)  # line -> reason
    collapsed: dict[int, int] = field(default_factory=dict)  # exact repeat -> its first line
    rejected_ids: dict[str, str] = field(default_factory=dict)  # distributors: id -> reason
    sponsors: dict[str, str | None] = field(default_factory=dict)  # distributors
    placements: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    blocks: list[Checked] = field(default_factory=list)  # distributors: the checked file


@dataclass
class Duplicates:
    collapsed: dict[int, int] = field(default_factory=dict)  # exact repeat -> its first line
    conflicting: dict[int, str] = field(default_factory=dict)  # line -> reason
    conflicting_ids: dict[str, str] = field(default_factory=dict)  # id -> reason
    rows: dict[int, tuple[list[str], dict]] = field(
        default_factory=dict
    )  # line -> (fields, record)


def id_hashes(block: Checked) -> np.ndarray:
    """The hash of the id of each accepted row of a block."""
    ids = block.records.column("id").to_pylist()
    return np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))


def scan_file(csv_file: CsvFile, report: FileReport, latest: date) -> Scan:
    scan = Scan()
    distributors = csv_file.spec.kind == "distributors"
    width = len(csv_file.header)
    hashes = []
    has_placement = "placement_id" in csv_file.header
    for block in checked(csv_file, latest):
        report.read += block.read
        for line, fields, reason in block.rejected:
            scan.rejected[line] = reason
            if distributors and len(fields) == width:
                raw_id = csv_file.as_dict(fields).get("distributor_id", "").strip()
                if raw_id:
                    scan.rejected_ids.setdefault(raw_id, reason)
        hashes.append(id_hashes(block))
        if distributors:
            records = block.records
            ids = records.column("id").to_pylist()
            for did, sponsor in zip(ids, records.column("sponsor_id").to_pylist(), strict=True):
                scan.sponsors.setdefault(did, sponsor)
            if has_placement:
                places = zip(
                    ids,
                    records.column("placement_id").to_pylist(),
                    records.column("placement_leg").to_pylist(),
                    strict=True,
                )
                for did, parent, leg in places:
                    scan.placements.setdefault(did, (parent, leg))
            scan.blocks.append(block)
    found = find_duplicates(
        csv_file, np.concatenate(hashes) if hashes else np.empty(0, np.int64), latest, scan.blocks
    )
    scan.collapsed = found.collapsed
    scan.rejected.update(found.conflicting)
    if distributors:
        for record_id, reason in found.conflicting_ids.items():
            scan.sponsors.pop(record_id, None)
            scan.placements.pop(record_id, None)
            scan.rejected_ids[record_id] = reason
    return scan


def find_duplicates(
    csv_file: CsvFile, hashes: np.ndarray, latest: date, blocks: Iterable[Checked] = ()
) -> Duplicates:
    """Exact repeats collapse onto their first line; conflicting repeats are all rejected.

    `hashes` holds the hash of the id of every accepted row (sorted here, in place). Hashes
    only nominate: when some repeat, the checked rows with those hashes (`blocks`, or the file
    read again) are compared for real.
    """
    found = Duplicates()
    hashes.sort()
    repeated = np.unique(hashes[1:][hashes[1:] == hashes[:-1]])
    if not len(repeated):
        return found
    groups: dict[str, list[tuple[int, dict]]] = {}
    for block in blocks or checked(csv_file, latest):
        at = np.flatnonzero(np.isin(id_hashes(block), repeated))
        if not len(at):
            continue
        lines = block.lines[at].tolist()
        for line, fields, record in zip(
            lines, block.field_rows(at), block.record_rows(at), strict=True
        ):
            groups.setdefault(record["id"], []).append((line, record))
            found.rows[line] = (fields, record)
    key = csv_file.spec.key
    for record_id, members in groups.items():
        if len(members) < 2:
            continue
        first = members[0][1]
        if all(record == first for _, record in members[1:]):
            found.collapsed.update((line, members[0][0]) for line, _ in members[1:])
            continue
        where = ", ".join(str(line) for line, _ in members)
        reason = f"duplicate {key} {record_id} with conflicting values (lines {where})"
        found.conflicting.update((line, reason) for line, _ in members)
        found.conflicting_ids[record_id] = reason
    return found
