"""The drop-folder worker: loads new exports as they arrive, one file per run, unattended.

Each file ends in processed/ (loaded, maybe with rejects) or failed/ (unreadable), with its
JSON report and rejects beside it. A file whose checksum a finished run already loaded is moved
to processed/ without loading it again. Neo4j being down, or another worker holding the ingest
lock, is logged and retried with backoff; the files wait in the drop folder.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from neo4j.exceptions import DriverError, Neo4jError

from downline.connection import connected
from downline.errors import Neo4jUnavailable
from downline.settings import Settings
from ingest import runs
from ingest.pipeline import Input, folder_inputs, run_ingest
from ingest.progress import ProgressReporter
from ingest.reader import sha256

SETTLE_SECONDS = 2.0  # a file modified more recently may still be being written


class Watcher:
    def __init__(self, settings: Settings, dropdir: Path, every: float, log=print):
        self.settings = settings
        self.dropdir = dropdir
        self.every = every
        self.log = log
        self.processed = dropdir / "processed"
        self.failed = dropdir / "failed"

    def run(self, once: bool = False) -> None:
        for folder in (self.processed, self.failed):
            folder.mkdir(parents=True, exist_ok=True)
        self.log(f"watching {self.dropdir} every {self.every:g} s")
        backoff = 1.0
        while True:
            try:
                self.tick()
                backoff = 1.0
            except (Neo4jUnavailable, runs.IngestBusy, DriverError, Neo4jError) as error:
                if once:
                    raise
                wait = min(backoff, self.every)
                self.log(f"will retry in {wait:g} s: {error}")
                time.sleep(wait)
                backoff *= 2
                continue
            if once:
                return
            time.sleep(self.every)

    def ready_files(self) -> list[Input]:
        now = time.time()
        inputs = folder_inputs(self.dropdir)
        return [i for i in inputs if now - i.path.stat().st_mtime >= SETTLE_SECONDS]

    def tick(self) -> None:
        files = self.ready_files()
        if not files:
            return
        with connected(self.settings) as driver:
            for item in files:
                self._process(driver, item)

    def _process(self, driver, item: Input) -> None:
        checksum = sha256(item.path)
        earlier = runs.already_loaded(driver, self.settings.neo4j_database, checksum)
        if earlier:
            target = self._move(item.path, self.processed)
            self._write_report(
                target,
                {"skipped": True, "sha256": checksum, "reason": f"already loaded by run {earlier}"},
            )
            self.log(f"{item.path.name}: already loaded by run {earlier}; moved to processed/")
            return
        report = run_ingest(
            driver,
            self.settings,
            [item],
            rejects_dir=self.processed,
            progress=ProgressReporter(interactive=False, log=self.log),
        )
        folder = self.failed if report.status == "failed" else self.processed
        target = self._move(item.path, folder)
        self._write_report(target, report.to_dict())
        self.log(
            f"{item.path.name}: {report.status} (read {report.read:,}, loaded "
            f"{report.loaded:,}, rejected {report.rejected:,}); moved to {folder.name}/"
        )

    def _move(self, path: Path, folder: Path) -> Path:
        target = folder / path.name
        if target.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            target = folder / f"{stamp}-{path.name}"
        shutil.move(str(path), target)
        return target

    @staticmethod
    def _write_report(target: Path, data: dict) -> None:
        report_path = target.with_name(target.name + ".report.json")
        report_path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
