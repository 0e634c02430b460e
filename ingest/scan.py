"""Pass 1 over a file, shared by both load paths: field checks and duplicate ids, no writes.

A file that turns out unreadable fails here, before anything of it is written. Memory is two
8-byte integers per row (and, for distributors, the id -> sponsor map the tree checks need).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ingest.formats import BadValue
from ingest.reader import CsvFile
from ingest.records import to_record
from ingest.report import FileReport


@dataclass
class Scan:
    rejected: dict[int, str] = field(default_factory=dict)  # line -> reason
    collapsed: dict[int, int] = field(default_factory=dict)  # exact repeat -> its first line
    rejected_ids: dict[str, str] = field(default_factory=dict)  # distributors: id -> reason
    sponsors: dict[str, str | None] = field(default_factory=dict)  # distributors
    placements: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass
class Duplicates:
    collapsed: dict[int, int] = field(default_factory=dict)  # exact repeat -> its first line
    conflicting: dict[int, str] = field(default_factory=dict)  # line -> reason
    conflicting_ids: dict[str, str] = field(default_factory=dict)  # id -> reason
    rows: dict[int, tuple[list[str], dict]] = field(
        default_factory=dict
    )  # line -> (fields, record)


def record_of(csv_file: CsvFile, fields: list[str], latest: date) -> dict:
    return to_record(csv_file.spec.kind, csv_file.as_dict(fields), latest)


def scan_file(csv_file: CsvFile, report: FileReport, latest: date) -> Scan:
    scan = Scan()
    kind = csv_file.spec.kind
    width = len(csv_file.header)
    id_hashes = array("q")
    has_placement = "placement_id" in csv_file.header
    for line, fields in csv_file.rows():
        report.read += 1
        if len(fields) != width:
            scan.rejected[line] = width_problem(fields, width)
            continue
        try:
            record = record_of(csv_file, fields, latest)
        except BadValue as error:
            scan.rejected[line] = str(error)
            if kind == "distributors":
                raw_id = csv_file.as_dict(fields).get("distributor_id", "").strip()
                if raw_id:
                    scan.rejected_ids.setdefault(raw_id, str(error))
            continue
        id_hashes.append(hash(record["id"]))
        if kind == "distributors":
            scan.sponsors.setdefault(record["id"], record["sponsor_id"])
            if has_placement:
                scan.placements.setdefault(
                    record["id"], (record["placement_id"], record["placement_leg"])
                )
    found = find_duplicates(csv_file, id_hashes, latest)
    scan.collapsed = found.collapsed
    scan.rejected.update(found.conflicting)
    if kind == "distributors":
        for record_id, reason in found.conflicting_ids.items():
            scan.sponsors.pop(record_id, None)
            scan.placements.pop(record_id, None)
            scan.rejected_ids[record_id] = reason
    return scan


def width_problem(fields: list[str], width: int) -> str:
    return f"has {len(fields)} fields, the header has {width}"


def find_duplicates(csv_file: CsvFile, id_hashes: array, latest: date) -> Duplicates:
    """Exact repeats collapse onto their first line; conflicting repeats are all rejected.

    `id_hashes` holds the hash of the id of every well-formed row. Hashes only nominate: when
    some repeat, the file is read again and the rows with those hashes compared for real.
    """
    found = Duplicates()
    hashes = np.sort(np.frombuffer(id_hashes, dtype=np.int64))
    repeated = set(hashes[1:][hashes[1:] == hashes[:-1]].tolist())
    del hashes
    if not repeated:
        return found
    groups: dict[str, list[tuple[int, dict]]] = {}
    width = len(csv_file.header)
    for line, fields in csv_file.rows():
        if len(fields) != width:
            continue
        try:
            record = record_of(csv_file, fields, latest)
        except BadValue:
            continue
        if hash(record["id"]) in repeated:
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
