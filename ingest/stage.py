"""The input files of Neo4j's offline importer: one header file and one headerless data file
per node label and relationship type, in one folder.

`line:IGNORE` keeps the input line of each staged row, so that a row found to be a duplicate
after it was staged can be taken out again.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from downline.forest import DOWNLINE_FIELDS
from downline.totals import TOTAL_COLUMNS
from ingest.derive import TREE_FIELDS

# The importer's files: name -> (label or type, header).
LINE = "line:IGNORE"
DISTRIBUTOR_BASE = ["name", "country", "rank", "status", "joined_on", "left_on"]
DERIVED = [*TREE_FIELDS, *TOTAL_COLUMNS, *DOWNLINE_FIELDS]  # computed before the import
NODE_FILES = {
    "Distributor": [
        "id:ID(Distributor)",
        *(f"{c}:date" if c.endswith("_on") else c for c in DISTRIBUTOR_BASE),
        *(c if c == "root_id" else f"{c}:long" for c in DERIVED),
    ],
    "Customer": ["id:ID(Customer)", "joined_on:date", LINE],
    "Order": [
        "id:ID(Order)",
        "ordered_on:date",
        "amount_cents:long",
        "volume_cents:long",
        "kind",
        LINE,
    ],
    "Commission": ["id:ID(Commission)", "period", "amount_cents:long", "type", LINE],
}
RELATIONSHIP_FILES = {
    "SPONSORED_BY": ["Distributor", "Distributor", []],
    "PLACED_UNDER": ["Distributor", "Distributor", ["leg"]],
    "REFERRED_BY": ["Customer", "Distributor", [LINE]],
    "PLACED_BY": ["Order", "Distributor", [LINE]],
    "FOR": ["Order", "Customer", [LINE]],
    "PAID_TO": ["Commission", "Distributor", [LINE]],
    "SOURCED_FROM": ["Commission", "Distributor", [LINE]],
    "FOR_ORDER": ["Commission", "Order", [LINE]],
}
# The staged files a kind writes, for taking rows out again.
FILES_OF_KIND = {
    "customers": ("Customer", "REFERRED_BY"),
    "orders": ("Order", "PLACED_BY", "FOR"),
    "commissions": ("Commission", "PAID_TO", "SOURCED_FROM", "FOR_ORDER"),
}


def _header(name: str) -> list[str]:
    if name in NODE_FILES:
        return NODE_FILES[name]
    start, end, extra = RELATIONSHIP_FILES[name]
    return [f":START_ID({start})", f":END_ID({end})", *extra]


class Stage:
    """The importer's input: per file a header file and a headerless data file, in one folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._handles: dict[str, object] = {}
        self._writers: dict[str, csv.writer] = {}
        self.multiline = False  # a value holds a line break: the importer must be told

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.csv"

    def writer(self, name: str):
        if name not in self._writers:
            handle = open(self.path(name), "w", encoding="utf-8", newline="")
            self._handles[name] = handle
            self._writers[name] = csv.writer(handle, lineterminator="\n")
        return self._writers[name]

    def write(self, name: str, row: list) -> None:
        self.writer(name).writerow(row)

    def close(self, name: str | None = None) -> None:
        for key in [name] if name else list(self._handles):
            handle = self._handles.pop(key, None)
            self._writers.pop(key, None)
            if handle is not None:
                handle.close()

    def drop_lines(self, names: tuple[str, ...], lines: set[int]) -> set[int]:
        """Take the rows staged from these input lines out of the files; return the lines
        found in the first (node) file, i.e. the ones that had been staged."""
        found: set[int] = set()
        for position, name in enumerate(names):
            self.close(name)
            source = self.path(name)
            if not source.exists():
                continue
            kept = source.with_suffix(".kept")
            with (
                open(source, encoding="utf-8", newline="") as reader,
                open(kept, "w", encoding="utf-8", newline="") as out,
            ):
                writer = csv.writer(out, lineterminator="\n")
                for row in csv.reader(reader):
                    line = int(row[-1])
                    if line in lines:
                        if position == 0:
                            found.add(line)
                        continue
                    writer.writerow(row)
            os.replace(kept, source)
        return found

    def import_args(self) -> list[str]:
        args = []
        for name in [*NODE_FILES, *RELATIONSHIP_FILES]:
            data = self.path(name)
            if not data.exists():
                continue
            header = self.folder / f"{name}.header.csv"
            header.write_text(",".join(_header(name)) + "\n", encoding="utf-8")
            option = "--nodes" if name in NODE_FILES else "--relationships"
            args.append(f"{option}={name}={header},{data}")
        if self.multiline:
            args.append("--multiline-fields=true")
        return args
