"""Every valid export loads with --bulk (the input contract makes customers, orders and
commissions optional, and placements, commission sources and orders, and customers on orders
optional columns) and ends in the graph a transactional load of the same files leaves."""

from __future__ import annotations

import json

import pandas as pd

from downline.connection import driver_for
from ingest.generate import generate
from tests.support.graph import snapshot
from tests.support.servers import run_cli, settings_env, wipe

# name: {file: None (absent), "header" (the header only), or columns to drop}
EXPORTS = {
    "no customers, no customer column on orders": {
        "customers": None,
        "orders": ["customer_id"],
    },
    "customers with the header only, orders naming none": {
        "customers": "header",
        "orders": "no customer",
    },
    "no commissions": {"commissions": None},
    "orders and commissions with the header only": {"orders": "header", "commissions": "header"},
    "no orders; commissions without source or order": {
        "orders": None,
        "customers": None,
        "commissions": ["source_id", "order_id"],
    },
    "distributors placed, commissions without ids": {
        "distributors": "placed",
        "commissions": ["commission_id"],
    },
    "distributors only": {"customers": None, "orders": None, "commissions": None},
}


def _export(base, folder, changes: dict) -> None:
    folder.mkdir()
    for kind in ("distributors", "customers", "orders", "commissions"):
        frame = pd.read_csv(base / f"{kind}.csv", dtype=str, keep_default_na=False)
        change = changes.get(kind, [])
        if change is None:
            continue
        if change == "header":
            frame = frame.head(0)
        elif change == "no customer":
            frame["customer_id"] = ""
        elif change == "placed":
            frame["placement_id"] = frame.sponsor_id
            frame["placement_leg"] = ["left", "right"] * (len(frame) // 2) + ["left"] * (
                len(frame) % 2
            )
        else:
            frame = frame.drop(columns=change)
        frame.to_csv(folder / f"{kind}.csv", index=False)


def _load(env, folder, *extra) -> dict:
    out = folder.parent / f"{folder.name}-{'bulk' if extra else 'tx'}.json"
    result = run_cli("ingest", str(folder), "--report", str(out), *extra, env=env)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(out.read_text())


def test_every_kind_of_valid_export_loads_with_bulk_as_it_loads_without(
    driver, server_settings, spare_settings, tmp_path
):
    base = tmp_path / "generated"
    generate(base, 300, 6, seed=8, profile="pyramid")
    env, spare_env = settings_env(server_settings), settings_env(spare_settings)
    for number, (name, changes) in enumerate(EXPORTS.items()):
        folder = tmp_path / f"export-{number}"
        _export(base, folder, changes)
        wipe(driver, server_settings)
        tx = _load(env, folder)
        expected = snapshot(driver, server_settings.neo4j_database)
        reset = run_cli("db", "reset", "--yes", env=spare_env)
        assert reset.returncode in (0, 2), reset.stderr  # 2: no server yet, on the first
        bulk = _load(spare_env, folder, "--bulk")
        assert bulk["status"] == tx["status"], name
        with driver_for(spare_settings) as spare:
            assert snapshot(spare, spare_settings.neo4j_database) == expected, name
        assert bulk["derived"]["snapshot"].get("reconciled"), (name, bulk["derived"]["snapshot"])
        for mine, theirs in zip(bulk["files"], tx["files"], strict=True):
            assert (mine["read"], mine["loaded"], mine["rejected"]) == (
                theirs["read"],
                theirs["loaded"],
                theirs["rejected"],
            ), name
