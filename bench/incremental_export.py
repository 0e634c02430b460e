"""A nightly follow-on export for a generated network: what an incremental run adds and moves.

Writes into --out: distributors.csv with `--share` of the network as new distributors (most
under existing sponsors, some under other new ones) and `--transfers` rows of existing
distributors with a new sponsor (never into their own downline), and for each new distributor
a month of orders (a starter kit and a personal order) and commissions (paid to its sponsor).

    python bench/incremental_export.py --data .downline/bench/medium/data --out /tmp/nightly
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="the generated network")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--share", type=float, default=0.01, help="new distributors, of all")
    parser.add_argument("--transfers", type=int, default=100)
    parser.add_argument("--month", default="2026-11", help="YYYY-MM of the new rows")
    parser.add_argument("--seed", type=int, default=15)
    return parser.parse_args()


def follow_on(data: Path, out: Path, share: float, transfers: int, month: str, seed: int):
    """Write the export; return (new distributors, transfers, orders, commissions) written."""
    rng = random.Random(seed)
    with open(data / "distributors.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        rows = list(reader)
    sponsor = {r["distributor_id"]: r["sponsor_id"] or None for r in rows}
    ids = list(sponsor)
    out.mkdir(parents=True, exist_ok=True)

    def upline_of(did):
        while did is not None:
            yield did
            did = sponsor[did]

    moved = []
    for row in rng.sample([r for r in rows if r["sponsor_id"]], transfers * 3):
        if len(moved) == transfers:
            break
        target = rng.choice(ids)
        # Never under itself or its downline (a cycle), nor under the sponsor it has.
        if target == sponsor[row["distributor_id"]] or row["distributor_id"] in upline_of(target):
            continue
        sponsor[row["distributor_id"]] = target
        moved.append({**row, "sponsor_id": target})
    base = len(ids)
    added = []
    for i in range(round(base * share)):
        did = f"D{base + i:07d}"
        # One in five under a new distributor of this export: new chains, not only leaves.
        up = rng.choice(added)["distributor_id"] if added and rng.random() < 0.2 else None
        up = up or rng.choice(ids)
        day = f"{month}-{rng.randint(1, 28):02d}"
        added.append(
            dict.fromkeys(header, "")
            | {
                "distributor_id": did,
                "sponsor_id": up,
                "joined_on": day,
                "name": f"New {i}",
                "country": "DE",
                "rank": "member",
                "status": "active",
            }
        )
        sponsor[did] = up
    with open(out / "distributors.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(moved + added)
    orders, commissions = [], []
    for row in added:
        did, day = row["distributor_id"], row["joined_on"]
        for k, (kind, amount) in enumerate((("starter_kit", "299.00"), ("personal", "85.50"))):
            oid = f"O{did}-{k}"
            orders.append([oid, did, day, amount, kind, ""])
            commissions.append(
                [f"K{did}-{k}", row["sponsor_id"], month, "12.50", "recruitment", did, oid]
            )
    with open(out / "orders.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["order_id", "distributor_id", "ordered_on", "amount", "kind", "customer_id"]
        )
        writer.writerows(orders)
    with open(out / "commissions.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["commission_id", "earner_id", "period", "amount", "type", "source_id", "order_id"]
        )
        writer.writerows(commissions)
    return len(added), len(moved), len(orders), len(commissions)


def main() -> None:
    args = _arguments()
    counts = follow_on(args.data, args.out, args.share, args.transfers, args.month, args.seed)
    added, moved, orders, commissions = counts
    print(
        f"{added} new distributors, {moved} transfers, {orders} orders, {commissions} commissions"
    )


if __name__ == "__main__":
    main()
