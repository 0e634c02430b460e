"""The importer's staged files: headers, arguments, and rows taken out again by input line."""

from __future__ import annotations

import csv

import pyarrow as pa

from ingest.blocks import blocks
from ingest.formats import SPECS
from ingest.reader import CsvFile
from ingest.stage import Stage


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _stage(stage: Stage, name: str, *rows: list) -> None:
    stage.write_table(
        name, pa.table({f"c{i}": list(column) for i, column in enumerate(zip(*rows, strict=True))})
    )


def test_rows_of_dropped_lines_leave_every_file_of_their_kind(tmp_path):
    stage = Stage(tmp_path)
    _stage(
        stage,
        "Order",
        ["O1", "2024-01-01", 100, 100, "retail", 2],
        ["O2", "2024-01-01", 200, 200, "retail", 3],
        ["O2", "2024-01-01", 200, 200, "retail", 4],
    )
    _stage(stage, "PLACED_BY", ["O1", "D1", 2], ["O2", "D1", 3], ["O2", "D1", 4])
    _stage(stage, "FOR", ["O2", "C1", 4])

    found = stage.drop_lines(("Order", "PLACED_BY", "FOR"), {4, 9})

    assert found == {4}  # line 9 was never staged
    assert [r[0] for r in _rows(stage.path("Order"))] == ["O1", "O2"]
    assert [r[-1] for r in _rows(stage.path("PLACED_BY"))] == ["2", "3"]
    assert _rows(stage.path("FOR")) == []


def test_import_arguments_name_header_and_data_of_each_staged_file(tmp_path):
    stage = Stage(tmp_path)
    _stage(stage, "Distributor", ["D1", "Ada", None, None, "active", "2024-01-01", None])
    _stage(stage, "Customer", ["C1", "2024-01-02", 2])
    _stage(stage, "REFERRED_BY", ["C1", "D1", 2])

    args = stage.import_args()

    assert args == [
        f"--nodes=Distributor={tmp_path}/Distributor.header.csv,{tmp_path}/Distributor.csv",
        f"--nodes=Customer={tmp_path}/Customer.header.csv,{tmp_path}/Customer.csv",
        f"--relationships=REFERRED_BY={tmp_path}/REFERRED_BY.header.csv,{tmp_path}/REFERRED_BY.csv",
    ]
    header = (tmp_path / "REFERRED_BY.header.csv").read_text().strip()
    assert header == ":START_ID(Customer),:END_ID(Distributor),line:IGNORE"
    customer = (tmp_path / "Customer.header.csv").read_text().strip()
    assert customer == "id:ID(Customer),joined_on:date,line:IGNORE"


def test_a_record_spanning_lines_switches_the_importer_to_multiline_fields(tmp_path):
    (tmp_path / "customers.csv").write_text(
        'customer_id,referred_by,joined_on\nC1,,2024-01-02\n"C\n2",,2024-01-03\n'
    )
    csv_file = CsvFile(tmp_path / "customers.csv", SPECS["customers"])
    stage = Stage(tmp_path / "stage")
    rows = []
    for line, fields in csv_file.rows():
        rows.append((line, fields))
        if line == 2:
            assert not csv_file.multiline
    assert rows == [(2, ["C1", "", "2024-01-02"]), (3, ["C\n2", "", "2024-01-03"])]
    assert csv_file.multiline
    by_blocks = CsvFile(tmp_path / "customers.csv", SPECS["customers"])
    assert [b.lines.tolist() for b in blocks(by_blocks)] == [[2, 3]]
    assert by_blocks.multiline
    _stage(stage, "Customer", ["C1", "2024-01-02", 2])
    assert "--multiline-fields=true" not in stage.import_args()
    stage.multiline |= csv_file.multiline
    assert stage.import_args()[-1] == "--multiline-fields=true"
