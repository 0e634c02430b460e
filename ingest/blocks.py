"""A CSV file cut into blocks of whole records, each parsed by pyarrow's multithreaded reader,
with the line every record starts on.

Record boundaries and line numbers come from numpy over the block's bytes: a line break ends a
record when an even number of quotes precedes it in the block. That holds for RFC 4180 text;
anything for which pyarrow and Python's `csv` (strict) might disagree -- NUL bytes, a bare CR,
a CR inside quotes, a quote that neither opens a field nor closes or escapes one, bytes that
are not UTF-8, an unterminated quote -- makes the block "exotic", and from there on the file
is read by `CsvFile.rows()`, the row-by-row reader, so its rows and errors stay exactly its own.
Records with another field count than the header are handed on as text for the row path too.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ingest.reader import FIELD_LIMIT, CsvFile

# Bytes of input per block, about 170,000 orders: a block's passing arrays and Arrow columns
# take some ten times its size (on 100,000 distributors, 32 MiB blocks peaked at 850 MB).
BLOCK = 1 << 23
_BOM = b"\xef\xbb\xbf"
NL, CR, QUOTE, COMMA = 10, 13, 34, 44
_SEPARATORS = (b"\x1c", b"\x1d", b"\x1e", b"\x1f")  # ASCII controls that str.strip trims


@dataclass
class Block:
    """The records of one block: parsed (`table`, all strings, columns in header order, with
    their `lines`) and those with a wrong field count (`odd`: line, text) for the row path."""

    table: pa.Table
    lines: np.ndarray
    odd: list[tuple[int, str]]
    plain: bool = True  # only ASCII, no separator controls: no value has an unusual edge


@dataclass
class Rows:
    """Records from the row-by-row reader (the rest of the file once a block was exotic)."""

    rows: Iterator[tuple[int, list[str]]]


def blocks(csv_file: CsvFile) -> Iterator[Block | Rows]:
    """The file's records after the header, block by block."""
    width = len(csv_file.header)
    line = 1  # of the block's first byte
    first = True
    raw = _raw_blocks(csv_file)
    while True:
        try:
            data, last = next(raw)
        except StopIteration:
            return
        except (EOFError, OSError, zlib.error):  # a damaged gzip stream: the row path says where
            yield Rows(_rows_from(csv_file, line))
            return
        block = _block(csv_file, data, last, line, first, width)
        if block is None:
            raw.close()
            yield Rows(_rows_from(csv_file, line))
            return
        yield block
        line += data.count(b"\n")
        first = False


def _block(csv_file: CsvFile, data: bytes, last: bool, line: int, first: bool, width: int):
    """One block's records, or None if the row path must read it."""
    if not data:
        return Block(_parse(data, [], [], width, False, False), np.empty(0, np.int64), [])
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == NL)
    quotes = np.flatnonzero(buf == QUOTE)
    if _exotic(data, buf, quotes, last):
        return None
    if _BOM in data:  # pyarrow drops one that starts a record; Python keeps it after line 1
        return None
    ends = newlines[(np.searchsorted(quotes, newlines) % 2) == 0] if len(quotes) else newlines
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(data)]))
    if first:  # the header, read by CsvFile already
        starts, stops = starts[1:], stops[1:]
    stops = np.where((stops > starts) & (buf[np.maximum(stops - 1, 0)] == CR), stops - 1, stops)
    keep = stops > starts  # a blank line is no record
    starts, stops = starts[keep], stops[keep]
    if not len(starts):
        return _block(csv_file, b"", last, line, first, width)
    if (stops - starts).max() > FIELD_LIMIT:
        return None  # the row path refuses a field over the limit, as it always did
    lines = line + np.searchsorted(newlines, starts)
    multiline = len(ends) != len(newlines)
    csv_file.multiline |= multiline
    plain = data.isascii() and not any(c in data for c in _SEPARATORS)
    table = _parse(data, starts, stops, width, multiline, True)
    if table is not None and table.num_rows == len(starts):
        return Block(table, lines, [], plain)  # pyarrow refuses a record of another width
    commas = np.flatnonzero(buf == COMMA)
    commas = commas[(np.searchsorted(quotes, commas) % 2 == 0) & (commas >= starts[0])]
    owner = np.searchsorted(starts, commas, side="right") - 1
    wide = np.bincount(owner, minlength=len(starts))[: len(starts)] + 1 == width
    try:
        odd = [
            (int(at), data[a:b].decode("utf-8"))
            for at, a, b in zip(lines[~wide], starts[~wide], stops[~wide], strict=True)
        ]
    except UnicodeDecodeError:
        return None
    table = _parse(data, starts[wide], stops[wide], width, multiline, bool(wide.all()))
    if table is None or table.num_rows != len(lines[wide]):
        return None
    return Block(table, lines[wide], odd, plain)


def _raw_blocks(csv_file: CsvFile) -> Iterator[tuple[bytes, bool]]:
    """Byte blocks cut after a line break outside quotes (BOM removed); True on the last."""
    path = csv_file.path
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as raw:
        pending = raw.read(BLOCK).removeprefix(_BOM)
        while True:
            more = raw.read(BLOCK)
            if not more:
                yield pending, True
                return
            data = pending + more
            cut = _after_last_end(data)
            if cut:
                yield data[:cut], False
            pending = data[cut:]


def _after_last_end(data: bytes) -> int:
    """The offset after the last line break outside quotes (0 if there is none)."""
    quotes = data.count(b'"')
    at = len(data)
    while (at := data.rfind(b"\n", 0, at)) >= 0:
        if not quotes or (quotes - data.count(b'"', at)) % 2 == 0:
            return at + 1
    return 0


def _exotic(data: bytes, buf, quotes, last: bool) -> bool:
    """Whether the block holds anything the two readers might read differently."""
    if b"\x00" in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return True
    if len(quotes) % 2 and last:
        return True  # an unterminated quote
    if b"\r" in data:
        returns = np.flatnonzero(buf == CR)
        if np.any(np.searchsorted(quotes, returns) % 2):
            return True  # a CR inside quotes
    if not len(quotes):
        return False
    size = len(buf)
    before = np.where(quotes > 0, buf[np.maximum(quotes - 1, 0)], NL)
    after = np.where(quotes < size - 1, buf[np.minimum(quotes + 1, size - 1)], NL)
    opening = np.arange(len(quotes)) % 2 == 0
    opens_field = (before == COMMA) | (before == NL) | (before == QUOTE)
    closes = (after == COMMA) | (after == QUOTE) | (after == CR) | (after == NL)
    if np.any(opening & ~opens_field) or np.any(~opening & ~closes):
        return True
    # An opening quote after a quote continues a quoted field ("a""b") only if that quote
    # closed a field right before it.
    escaped = opening & (before == QUOTE)
    return bool(np.any(escaped & ~np.concatenate(([False], np.diff(quotes) == 1))))


def _parse(data, starts, stops, width: int, multiline: bool, contiguous: bool) -> pa.Table | None:
    """The records with the header's field count, parsed by pyarrow (None if it refuses)."""
    names = [f"c{i}" for i in range(width)]
    if not len(starts):
        return pa.table({name: pa.array([], pa.string()) for name in names})
    if contiguous:  # blank lines and CRLF between records pyarrow skips as the csv module does
        body = data[int(starts[0]) : int(stops[-1])]
    else:
        body = b"\n".join(data[int(a) : int(b)] for a, b in zip(starts, stops, strict=True))
    try:
        return pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(
                column_names=names, use_threads=True, block_size=1 << 22
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=multiline),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None


def _rows_from(csv_file: CsvFile, line: int) -> Iterator[tuple[int, list[str]]]:
    """The row-by-row reader's records from `line` on."""
    for start, fields in csv_file.rows():
        if start >= line:
            yield start, fields


def split_odd(text: str) -> list[str]:
    """The fields of one record of the wrong width, as the row-by-row reader splits them."""
    return next(csv.reader(io.StringIO(text, newline=""), strict=True), [])
