"""The analytics read model's files: a columnar snapshot of the facts, beside the database.

One version is a folder of Arrow IPC files (uncompressed, so they are memory-mapped, not read)
and a `meta.json`; `CURRENT` names the version readers use. A writer builds a new version in a
temporary folder and swaps `CURRENT` with one rename, so a reader sees one version whole or
the one before it, never a mix (docs/read-model.md). Ingest writes versions; queries read them.

The distributor table is in pre order of the sponsor forest (row r has pre number r), so a
subtree is a run of rows and the whole network is every row, read in order. Facts name their
distributors by a stable index that never changes (`positions` gives each index's row), so
moving a distributor rewrites only the distributor table and the per-owner indexes of the
facts, never the facts. Days are integers since 1970-01-01; months year * 12 + month - 1;
"none" is -1 and "never left" is NEVER.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

FORMAT = 1
CURRENT = "CURRENT"
NEVER = np.iinfo(np.int32).max  # the `left` day of a distributor who has not left
KEEP_VERSIONS = 2  # the current one and the one before, for readers still holding it

i8, i32, i64 = pa.int8(), pa.int32(), pa.int64()

# Per table, its columns in order. Codes index the tuples in downline.vocabulary (ORDER_KINDS,
# COMMISSION_TYPES, STATUSES); every *_cents or count column of distributors is all-time.
SCHEMAS: dict[str, pa.Schema] = {
    # In pre order; `sponsor`, `placement`, `root` and `post` are rows, `index` the stable one.
    "distributors": pa.schema(
        [
            ("id", pa.string()),
            ("index", i32),
            ("sponsor", i32),
            ("placement", i32),
            ("leg", pa.string()),
            ("id_rank", i32),  # the id's place in sorted order: roots and siblings go so
            ("depth", i32),
            ("post", i32),
            ("root", i32),
            ("status", i8),
            ("rank", pa.string()),
            ("joined", i32),
            ("left", i32),
            ("order_count", i64),
            ("retail_cents", i64),
            ("personal_cents", i64),
            ("starter_kit_cents", i64),
            ("commission_count", i64),
            ("commission_cents", i64),
            # also all-time: direct recruits, orders of each kind, commissions received of
            # each downline.totals.COMMISSION_CLASSES, own purchases late in their month
            ("recruits", i32),
            ("retail_orders", i64),
            ("personal_orders", i64),
            ("starter_kit_orders", i64),
            ("retail_tied_cents", i64),
            ("participant_tied_cents", i64),
            ("recruiting_cents", i64),
            ("late_personal_cents", i64),
        ]
    ),
    # Row i: the row of the distributor whose stable index is i.
    "positions": pa.schema([("row", i32)]),
    # Sorted by day: a period is one slice. The owner is a stable index.
    "orders": pa.schema(
        [("owner", i32), ("day", i32), ("kind", i8), ("cents", i64), ("volume_cents", i64)]
    ),
    # Sorted by month; earner and source are stable indexes; `trigger` is the kind of the
    # order the commission names.
    "commissions": pa.schema(
        [
            ("earner", i32),
            ("source", i32),
            ("month", i32),
            ("type", i8),
            ("trigger", i8),
            ("cents", i64),
        ]
    ),
    # The facts' positions grouped by their owner's row (each row's `order_count` or
    # `commission_count` of them, in time order): a subtree's facts are one slice of these.
    "orders_by_owner": pa.schema([("at", i32)]),
    "commissions_by_owner": pa.schema([("at", i32)]),
    # Sponsor changes by stable index, sorted by day: the tree on a day undoes the later ones.
    "changes": pa.schema([("distributor", i32), ("from", i32), ("to", i32), ("day", i32)]),
    # All commissions summed by the depths of source (-1: none) and earner, and whether the
    # earner is active: the whole network's money flows without reading a commission.
    "flows": pa.schema(
        [
            ("source_depth", i32),
            ("earner_depth", i32),
            ("earner_active", pa.bool_()),
            ("cents", i64),
            ("count", i64),
        ]
    ),
}


class SnapshotError(Exception):
    """A snapshot folder that cannot be read as one (missing file, other format, bad schema)."""


@dataclass(frozen=True)
class Version:
    """One snapshot version, memory-mapped read-only."""

    folder: Path
    meta: dict
    tables: dict[str, pa.Table]

    @property
    def run_id(self) -> str | None:
        return self.meta.get("run_id")

    def array(self, table: str, column: str) -> np.ndarray:
        """A column as a numpy view of the mapped file (strings: an object array)."""
        values = self.tables[table].column(column)
        if pa.types.is_string(values.type):
            return values.to_numpy(zero_copy_only=False)
        return values.to_numpy()  # one chunk, no nulls: zero-copy

    def __len__(self) -> int:
        return self.tables["distributors"].num_rows


def current_folder(folder: Path) -> Path | None:
    """The folder of the version readers should use, or None when there is none yet."""
    try:
        name = (folder / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return folder / name


def current(folder: Path) -> Version | None:
    """The version readers should use, opened, or None when there is none yet."""
    found = current_folder(folder)
    return open_version(found) if found is not None else None


def open_version(folder: Path) -> Version:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SnapshotError(f"{folder}: no readable meta.json ({error})") from None
    if meta.get("format") != FORMAT:
        raise SnapshotError(f"{folder}: format {meta.get('format')}, this downline reads {FORMAT}")
    tables = {}
    for name, schema in SCHEMAS.items():
        try:
            source = pa.memory_map(str(folder / f"{name}.arrow"), "r")
            table = ipc.open_file(source).read_all()
        except (OSError, pa.ArrowInvalid) as error:
            raise SnapshotError(f"{folder}: {name}.arrow cannot be read ({error})") from None
        if not table.schema.equals(schema):
            raise SnapshotError(f"{folder}: {name}.arrow has other columns than format {FORMAT}")
        tables[name] = table.combine_chunks()
    return Version(folder, meta, tables)


def write(folder: Path, tables: dict[str, pa.Table], meta: dict) -> Version:
    """Write a new version and make it current in one rename; older versions beyond
    KEEP_VERSIONS are removed (a reader that still maps one keeps its pages: Linux frees a
    removed file when its last mapping goes). Names never repeat, so no reader's folder is
    ever replaced under it."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"v{time.time_ns()}"
    final = folder / name
    building = folder / f".{name}.building"
    building.mkdir()
    for table_name, schema in SCHEMAS.items():
        table = tables[table_name].select(schema.names).cast(schema)
        path = building / f"{table_name}.arrow"
        with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, schema) as writer:
            writer.write_table(table, max_chunksize=max(table.num_rows, 1))
        _fsync(path)
    (building / "meta.json").write_text(
        json.dumps({**meta, "format": FORMAT}, indent=2, default=str) + "\n", encoding="utf-8"
    )
    os.replace(building, final)
    pointer = folder / f".{CURRENT}.{os.getpid()}"
    pointer.write_text(name + "\n", encoding="utf-8")
    _fsync(pointer)
    os.replace(pointer, folder / CURRENT)
    _prune(folder, keep=name)
    return open_version(final)


def _prune(folder: Path, keep: str) -> None:
    versions = sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in [v for v in versions if v.name != keep][KEEP_VERSIONS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def remove(folder: Path) -> None:
    """No current version any more (the database was emptied or replaced by other means)."""
    (folder / CURRENT).unlink(missing_ok=True)
