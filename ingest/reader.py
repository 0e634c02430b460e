"""Streams the rows of one CSV file (plain or gzip, UTF-8 with or without BOM, RFC 4180)."""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path

from downline.errors import DownlineError
from ingest.formats import FileSpec

FIELD_LIMIT = 1 << 20  # bytes in one field; a longer one makes the file unreadable
csv.field_size_limit(FIELD_LIMIT)


class UnreadableFile(DownlineError):
    """The file as a whole cannot be loaded: the run fails (exit 2) and nothing of it is written."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Undecodable(Exception):
    def __init__(self, line: int, error: UnicodeDecodeError):
        super().__init__(f"not UTF-8 ({error.reason} at byte {error.start})")
        self.line = line


def _text_lines(path: Path) -> Iterator[str]:
    """Decoded physical lines, one at a time, so a bad byte is reported on its own line."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as raw:
        for number, chunk in enumerate(raw, start=1):
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError as error:
                raise _Undecodable(number, error) from None
            yield text.removeprefix("\ufeff") if number == 1 else text


class CsvFile:
    """One input file: its header checked against a spec, its rows as (line, values) pairs."""

    def __init__(self, path: Path, spec: FileSpec):
        self.path = path
        self.spec = spec
        self.header: list[str] = []
        self.unknown_columns: list[str] = []
        self.multiline = False  # a record spans lines (a quoted line break), seen by rows()
        self._read_header()

    def _fail(self, line: int | None, message: str) -> UnreadableFile:
        where = f"{self.path}: line {line}: " if line else f"{self.path}: "
        return UnreadableFile(where + message)

    def _read_header(self) -> None:
        try:
            lines = _text_lines(self.path)
            header = next(csv.reader(lines, strict=True), None)
            lines.close()
        except _Undecodable as error:
            raise self._fail(error.line, str(error)) from None
        except (gzip.BadGzipFile, EOFError, csv.Error, OSError) as error:
            raise self._fail(1, f"cannot read the header: {error}") from None
        if not header:
            raise self._fail(None, "empty file: no header row")
        header = [name.strip() for name in header]
        if len(set(header)) != len(header):
            raise self._fail(1, "the header names a column twice")
        missing = [c for c in self.spec.columns if c not in header]
        if missing:
            raise self._fail(
                1, f"not a {self.spec.kind} file: required column(s) missing: {', '.join(missing)}"
            )
        known = set(self.spec.columns) | set(self.spec.optional)
        self.header = header
        self.unknown_columns = [c for c in header if c not in known]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line where the record starts, raw fields); raises UnreadableFile on broken CSV."""
        start = 1
        lines = _text_lines(self.path)
        try:
            reader = csv.reader(lines, strict=True)
            next(reader)
            start = reader.line_num + 1
            for fields in reader:
                if fields:  # a blank line is no record
                    yield start, fields
                if reader.line_num != start or any("\r" in f or "\n" in f for f in fields):
                    self.multiline = True  # a bare CR inside quotes too (the importer's option)
                start = reader.line_num + 1
        except _Undecodable as error:
            raise self._fail(error.line, str(error)) from None
        except (gzip.BadGzipFile, EOFError, OSError) as error:
            raise self._fail(start, f"cannot be read: {error}") from None
        except csv.Error as error:
            raise self._fail(start, f"broken CSV: {error}") from None
        finally:
            lines.close()

    def as_dict(self, fields: list[str]) -> dict[str, str]:
        return dict(zip(self.header, fields, strict=False))
