"""The read model's core operations in four columnar libraries, to choose one by measuring
(docs/read-model.md): numpy over Arrow buffers, pyarrow compute, polars and DuckDB, each in one
warm process, on arrays shaped like the 1,000,000-distributor target (6.7M orders, 9.3M
commissions over 36 months, levels 0-24, distributors in pre order).

    python bench/columnar_libraries.py [--distributors 1000000] [--runs 7]

Writes bench/results/columnar-libraries-<date>.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from benchlib import machine, write_result

OPERATIONS = (
    "revenue by level, all orders",
    "revenue by level, one quarter",
    "revenue by level, a 70k subtree",
    "commissions by source and earner level",
)


def arrays(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Random facts of the target's shape: owners are rows (pre order), days sorted."""
    rng = np.random.default_rng(seed)
    orders, commissions = int(n * 6.7), int(n * 9.3)
    return {
        "depth": rng.integers(0, 25, n).astype(np.int32),
        "owner": rng.integers(0, n, orders).astype(np.int32),
        "day": np.sort(rng.integers(19_000, 20_100, orders)).astype(np.int32),
        "cents": rng.integers(100, 20_000, orders).astype(np.int64),
        "earner": rng.integers(0, n, commissions).astype(np.int32),
        "source": rng.integers(0, n, commissions).astype(np.int32),
        "paid": rng.integers(1, 5_000, commissions).astype(np.int64),
    }


def numpy_cases(a: dict, n: int) -> dict:
    quarter = np.searchsorted(a["day"], [19_500, 19_592])
    lo, hi = n // 3, n // 3 + 70_000

    def all_orders():
        return np.bincount(a["depth"][a["owner"]], a["cents"], minlength=25)

    def one_quarter():
        part = slice(*quarter)
        return np.bincount(a["depth"][a["owner"][part]], a["cents"][part], minlength=25)

    def subtree():
        inside = (a["owner"] >= lo) & (a["owner"] < hi)
        return np.bincount(a["depth"][a["owner"][inside]], a["cents"][inside], minlength=25)

    def flows():
        cell = a["depth"][a["source"]].astype(np.int64) * 25 + a["depth"][a["earner"]]
        return np.bincount(cell, a["paid"], minlength=625)

    return dict(zip(OPERATIONS, (all_orders, one_quarter, subtree, flows), strict=True))


def pyarrow_cases(a: dict, n: int) -> dict:
    depth = pa.array(a["depth"])
    orders = pa.table({"owner": a["owner"], "day": a["day"], "cents": a["cents"]})
    paid = pa.table({"earner": a["earner"], "source": a["source"], "paid": a["paid"]})
    lo, hi = n // 3, n // 3 + 70_000

    def by_level(table):
        levels = pc.take(depth, table["owner"])
        return pa.table({"l": levels, "c": table["cents"]}).group_by("l").aggregate([("c", "sum")])

    def flows():
        cells = pa.table(
            {"s": pc.take(depth, paid["source"]), "e": pc.take(depth, paid["earner"])}
        ).append_column("p", paid["paid"])
        return cells.group_by(["s", "e"]).aggregate([("p", "sum")])

    day = orders["day"]
    in_quarter = pc.and_(pc.greater_equal(day, 19_500), pc.less(day, 19_592))
    owner = orders["owner"]
    in_subtree = pc.and_(pc.greater_equal(owner, lo), pc.less(owner, hi))
    return dict(
        zip(
            OPERATIONS,
            (
                lambda: by_level(orders),
                lambda: by_level(orders.filter(in_quarter)),
                lambda: by_level(orders.filter(in_subtree)),
                flows,
            ),
            strict=True,
        )
    )


def polars_cases(a: dict, n: int) -> dict:
    depth = pl.Series(a["depth"])
    orders = pl.DataFrame({"owner": a["owner"], "day": a["day"], "cents": a["cents"]})
    paid = pl.DataFrame({"earner": a["earner"], "source": a["source"], "paid": a["paid"]})
    lo, hi = n // 3, n // 3 + 70_000

    def by_level(frame):
        level = pl.lit(depth).gather(pl.col("owner")).alias("level")
        return frame.with_columns(level).group_by("level").agg(pl.col("cents").sum())

    def flows():
        s = pl.lit(depth).gather(pl.col("source")).alias("s")
        e = pl.lit(depth).gather(pl.col("earner")).alias("e")
        return paid.with_columns(s, e).group_by("s", "e").agg(pl.col("paid").sum())

    return dict(
        zip(
            OPERATIONS,
            (
                lambda: by_level(orders),
                lambda: by_level(orders.filter(pl.col("day").is_between(19_500, 19_591))),
                lambda: by_level(orders.filter(pl.col("owner").is_between(lo, hi - 1))),
                flows,
            ),
            strict=True,
        )
    )


def duckdb_cases(a: dict, n: int) -> dict:
    con = duckdb.connect()
    con.execute("SET threads = 2")
    people = pa.table({"row": np.arange(n, dtype=np.int32), "depth": a["depth"]})
    orders = pa.table({"owner": a["owner"], "day": a["day"], "cents": a["cents"]})
    paid = pa.table({"earner": a["earner"], "source": a["source"], "paid": a["paid"]})
    for name, table in (("people", people), ("orders", orders), ("paid", paid)):
        con.register(name, table)
    lo, hi = n // 3, n // 3 + 70_000
    by_level = "SELECT p.depth, sum(o.cents) FROM orders o JOIN people p ON o.owner = p.row"
    flows = (
        "SELECT s.depth, e.depth, sum(c.paid) FROM paid c JOIN people e ON c.earner = e.row "
        "JOIN people s ON c.source = s.row GROUP BY 1, 2"
    )
    statements = (
        f"{by_level} GROUP BY 1",
        f"{by_level} WHERE o.day >= 19500 AND o.day < 19592 GROUP BY 1",
        f"{by_level} WHERE o.owner >= {lo} AND o.owner < {hi} GROUP BY 1",
        flows,
    )
    return {
        name: (lambda text=text: con.sql(text).fetchall())
        for name, text in zip(OPERATIONS, statements, strict=True)
    }


LIBRARIES = {
    "numpy over Arrow buffers": numpy_cases,
    "pyarrow compute": pyarrow_cases,
    "polars": polars_cases,
    "DuckDB": duckdb_cases,
}


def median_ms(call, runs: int) -> float:
    call()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--distributors", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    data = arrays(args.distributors)
    timings = {
        library: {
            op: median_ms(call, args.runs) for op, call in cases(data, args.distributors).items()
        }
        for library, cases in LIBRARIES.items()
    }
    result = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "distributors": args.distributors,
        "runs": args.runs,
        "median_ms": timings,
    }
    write_result(f"columnar-libraries-{result['date']}.json", result)
    print("| operation | " + " | ".join(LIBRARIES) + " |")
    print("|---|" + "---:|" * len(LIBRARIES))
    for op in OPERATIONS:
        print(f"| {op} | " + " | ".join(f"{timings[lib][op]:,.1f}" for lib in LIBRARIES) + " |")


if __name__ == "__main__":
    main()
