"""Does the pandas contender (bench/read_model_pandas.py) answer every view as downline's read
model does? A script, not a test: it generates a small network, loads it with `downline ingest`
into a throwaway Neo4j (the test suite's helpers), opens the snapshot the run wrote, and
compares both engines' answers for every view over a matrix of roots and filters like the
benchmark's, printing each difference (it should print none) and how many were compared.

Equality: integers, strings and booleans exact; floats to 1e-9 relative (1e-12 absolute near
zero); None, NaN and pd.NA alike as "missing"; frames column by column and row by row in
order (every order downline gives is defined: no frame is sorted before comparing); an error
(a root not joined by the as-of day) must be the same error with the same message.

    .venv/bin/python bench/read_model_check.py [--distributors 3000] [--months 18] [--seed 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.support: the throwaway server helpers

from read_model_cases import END, periods, roots_near  # noqa: E402
from read_model_pandas import ACTIVE, InMemory  # noqa: E402

from downline import snapshot  # noqa: E402
from downline.connection import driver_for  # noqa: E402
from downline.errors import DownlineError  # noqa: E402
from downline.localdb import LocalNeo4j  # noqa: E402
from downline.schema import init_schema  # noqa: E402
from ingest.generate import generate  # noqa: E402
from queries.cohorts import cohorts  # noqa: E402
from queries.cypher_source import CypherSource  # noqa: E402
from queries.earnings import earnings  # noqa: E402
from queries.engine import staleness  # noqa: E402
from queries.filters import Filters  # noqa: E402
from queries.flows import flows  # noqa: E402
from queries.indicators import indicators_with_subtrees  # noqa: E402
from queries.levels import levels  # noqa: E402
from queries.overview import overview  # noqa: E402
from queries.snapshot_source import SnapshotSource  # noqa: E402
from tests.support.servers import (  # noqa: E402
    free_port,
    mark_created,
    run_cli,
    settings_env,
    throwaway_settings,
)

# Each view: downline's function of (source, root, filters), and the contender's method name.
VIEWS: dict[str, tuple[Callable, str]] = {
    "levels": (levels, "levels"),
    "flows": (flows, "flows"),
    "earnings": (earnings, "earnings"),
    "cohorts": (cohorts, "cohorts"),
    "indicators": (indicators_with_subtrees, "indicators_with_subtrees"),
    "overview": (overview, "overview"),
}
REL, ABS = 1e-9, 1e-12
KIND = {"u": "i"}  # dtype kinds alike: unsigned and signed integers
TRANSFERRED_ON = date(2026, 6, 15)  # the later run's as-of day: its sponsor changes' date


# --- the questions -----------------------------------------------------------------------


# --- comparing answers -------------------------------------------------------------------


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _scalar(a, b) -> bool:
    if _missing(a) or _missing(b):
        return _missing(a) and _missing(b)
    flags = [isinstance(v, (bool, np.bool_)) for v in (a, b)]
    if any(flags):
        return all(flags) and bool(a) == bool(b)
    whole = [isinstance(v, (int, np.integer)) for v in (a, b)]
    if any(whole):
        return all(whole) and int(a) == int(b)
    real = [isinstance(v, (float, np.floating)) for v in (a, b)]
    if any(real):
        return all(real) and math.isclose(float(a), float(b), rel_tol=REL, abs_tol=ABS)
    return type(a) is type(b) and a == b


def _frame(ours: pd.DataFrame, theirs: pd.DataFrame, where: str, out: list[str]) -> int:
    """Columns by name and order, then every cell in row order; returns cells compared."""
    if list(ours.columns) != list(theirs.columns):
        out.append(f"{where}: columns {list(theirs.columns)} != downline's {list(ours.columns)}")
        return 0
    if len(ours) != len(theirs):
        out.append(f"{where}: {len(theirs)} rows != downline's {len(ours)}")
        return 0
    cells = 0
    for column in ours.columns:
        kinds = [KIND.get(f[column].dtype.kind, f[column].dtype.kind) for f in (ours, theirs)]
        if kinds[0] != kinds[1] and len(ours):
            out.append(f"{where}.{column}: dtype {theirs[column].dtype} != {ours[column].dtype}")
        mine, other = ours[column].tolist(), theirs[column].tolist()
        for row, (a, b) in enumerate(zip(mine, other, strict=True)):
            cells += 1
            if not _scalar(a, b):
                out.append(f"{where}[{row}].{column}: {b!r} != downline's {a!r}")
    return cells


def compare(ours, theirs, where: str, out: list[str]) -> int:
    """Downline's answer against the contender's, recursively; differences appended to
    `out`; returns how many values were compared."""
    if isinstance(ours, pd.DataFrame):
        return _frame(ours, theirs, where, out)
    if dataclasses.is_dataclass(ours):
        if type(ours) is not type(theirs):
            out.append(f"{where}: {type(theirs).__name__} != downline's {type(ours).__name__}")
            return 0
        return sum(
            compare(getattr(ours, f.name), getattr(theirs, f.name), f"{where}.{f.name}", out)
            for f in dataclasses.fields(ours)
        )
    if isinstance(ours, (list, tuple)):
        if len(ours) != len(theirs):
            out.append(f"{where}: {len(theirs)} items != downline's {len(ours)}")
            return 0
        return sum(
            compare(a, b, f"{where}[{i}]", out)
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
        )
    if isinstance(ours, dict):
        if list(ours) != list(theirs):
            out.append(f"{where}: keys {list(theirs)} != downline's {list(ours)}")
            return 0
        return sum(compare(ours[k], theirs[k], f"{where}[{k}]", out) for k in ours)
    if not _scalar(ours, theirs):
        out.append(f"{where}: {theirs!r} != downline's {ours!r}")
    return 1


def _answer(view: Callable, *args) -> object:
    """The answer, or the error downline raises for a question it refuses."""
    try:
        return view(*args)
    except DownlineError as error:
        return ("refused", str(error))


def check(source, memory: InMemory, roots: dict[str, str | None], asked) -> tuple[int, int, list]:
    """(views compared, values compared, differences) over every root, filter and view."""
    views = values = 0
    out: list[str] = []
    for label, root in roots.items():
        for name, filters in asked:
            for view, (function, method) in VIEWS.items():
                ours = _answer(function, source, root, filters)
                theirs = _answer(getattr(memory, method), root, filters)
                where = f"{view} [{label} {root}; {name}]"
                values += compare(ours, theirs, where, out)
                views += 1
    return views, values, out


# --- the run -----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--distributors", type=int, default=3000)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--profile", default="pyramid")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="read-model-check-") as work:
        work = Path(work)
        data = work / "data"
        counts = generate(data, args.distributors, args.months, args.seed, args.profile, END)
        print(f"generated {counts} ({args.profile}, {args.months} months, seed {args.seed})")
        settings = throwaway_settings(work / "neo4j", free_port())
        mark_created(settings)
        server = LocalNeo4j(settings, log=lambda message: None)
        try:
            print(f"throwaway Neo4j answered after {server.start():.1f} s")
            return _run(settings, data, args.distributors)
        finally:
            server.stop()


def _ingest(driver, settings, folder: Path, *extra: str) -> SnapshotSource | str:
    """`downline ingest FOLDER` into the throwaway server, and the read model it left (or
    why there is none to use)."""
    loaded = run_cli("ingest", str(folder), *extra, env=settings_env(settings))
    if loaded.returncode != 0:
        return loaded.stdout + loaded.stderr
    cypher = CypherSource(driver, settings.neo4j_database)
    version = snapshot.current(settings.snapshot_dir)
    problem = staleness(cypher, version)
    return problem or SnapshotSource(version, cypher)


def edge_roots(memory: InMemory) -> dict[str, str]:
    """Roots at the edges: the deepest distributor, a leaf that left (nobody with active
    only), and the last to join (not joined yet on the as-of days: both refuse)."""
    tree = memory.tree_now
    gone = np.flatnonzero((tree.recruits == 0) & (memory.status != ACTIVE))
    return {
        "deepest": str(memory.id_text[int(np.argmax(tree.depth))]),
        "a leaf that left": str(memory.id_text[gone[len(gone) // 2]]),
        "last to join": str(memory.id_text[int(np.argmax(memory.joined))]),
    }


def _report(memory: InMemory, roots, asked, views: int, values: int, out, seconds) -> None:
    for line in out:
        print(line)
    sizes = memory.tree_now.post - memory.tree_now.pre + 1
    named = ", ".join(
        f"{label} {root} ({int(sizes[memory.index.get_loc(root)]) if root else len(memory):,})"
        for label, root in roots.items()
    )
    print(f"  roots (subtree size now): {named}")
    print(f"  filters: {'; '.join(name for name, _ in asked)}")
    print(
        f"  {views} views compared ({len(roots)} roots x {len(asked)} filters x {len(VIEWS)} "
        f"views), {values:,} values, {len(out)} differences ({seconds:.0f} s)"
    )


def _run(settings, data: Path, n: int) -> int:
    with driver_for(settings) as driver:
        init_schema(driver, settings.neo4j_database)
        source = _ingest(driver, settings, data)
        if isinstance(source, str):
            print(source)
            return 2
        memory = InMemory.load(data)
        # The benchmark's 1k, 10k and 70k of 1,000,000, scaled to this network's size.
        targets = {f"~{t * n // 1_000_000}": t * n // 1_000_000 for t in (1_000, 10_000, 70_000)}
        roots = {"whole network": None, **roots_near(memory, targets), **edge_roots(memory)}
        asked = periods(END)
        start = time.perf_counter()
        views, values, out = check(source, memory, roots, asked)
        print("one load, no sponsor changes:")
        _report(memory, roots, asked, views, values, out, time.perf_counter() - start)
        found = _after_transfers(driver, settings, data, memory)
        if isinstance(found, str):
            print(found)
            return 2
    return 1 if out or found else 0


def _after_transfers(driver, settings, data: Path, memory: InMemory) -> list[str] | str:
    """A later run that moves six distributors (three under the largest frontline leg, three
    cut loose as roots), dated TRANSFERRED_ON: the contender loads the tree as it is now with
    those sponsor changes (its hook for the tree on a day), and both answer again, before, on
    and after the day. Returns the differences (or why the run could not be made)."""
    later, merged, changes, picked = _moves(data, memory)
    source = _ingest(driver, settings, later, "--as-of", str(TRANSFERRED_ON))
    if isinstance(source, str):
        return source
    moved = InMemory.load(merged, sponsor_changes=changes)
    asked = periods(END)
    for day in (date(2026, 3, 1), TRANSFERRED_ON):
        asked.append((f"as of {day}", Filters(as_of=day)))
        asked.append((f"as of {day}, active only", Filters(as_of=day, active_only=True)))
    roots = {"whole network": None, **picked}
    start = time.perf_counter()
    views, values, out = check(source, moved, roots, asked)
    print(f"after a later run moved {len(changes)} distributors on {TRANSFERRED_ON}:")
    _report(moved, roots, asked, views, values, out, time.perf_counter() - start)
    return out


def _moves(data: Path, memory: InMemory) -> tuple[Path, Path, pd.DataFrame, dict[str, str]]:
    """(the later run's folder, the whole network as it is after it, the sponsor changes,
    roots to ask about). Movers are at depth 2 with downlines of their own, outside the
    largest frontline leg, so that no move closes a loop."""
    tree = memory.tree_now
    size = tree.post - tree.pre + 1
    front = np.flatnonzero(tree.depth == 1)
    leg = front[np.argmax(size[front])]
    outside = (tree.pre < tree.pre[leg]) | (tree.pre > tree.post[leg])
    able = np.flatnonzero((tree.depth == 2) & (size >= 5) & outside)
    movers = able[np.linspace(0, len(able) - 1, 6).astype(int)]
    people = pd.read_csv(data / "distributors.csv", dtype=str, keep_default_na=False)
    rows = people.iloc[movers].copy()
    changes = pd.DataFrame(
        {
            "distributor_id": rows.distributor_id.to_numpy(),
            "from_id": rows.sponsor_id.to_numpy(),
            "changed_on": TRANSFERRED_ON,
        }
    )
    rows["sponsor_id"] = [memory.id_text[leg]] * 3 + [""] * 3
    later, merged = data.parent / "later", data.parent / "after"
    later.mkdir()
    merged.mkdir()
    rows.to_csv(later / "distributors.csv", index=False)
    people.loc[rows.index, "sponsor_id"] = rows.sponsor_id
    people.to_csv(merged / "distributors.csv", index=False)
    for kind in ("orders", "commissions"):
        (merged / f"{kind}.csv").symlink_to(data / f"{kind}.csv")
    picked = {
        "the leg moved into": str(memory.id_text[leg]),
        "a moved distributor": str(rows.distributor_id.iloc[0]),
        "its former sponsor": str(changes.from_id.iloc[0]),
        "cut loose (a root now)": str(rows.distributor_id.iloc[3]),
    }
    return later, merged, changes, picked


if __name__ == "__main__":
    raise SystemExit(main())
