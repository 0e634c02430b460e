"""The bulk stager alone (no Neo4j) on the corrupted export writes the golden rejects files
(tests/fixtures/golden/bulk, written by the row-by-row checks) byte for byte, and an
unreadable file fails with the golden message, line included."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ingest.bulk import BulkStager
from ingest.formats import SPECS
from ingest.options import LoadOptions
from ingest.pipeline import each_file, resolve_inputs
from ingest.progress import ProgressReporter
from ingest.reader import CsvFile, UnreadableFile, sha256
from ingest.report import FileReport, RunReport
from ingest.scan import scan_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOLDEN = FIXTURES / "golden"
LATEST = date(2026, 12, 4)
COUNTED = ("read", "loaded", "rejected", "created", "existing", "collapsed", "transfers")


def _options(tmp_path: Path) -> LoadOptions:
    return LoadOptions(
        batch_size=10_000,
        latest=LATEST,
        as_of=LATEST,
        rejects_dir=tmp_path / "rejects",
        writers=1,
    )


def test_the_bulk_stager_rejects_the_corrupted_export_as_before(tmp_path):
    inputs = resolve_inputs([FIXTURES / "corrupted"])
    report = RunReport("test", "now", LATEST.isoformat())
    report.files = [FileReport(str(i.path), i.kind, sha256(i.path)) for i in inputs]
    stager = BulkStager(_options(tmp_path), tmp_path / "stage")
    each_file(inputs, report, ProgressReporter(), lambda f, r, _: stager.stage_file(f, r))
    stager.finish()
    counts = {Path(f.path).name: {k: getattr(f, k) for k in COUNTED} for f in report.files}
    assert counts == json.loads((GOLDEN / "bulk" / "counts.json").read_text())
    expected = {
        p.name: p.read_bytes().replace(b"{latest}", LATEST.isoformat().encode())
        for p in sorted((GOLDEN / "bulk").glob("*.rejects.csv"))
    }
    written = {p.name: p.read_bytes() for p in sorted((tmp_path / "rejects").iterdir())}
    assert written == expected


@pytest.mark.parametrize("name", json.loads((GOLDEN / "unreadable.json").read_text()))
def test_an_unreadable_file_fails_with_the_message_as_before(name, tmp_path):
    source = FIXTURES / "unreadable" / name
    kind = name.split("-")[0]
    message = json.loads((GOLDEN / "unreadable.json").read_text())[name]
    report = FileReport(str(source), kind, "")
    with pytest.raises(UnreadableFile) as failed:
        scan_file(CsvFile(source, SPECS[kind]), report, LATEST)
    assert str(failed.value).replace(str(source), "{path}") == message
    stager = BulkStager(_options(tmp_path), tmp_path / "stage")
    with pytest.raises(UnreadableFile) as failed:
        stager.stage_file(CsvFile(source, SPECS[kind]), report)
    assert str(failed.value).replace(str(source), "{path}") == message
