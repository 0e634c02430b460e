"""What a run did, file by file, and the rejects files that keep every refused row."""

from __future__ import annotations

import csv
import json
import resource
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

EXIT_OK, EXIT_REJECTS, EXIT_FAILED = 0, 1, 2
_COUNTING = threading.Lock()  # several writer threads count into one report


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> int:
    """Peak resident memory (Linux reports kilobytes) of this process or its waited-for children."""
    return round(resource.getrusage(who).ru_maxrss / 1024)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass
class FileReport:
    path: str
    kind: str
    sha256: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    created: int = 0
    existing: int = 0  # already in Neo4j: refreshed (distributors, customers) or identical
    collapsed: int = 0  # exact repeats within the file
    transfers: int = 0
    seconds: float = 0.0
    rejects_file: str | None = None
    warnings: list[str] = field(default_factory=list)
    status: str = "pending"  # pending | loaded | failed | skipped

    def count(self, **deltas: int) -> None:
        with _COUNTING:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)


@dataclass
class RunReport:
    run_id: str
    started_at: str
    as_of: str
    files: list[FileReport] = field(default_factory=list)
    status: str = "running"
    finished_at: str | None = None
    error: str | None = None
    derived: dict = field(default_factory=dict)
    peak_rss_mb: int | None = None  # of the ingest process, at the end of the run

    def fail(self, error: Exception) -> None:
        """The run stopped at an unreadable file: files not reached are skipped."""
        self.status, self.error = "failed", str(error)
        for file_report in self.files:
            if file_report.status == "pending":
                file_report.status = "skipped"

    def fail_import(self, error: Exception) -> None:
        """The bulk importer failed after every file was staged: none of their rows is in the
        database (the rejected ones stay rejected, with their reasons)."""
        self.fail(error)
        for file_report in self.files:
            if file_report.status == "loaded":
                file_report.status = "failed"
                file_report.count(
                    loaded=-file_report.loaded,
                    created=-file_report.created,
                    existing=-file_report.existing,
                    transfers=-file_report.transfers,
                )

    def finish(self) -> None:
        self.finished_at = now()
        self.peak_rss_mb = peak_rss_mb()

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def exit_code(self) -> int:
        if self.status == "failed":
            return EXIT_FAILED
        return EXIT_REJECTS if self.rejected else EXIT_OK

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(
            read=self.read, loaded=self.loaded, rejected=self.rejected, exit_code=self.exit_code
        )
        return data

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, default=str) + "\n", encoding="utf-8")


class RejectWriter:
    """One rejects CSV per input file: the original columns plus source_file, line, reason.

    Opened on the first reject; a stale rejects file from an earlier run of the same input is
    removed so that what lies beside the input always describes the latest run.
    """

    def __init__(self, source: Path, header: list[str], folder: Path, report: FileReport):
        name = source.name.removesuffix(".gz").removesuffix(".csv")
        self.path = folder / f"{name}.rejects.csv"
        self.source = source
        self.header = header
        self.report = report
        self._handle = None
        self._writer = None
        self._lock = threading.Lock()
        self.reasons: dict[int, str] = {}  # line -> reason, of every row rejected so far
        self.path.unlink(missing_ok=True)

    def reject(self, line: int, fields: list[str], reason: str) -> None:
        with self._lock:
            self._reject(line, fields, reason)
        self.report.count(rejected=1)

    def _reject(self, line: int, fields: list[str], reason: str) -> None:
        self.reasons[line] = reason
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow([*self.header, "source_file", "line", "reason"])
            self.report.rejects_file = str(self.path)
        padded = (fields + [""] * len(self.header))[: len(self.header)]
        if len(fields) > len(self.header):  # keep surplus fields rather than lose them
            padded[-1] = ",".join(fields[len(self.header) - 1 :])
        self._writer.writerow([*padded, self.source.name, line, reason])

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
