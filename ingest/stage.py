"""The input files of Neo4j's offline importer: one header file and one headerless data file
per node label and relationship type, in one folder.

`line:IGNORE` keeps the input line of each staged row, so that a row found to be a duplicate
after it was staged can be taken out again.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from downline.forest import DOWNLINE_FIELDS
from downline.totals import TOTAL_COLUMNS
from ingest.derive import TREE_FIELDS
from ingest.snapshot import Delta

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
# The staged files a kind writes: (file, record columns with the input line, the column that
# must be given for a row to be written: a relationship to an optional node).
STAGED_FILES = {
    "customers": (
        ("Customer", ["id", "joined_on", "line"], None),
        ("REFERRED_BY", ["id", "referred_by", "line"], "referred_by"),
    ),
    "orders": (
        ("Order", ["id", "ordered_on", "amount_cents", "volume_cents", "kind", "line"], None),
        ("PLACED_BY", ["id", "distributor_id", "line"], None),
        ("FOR", ["id", "customer_id", "line"], "customer_id"),
    ),
    "commissions": (
        ("Commission", ["id", "period", "amount_cents", "type", "line"], None),
        ("PAID_TO", ["id", "earner_id", "line"], None),
        ("SOURCED_FROM", ["id", "source_id", "line"], "source_id"),
        ("FOR_ORDER", ["id", "order_id", "line"], "order_id"),
    ),
}
# The staged files a kind writes, for taking rows out again.
FILES_OF_KIND = {kind: tuple(name for name, _, _ in files) for kind, files in STAGED_FILES.items()}


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
        self.multiline = False  # a value holds a line break: the importer must be told

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.csv"

    def write_table(self, name: str, table: pa.Table) -> None:
        """Append Arrow rows at column speed: strings quoted, nulls empty, dates ISO."""
        with open(self.path(name), "ab") as handle:
            pacsv.write_csv(
                table, handle, pacsv.WriteOptions(include_header=False, quoting_style="needed")
            )

    def drop_lines(self, names: tuple[str, ...], lines: set[int]) -> set[int]:
        """Take the rows staged from these input lines out of the files; return the lines
        found in the first (node) file, i.e. the ones that had been staged."""
        found: set[int] = set()
        for position, name in enumerate(names):
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
        """The importer's --nodes and --relationships options for the files that hold rows.
        An empty one is left out: its header alone would name an ID group (say Customer, of
        an export without customers) that no node file creates, and the importer refuses."""
        args = []
        for name in [*NODE_FILES, *RELATIONSHIP_FILES]:
            data = self.path(name)
            if not data.exists() or data.stat().st_size == 0:
                continue
            header = self.folder / f"{name}.header.csv"
            header.write_text(",".join(_header(name)) + "\n", encoding="utf-8")
            option = "--nodes" if name in NODE_FILES else "--relationships"
            args.append(f"{option}={name}={header},{data}")
        if self.multiline:
            args.append("--multiline-fields=true")
        return args


def staged_delta(folder: Path, multiline: bool) -> Delta:
    """What a bulk load imported, read back from its staged files (headerless, as written
    above) at column speed: the input of its analytics snapshot."""
    parse = pacsv.ParseOptions(newlines_in_values=multiline)

    def read(name: str, columns: list[str], types: dict) -> pa.Table:
        path = folder / f"{name}.csv"
        if not path.exists() or path.stat().st_size == 0:
            return pa.table({c: pa.array([], types.get(c, pa.string())) for c in columns})
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=columns),
            parse_options=parse,
            convert_options=pacsv.ConvertOptions(
                column_types={c: types.get(c, pa.string()) for c in columns},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )

    dates = {"joined_on": pa.date32(), "left_on": pa.date32(), "ordered_on": pa.date32()}
    money = {"amount_cents": pa.int64(), "volume_cents": pa.int64(), "line": pa.int64()}
    people = read("Distributor", ["id", *DISTRIBUTOR_BASE, *DERIVED], {**dates, **_LONGS})
    sponsors = read("SPONSORED_BY", ["id", "sponsor_id"], {})
    placed = read("PLACED_UNDER", ["id", "placement_id", "placement_leg"], {})
    orders = read(
        "Order",
        ["id", "ordered_on", "amount_cents", "volume_cents", "kind", "line"],
        {**dates, **money},
    )
    owners = read("PLACED_BY", ["id", "distributor_id", "line"], money)
    paid = read("Commission", ["id", "period", "amount_cents", "type", "line"], money)
    delta = Delta()
    delta.add(
        "distributors",
        people.select(["id", *DISTRIBUTOR_BASE])
        .append_column("sponsor_id", _lookup(people, sponsors, "sponsor_id"))
        .append_column("placed", pa.array([True] * people.num_rows))
        .append_column("placement_id", _lookup(people, placed, "placement_id"))
        .append_column("placement_leg", _lookup(people, placed, "placement_leg")),
    )
    delta.add(
        "orders", orders.append_column("distributor_id", _lookup(orders, owners, "distributor_id"))
    )
    paid = paid.append_column(
        "earner_id",
        _by_line(paid, read("PAID_TO", ["id", "earner_id", "line"], money), "earner_id"),
    )
    paid = paid.append_column(
        "source_id",
        _by_line(paid, read("SOURCED_FROM", ["id", "source_id", "line"], money), "source_id"),
    )
    paid = paid.append_column(
        "order_id", _by_line(paid, read("FOR_ORDER", ["id", "order_id", "line"], money), "order_id")
    )
    delta.add("commissions", paid)
    return delta


_LONGS = {c: pa.int64() for c in DERIVED if c != "root_id"}


def _lookup(rows: pa.Table, related: pa.Table, column: str) -> pa.Array:
    """For each row (by id), `column` of its row in `related` (null when it has none)."""
    at = pc.index_in(rows.column("id"), value_set=related.column("id"), skip_nulls=True)
    return pc.take(related.column(column), at)


def _by_line(rows: pa.Table, related: pa.Table, column: str) -> pa.Array:
    """As `_lookup`, matched by the input line the rows were staged from."""
    at = pc.index_in(rows.column("line"), value_set=related.column("line"), skip_nulls=True)
    return pc.take(related.column(column), at)
