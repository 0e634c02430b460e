"""The ingest comparison's result: the JSON written to bench/results/ (its structure is what
`bench/run.py` and earlier result files read) and its Markdown table."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from benchlib import machine

from downline.settings import Settings

NOTES = [
    "rows_per_s = rows / the client process's wall time (start to exit), for every "
    "contender but per_row (its sample's loading time alone, its start-up and "
    "constraints left out, as a whole load would make them negligible), importer and "
    "importer_phase (from the bulk run's log and report)",
    "peak_rss_mb is the client process's peak resident memory (os.wait4), which for "
    "downline_bulk includes the importer's JVM it ran; server_peak_rss_mb is the "
    "Neo4j server's (VmHWM) when the contender finished",
    "per_row and load_csv only write nodes and relationships: no validation, rejects, "
    "derived values (depth, subtree intervals, totals), secondary indexes or run record",
    "per_row is measured on the first rows of each file, up to sample_limit_per_file "
    "(rows, or seconds per file, whichever comes first); when "
    "sampled, references to rows outside the sample are skipped, and its sponsors "
    "outside the sample are MERGEd as bare nodes (counted in expected_nodes)",
]
# The rows/s ratios the result gives, each (faster, slower).
RATIOS = (
    ("downline_transactional", "per_row"),
    ("downline_bulk", "per_row"),
    ("downline_bulk", "importer"),
    ("downline_bulk", "importer_phase"),
    ("downline_transactional", "load_csv"),
    ("downline_bulk", "load_csv"),
)
# Where each contender's work runs, for the table (the full wording is in the result).
WORK_IN = {
    "per_row": "client, and server JVM per row",
    "load_csv": "server JVM",
    "downline_transactional": "client and server JVM",
    "downline_bulk": "client, importer JVM, server JVM",
    "importer": "importer JVM",
    "importer_phase": "importer JVM, server JVM",
}


def _ratio(results: dict, a: str, b: str) -> float | None:
    x = results.get(a, {}).get("rows_per_s")
    y = results.get(b, {}).get("rows_per_s")
    return round(x / y, 2) if x and y else None


def _server() -> str:
    defaults = Settings.model_fields  # the bench server's environment sets none of these
    return (
        f"local Neo4j {defaults['neo4j_version'].default} Community (`downline db "
        f"start`): heap {defaults['heap_size'].default}, page cache "
        f"{defaults['pagecache_size'].default}; a fresh empty database for each contender"
    )


def _relationships_agree(results: dict) -> bool:
    """Every contender that loaded whole files wrote the same relationships."""
    full_loads = {
        name: r["sanity"]["relationships"]
        for name, r in results.items()
        if "sanity" in r and not r.get("sampled")
    }
    return len({json.dumps(v, sort_keys=True) for v in full_loads.values()}) <= 1


def summary(size: str, data: Path, csv_rows: dict[str, int], results: dict, seconds: float) -> dict:
    """The whole result: the data, the server, how to read the figures, each contender's entry
    and how their rows/s compare."""
    return {
        "date": date.today().isoformat(),
        "machine": machine(),
        "size": size,
        "data": str(data),
        "csv_rows": csv_rows,
        "csv_rows_total": sum(csv_rows.values()),
        "server": _server(),
        "notes": NOTES,
        "seconds_total": round(seconds, 1),
        "contenders": results,
        "relationships_agree": _relationships_agree(results),
        "ratios_rows_per_s": {f"{a} / {b}": _ratio(results, a, b) for a, b in RATIOS},
    }


def progress(r: dict) -> str:
    """The line printed after a contender."""
    return (
        f"    {r['rows']:,} rows in {r['seconds']:.1f} s = {r['rows_per_s']:,} rows/s, "
        f"peak {r['peak_rss_mb']} MB, nodes match: {r['sanity']['nodes_match']}"
    )


def markdown(result: dict) -> str:
    lines = [
        f"Ingest compared, size {result['size']} ({result['csv_rows_total']:,} CSV rows), "
        f"{result['date']}, {result['machine']}",
        "",
        "| contender | rows | seconds | rows/s | client peak MB | server peak MB | work in "
        "| nodes check |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, r in result["contenders"].items():
        rows = f"{r['rows']:,}" + (" (sample)" if r.get("sampled") else "")
        check = r.get("sanity", {}).get("nodes_match")
        lines.append(
            f"| {name} | {rows} | {_num(r['seconds'], '.1f')} | {_num(r['rows_per_s'], ',')} | "
            f"{_num(r['peak_rss_mb'], ',')} | {_num(r.get('server_peak_rss_mb'), ',')} | "
            f"{WORK_IN.get(name, '')} | {'-' if check is None else 'ok' if check else 'MISMATCH'} |"
        )
    lines += ["", "| ratio of rows/s | |", "|---|---:|"]
    lines += [f"| {k} | {_num(v, '.2f')} |" for k, v in result["ratios_rows_per_s"].items()]
    return "\n".join(lines)


def _num(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)
