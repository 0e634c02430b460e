"""The column checks (ingest.columns) give every row of a file the verdict the row-by-row code
gives it -- the same record or the same reason, on the same line -- on a generated network
whose rows are damaged at random in every way the input contract names and some it does not."""

from __future__ import annotations

import gzip
import random
from datetime import date
from pathlib import Path

import pytest

from ingest import blocks
from ingest.columns import checked, row_verdict
from ingest.formats import SPECS
from ingest.generate import generate
from ingest.reader import FIELD_LIMIT, CsvFile, UnreadableFile

LATEST = date(2026, 11, 15)
# Ways to damage one value: each returns the new raw text of the field.
DAMAGE = [
    lambda v: "",
    lambda v: f"  {v} ",
    lambda v: f"\t{v}",
    lambda v: f"{v}\u00a0",
    lambda v: f"\u3000{v}",
    lambda v: f"{v}\x1c",
    lambda v: f'"{v}, with ""quotes"""',
    lambda v: f'"{v}\nacross lines"',
    lambda v: v + ",surplus",
    lambda v: "-1.00",
    lambda v: "1.005",
    lambda v: "12.",
    lambda v: ".5",
    lambda v: "1e3",
    lambda v: "0",
    lambda v: "99999999999999999.99",
    lambda v: "\u0663.\u0660\u0660",
    lambda v: "2024-02-30",
    lambda v: "2023-02-29",
    lambda v: "2024-02-29",
    lambda v: "0000-01-01",
    lambda v: "2999-01-01",
    lambda v: "2026-11-15",
    lambda v: "2026-11-16",
    lambda v: "2026-11",
    lambda v: "2026-12",
    lambda v: "0000-05",
    lambda v: "2026-00",
    lambda v: "\uff12\uff10\uff12\uff14-01-01",
    lambda v: "24-1-1",
    lambda v: "Zoë Ñandú",
    lambda v: "retail",
    lambda v: "bogus",
    lambda v: "inactive",
    lambda v: "D0000001",
    lambda v: "\u00b2",  # a digit to str.isdigit, not to int()
    lambda v: "5.\u00b2",
    lambda v: "\u00b2\u00b2\u00b2\u00b2-01",
]
# Damage that the two readers might read differently: the row path reads from its block on.
EXOTIC = [
    lambda v: f'"{v}\r\nacross lines"',
    lambda v: f'{v or "x"}"',
    lambda v: f"{v}\rx",
    lambda v: f"\ufeff{v}",  # a byte-order mark, which pyarrow drops at the start of a record
]


def _damage(path: Path, rng: random.Random, share: float, exotic: bool) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    header, body = lines[0], [line for line in lines[1:] if line]
    out = []
    for line in body:
        fields = line.split(",")
        if rng.random() < share:
            at = rng.randrange(len(fields))
            ways = DAMAGE + EXOTIC if exotic and rng.random() < 0.02 else DAMAGE
            fields[at] = rng.choice(ways)(fields[at])
        out.append(",".join(fields))
        if rng.random() < share / 5:
            out.append(rng.choice(["", "   ", out[-1]]))  # blank, whitespace, a repeat
    path.write_text("\n".join([header, *out]) + "\n", encoding="utf-8")


def _verdicts_by_rows(csv_file: CsvFile) -> dict:
    width = len(csv_file.header)
    return {
        line: (fields, row_verdict(csv_file, fields, width, LATEST))
        for line, fields in csv_file.rows()
    }


def _verdicts_by_columns(csv_file: CsvFile) -> tuple[dict, int]:
    found, read = {}, 0
    for block in checked(csv_file, LATEST):
        read += block.read
        for line, fields, reason in block.rejected:
            found[line] = (fields, reason)
        for line, fields, record in zip(
            block.lines.tolist(), block.field_rows(), block.record_rows(), strict=True
        ):
            found[line] = (fields, record)
    return found, read


@pytest.mark.parametrize("seed, exotic", [(1, False), (2, False), (3, True), (4, True)])
def test_column_checks_agree_with_the_row_checks_row_for_row(seed, exotic, tmp_path, monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK", 4096)  # many blocks, cut in many places
    generate(tmp_path, 300, 6, seed=seed, profile="pyramid")
    rng = random.Random(seed)
    for kind in SPECS:
        path = tmp_path / f"{kind}.csv"
        _damage(path, rng, 0.15, exotic)
        if kind == "customers":
            gz = tmp_path / "customers.csv.gz"
            gz.write_bytes(gzip.compress(b"\xef\xbb\xbf" + path.read_bytes()))
            path.unlink()
            path = gz
        expected = _verdicts_by_rows(CsvFile(path, SPECS[kind]))
        read_by = [type(b) for b in blocks.blocks(CsvFile(path, SPECS[kind]))]
        assert read_by[0] is blocks.Block
        assert exotic or blocks.Rows not in read_by
        found, read = _verdicts_by_columns(CsvFile(path, SPECS[kind]))
        assert read == len(expected)
        assert found == expected, kind
        assert sum(isinstance(v, dict) for _, v in found.values()) > len(found) / 2


def test_clean_blocks_are_checked_by_columns_and_exotic_ones_by_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK", 4096)
    generate(tmp_path, 150, 6, seed=4, profile="pyramid")
    path = tmp_path / "orders.csv"
    clean = list(blocks.blocks(CsvFile(path, SPECS["orders"])))
    assert len(clean) > 3 and all(isinstance(b, blocks.Block) for b in clean)
    text = path.read_text(encoding="utf-8").split("\n")
    text[len(text) // 2] += '"'  # a stray quote: the row path from its block on
    path.write_text("\n".join(text), encoding="utf-8")
    kinds = [type(b) for b in blocks.blocks(CsvFile(path, SPECS["orders"]))]
    assert kinds[0] is blocks.Block and kinds[-1] is blocks.Rows


def test_a_field_over_the_limit_makes_the_file_unreadable_as_it_did(tmp_path):
    path = tmp_path / "customers.csv"
    huge = "x" * (FIELD_LIMIT + 1)
    path.write_text(f"customer_id,referred_by,joined_on\nC1,,2024-01-01\nC2,{huge},2024-01-02\n")
    read_by = list(blocks.blocks(CsvFile(path, SPECS["customers"])))
    assert [type(b) for b in read_by] == [blocks.Rows]  # its only block, by the row path
    with pytest.raises(UnreadableFile, match="line 3: broken CSV: field larger than field limit"):
        list(read_by[0].rows)


def test_a_quoted_carriage_return_marks_the_file_multiline(tmp_path):
    """The importer and the staged distributors' reader must then expect breaks in values."""
    path = tmp_path / "distributors.csv"
    path.write_bytes(b'distributor_id,sponsor_id,joined_on,name\nD1,,2024-01-01,"a\rb"\n')
    csv_file = CsvFile(path, SPECS["distributors"])
    assert [fields for _, fields in csv_file.rows()] == [["D1", "", "2024-01-01", "a\rb"]]
    assert csv_file.multiline


def test_a_byte_order_mark_starting_a_record_is_kept_as_the_row_path_keeps_it(tmp_path):
    path = tmp_path / "distributors.csv"
    path.write_bytes(b"distributor_id,sponsor_id,joined_on\n\xef\xbb\xbfD1,,2024-01-01\n")
    expected = _verdicts_by_rows(CsvFile(path, SPECS["distributors"]))
    assert expected[2][0][0] == "\ufeffD1"  # pyarrow alone would read "D1"
    assert _verdicts_by_columns(CsvFile(path, SPECS["distributors"])) == (expected, 1)
