"""What one run's loading takes from the settings and the command line, whichever path writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class LoadOptions:
    batch_size: int
    latest: date  # the last acceptable date: today plus the tolerance
    as_of: date  # the date recorded for sponsor changes
    rejects_dir: Path | None  # None: beside each input file
    writers: int = 2  # concurrent write transactions
