"""The commands that take --format, with arguments for a loaded network's folder."""

from __future__ import annotations

COMMANDS = [
    ("levels",),
    ("flows",),
    ("earnings",),
    ("cohorts",),
    ("indicators",),
    ("indicators", "--by-earner"),
    ("distributor", "{someone}"),
    ("ingest", "history"),
    ("query", "run", "labels"),
]


def args_of(command, folder):
    someone = (folder / "distributors.csv").read_text().splitlines()[1].split(",")[0]
    return [part.format(someone=someone) for part in command]
