"""Progress for people (a rich bar on a terminal) and for logs (plain lines elsewhere)."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class ProgressReporter:
    def __init__(self, interactive: bool | None = None, log=None):
        self.interactive = sys.stderr.isatty() if interactive is None else interactive
        self.log = log or (lambda message: print(message, file=sys.stderr, flush=True))

    @contextmanager
    def phase(self, description: str, total: int | None = None):
        """Yields advance(n); plain mode logs the start, and the end with count and rate."""
        began = time.monotonic()
        done = 0
        if self.interactive:
            columns = [
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            ]
            with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task(description, total=total)

                def advance(n: int) -> None:
                    nonlocal done
                    done += n
                    bar.advance(task, n)

                yield advance
        else:
            self.log(f"{description} ...")

            def advance(n: int) -> None:
                nonlocal done
                done += n

            yield advance
        seconds = time.monotonic() - began
        if done:
            rate = f", {done / seconds:,.0f} rows/s" if seconds > 0 else ""
            self.log(f"{description}: {done:,} rows in {seconds:.1f} s{rate}")
        else:
            self.log(f"{description}: done in {seconds:.1f} s")
