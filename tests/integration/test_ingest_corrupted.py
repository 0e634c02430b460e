"""A corrupted export (tests/fixtures/corrupted) ends in the rejects files and counts that the
row-by-row checks wrote before the columnar ones replaced them, byte for byte, on both load paths.

The golden files under tests/fixtures/golden/ were written by that earlier code; the only
thing substituted is `{latest}`, the last acceptable date, which moves with the calendar.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.servers import ingest_reported, run_cli, settings_env, wipe

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOLDEN = FIXTURES / "golden"
COUNTED = ("read", "loaded", "rejected", "created", "existing", "collapsed", "transfers")


def expected_rejects(path: str, settings) -> dict[str, bytes]:
    latest = datetime.now(UTC).date() + timedelta(days=settings.future_tolerance_days)
    return {
        golden.name: golden.read_bytes().replace(b"{latest}", latest.isoformat().encode())
        for golden in sorted((GOLDEN / path).glob("*.rejects.csv"))
    }


def counts(report: dict) -> dict[str, dict[str, int]]:
    return {Path(f["path"]).name: {k: f[k] for k in COUNTED} for f in report["files"]}


def _ingest(env, out: Path, *extra: str) -> dict:
    result, report = ingest_reported(FIXTURES / "corrupted", out, *extra, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    return report


@pytest.mark.parametrize("path", ["transactional", "bulk"])
def test_a_corrupted_export_is_rejected_as_before_byte_for_byte(
    path, driver, server_settings, spare_settings, tmp_path
):
    if path == "transactional":
        wipe(driver, server_settings)
        # One writer thread: with two, rejects of concurrent batches interleave in any order.
        env = {**settings_env(server_settings), "DOWNLINE_INGEST_WRITERS": "1"}
        report = _ingest(env, tmp_path)
        settings = server_settings
    else:
        report = _ingest(settings_env(spare_settings), tmp_path, "--bulk")
        settings = spare_settings
    golden = json.loads((GOLDEN / path / "counts.json").read_text())
    assert counts(report) == golden
    written = {p.name: p.read_bytes() for p in sorted((tmp_path / "rejects").iterdir())}
    assert written == expected_rejects(path, settings)


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (FIXTURES / "unreadable").iterdir() if p.suffix == ".csv")
)
@pytest.mark.parametrize("bulk", [False, True], ids=["transactional", "bulk"])
def test_an_unreadable_file_fails_the_run_with_the_message_as_before(
    name, bulk, driver, server_settings, tmp_path
):
    wipe(driver, server_settings)
    source = FIXTURES / "unreadable" / name
    out = tmp_path / "report.json"
    extra = ["--bulk"] if bulk else []
    result = run_cli(
        "ingest", str(source), "--report", str(out), *extra, env=settings_env(server_settings)
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    messages = json.loads((GOLDEN / "unreadable.json").read_text())
    error = json.loads(out.read_text())["error"]
    assert error.replace(str(source), "{path}") == messages[name]
