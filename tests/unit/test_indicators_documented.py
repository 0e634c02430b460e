"""docs/indicators.md has one row per catalogue entry, in the order reported, with the threshold
and source the indicator reports: a row added to the catalogue alone fails here."""

from __future__ import annotations

from queries.indicators import CATALOGUE
from tests.support.servers import REPO

DOC = REPO / "docs" / "indicators.md"


def _rows(doc: str) -> list[list[str]]:
    """The cells of the indicator table's rows: #, key, formula, threshold, crossed when, source."""
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")] for line in doc.splitlines()
    ]
    return [cells for cells in rows if len(cells) == 6 and cells[0].isdigit()]


def test_every_indicator_is_a_row_with_its_threshold_and_source():
    rows = _rows(DOC.read_text(encoding="utf-8"))
    assert [(number, key) for number, key, *_ in rows] == [
        (str(n), f"`{spec.key}`") for n, spec in enumerate(CATALOGUE, 1)
    ]
    for spec, (*_, threshold, _crossed, source) in zip(CATALOGUE, rows, strict=True):
        assert threshold == spec.threshold, spec.key
        assert source.startswith(spec.source), spec.key


def test_the_by_subtree_section_names_every_indicator():
    section = DOC.read_text(encoding="utf-8").split("\n## By subtree\n")[1].split("\n## ")[0]
    assert [spec.key for spec in CATALOGUE if f"`{spec.key}`" not in section] == []
