"""A synthetic network-marketing organisation in the input format, deterministic per seed.

Calibrated to published figures (see ../shared/reference/regulatory-indicators.md):
- attrition of roughly 60-80 % a year (industry consultants, ServiceQuest; Herbalife 10-K
  filings): each month an active distributor quits with probability 1 - 0.3 ** (1 / 12);
- most participants earn nothing (AdvoCare income disclosures: 72.3 % in 2016, 67 % in 2017;
  FTC staff report on MLM income disclosures, September 2024): level commissions go only to
  distributors who qualify in that month;
- concentration: the top 1 % take about half of all commissions in the pyramid profile
  (Brooks, Fitzpatrick & Craig 2012 report 54 % for Amway, Nu Skin and Herbalife);
- structure: 6-15 levels typical with a long tail (Reingewertz, PLoS ONE 2021): sponsors are
  drawn among active distributors with heavy-tailed (log-normal) recruiting propensities;
- a unilevel plan paying a percentage of each order's volume to the first levels of upline.

Profiles: `retail` sells mostly to outside customers and pays retail margins; `pyramid` lives
on starter kits and the participants' own monthly purchases, and pays a recruitment bonus per
starter kit and level commissions to a deeper upline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

MONTHLY_QUIT = 1 - 0.3 ** (1 / 12)  # 70 % annual attrition


@dataclass(frozen=True)
class Profile:
    starter_kit_cents: int
    personal_rate: float  # chance of a personal purchase in an active month
    personal_mean_cents: int
    retail_orders_per_month: float
    retail_mean_cents: int
    customers_per_seller: float
    level_rates: tuple[float, ...]  # share of volume paid to upline levels 1, 2, ...
    retail_margin: float  # share of own retail sales paid back as retail_margin
    recruitment_bonus_cents: int  # paid to the sponsor per starter kit
    min_active_frontline: int  # to qualify for level commissions in a month
    propensity_sigma: float  # spread of recruiting propensities (log-normal sigma)


PROFILES = {
    "retail": Profile(4_900, 0.30, 4_000, 1.2, 4_500, 3.0, (0.05, 0.03), 0.25, 0, 1, 1.0),
    "pyramid": Profile(
        29_900, 0.85, 12_000, 0.12, 4_000, 0.4, (0.10, 0.06, 0.04, 0.03), 0.0, 5_000, 2, 1.6
    ),
}

FIRST = [
    "Ada",
    "Ben",
    "Cleo",
    "Dan",
    "Eva",
    "Finn",
    "Gia",
    "Hugo",
    "Ines",
    "Jon",
    "Kim",
    "Lea",
    "Max",
    "Nia",
    "Omar",
    "Pia",
    "Raj",
    "Sara",
    "Tom",
    "Uma",
    "Vic",
    "Wen",
    "Yara",
    "Zed",
]
LAST = [
    "Adams",
    "Brown",
    "Costa",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Novak",
    "Olsen",
    "Patel",
    "Rossi",
    "Silva",
]
COUNTRIES = ["US", "US", "US", "MX", "CA", "GB", "DE", "PH", "BR"]


def _month_starts(end: date, months: int) -> list[date]:
    first = date(end.year, end.month, 1)
    starts = []
    for back in range(months - 1, -1, -1):
        year, month = first.year, first.month - back
        while month <= 0:
            month += 12
            year -= 1
        starts.append(date(year, month, 1))
    return starts


def generate(
    out: Path,
    distributors: int,
    months: int,
    seed: int,
    profile: str,
    end: date = date(2026, 10, 31),
) -> dict[str, int]:
    """Write distributors.csv, customers.csv, orders.csv and commissions.csv; return counts."""
    p = PROFILES[profile]
    rng = np.random.default_rng(seed)
    n = distributors
    starts = _month_starts(end, months)
    month_len = np.array(
        [
            ((starts[i + 1] if i + 1 < months else end + timedelta(days=1)) - starts[i]).days
            for i in range(months)
        ]
    )

    # Joins grow over time; the first distributors are the roots.
    roots = min(5, 1 + n // 20_000)
    weights = np.exp(0.04 * np.arange(months))
    join_month = np.sort(rng.choice(months, size=n, p=weights / weights.sum()))
    join_month[:roots] = 0
    join_day = (rng.random(n) * month_len[join_month]).astype(int)
    tenure = rng.geometric(MONTHLY_QUIT, size=n)  # months active, counting the join month
    last_month = join_month + tenure - 1
    left = last_month < months - 1
    left[:roots] = False
    last_month = np.where(left, last_month, months - 1)

    # Sponsors: an active earlier distributor, drawn by heavy-tailed recruiting propensity.
    propensity = rng.lognormal(0.0, p.propensity_sigma, size=n)
    sponsor = np.full(n, -1, dtype=np.int64)
    for m in range(months):
        joiners = np.flatnonzero(join_month == m)
        joiners = joiners[joiners >= roots]
        if joiners.size == 0:
            continue
        pool = np.flatnonzero((join_month < m) & (last_month >= m))
        if pool.size == 0:
            pool = np.arange(roots)
        w = propensity[pool]
        sponsor[joiners] = pool[rng.choice(pool.size, size=joiners.size, p=w / w.sum())]

    # Ancestors up to the deepest paid level (-1 where there is none).
    levels = len(p.level_rates)
    ancestors = [sponsor]
    for _ in range(levels - 1):
        prev = ancestors[-1]
        ancestors.append(np.where(prev >= 0, sponsor[np.maximum(prev, 0)], -1))

    # Activity per month, and who qualifies for level commissions.
    month_idx = np.arange(months)
    active = (join_month[:, None] <= month_idx) & (last_month[:, None] >= month_idx)
    personal = active & (rng.random((n, months)) < p.personal_rate)
    personal[np.arange(n), join_month] = False  # the join month has the starter kit instead
    frontline = np.zeros((n, months), dtype=np.int32)
    has_sponsor = sponsor >= 0
    for m in range(months):
        kids = has_sponsor & active[:, m]
        frontline[:, m] = np.bincount(sponsor[kids], minlength=n)
    qualified = (
        active & (frontline >= p.min_active_frontline) & (personal | (p.min_active_frontline == 0))
    )

    def day_in(month_array):
        return (rng.random(month_array.size) * month_len[month_array]).astype(int)

    def dates(month_array, day_array):
        base = np.array([np.datetime64(s) for s in starts])
        return base[month_array] + day_array.astype("timedelta64[D]")

    # Orders: starter kits, personal purchases, retail sales.
    kit_owner = np.arange(n)
    pers_owner, pers_month = np.nonzero(personal)
    retail_counts = rng.poisson(p.retail_orders_per_month, size=(n, months)) * active
    ret_owner, ret_month = np.nonzero(retail_counts)
    reps = retail_counts[ret_owner, ret_month]
    ret_owner, ret_month = np.repeat(ret_owner, reps), np.repeat(ret_month, reps)

    def amounts(mean_cents, size):
        return np.maximum(100, rng.lognormal(np.log(mean_cents) - 0.125, 0.5, size)).astype(
            np.int64
        )

    owner = np.concatenate([kit_owner, pers_owner, ret_owner])
    month = np.concatenate([join_month, pers_month, ret_month])
    day = np.concatenate([join_day, day_in(pers_month), day_in(ret_month)])
    amount = np.concatenate(
        [
            np.full(n, p.starter_kit_cents),
            amounts(p.personal_mean_cents, pers_owner.size),
            amounts(p.retail_mean_cents, ret_owner.size),
        ]
    )
    kind = np.concatenate(
        [
            np.full(n, "starter_kit"),
            np.full(pers_owner.size, "personal"),
            np.full(ret_owner.size, "retail"),
        ]
    ).astype(object)
    order_sort = np.lexsort((owner, day, month))
    owner, month, day, amount, kind = (a[order_sort] for a in (owner, month, day, amount, kind))
    n_orders = owner.size

    # Customers of those who sell at retail; most retail orders name one.
    sellers = np.unique(ret_owner)
    per_seller = 1 + rng.poisson(p.customers_per_seller, size=sellers.size)
    customer_owner = np.repeat(sellers, per_seller)
    first_customer = np.zeros(n, dtype=np.int64)
    count_of = np.zeros(n, dtype=np.int64)
    count_of[sellers] = per_seller
    first_customer[sellers] = np.concatenate([[0], np.cumsum(per_seller)[:-1]])
    retail_rows = np.flatnonzero(kind == "retail")
    pick = (rng.random(retail_rows.size) * count_of[owner[retail_rows]]).astype(np.int64)
    customer_of_order = np.full(n_orders, -1, dtype=np.int64)
    named = rng.random(retail_rows.size) < 0.9
    customer_of_order[retail_rows[named]] = (first_customer[owner[retail_rows]] + pick)[named]

    # Commissions for each order: level commissions to qualified upline, recruitment bonus to
    # the sponsor of each starter kit, retail margin to the seller.
    com_earner, com_source, com_month, com_amount, com_type, com_order = [], [], [], [], [], []

    def pay(earner, source, months_, cents, type_, order_rows):
        keep = (earner >= 0) & (cents > 0)
        com_earner.append(earner[keep])
        com_source.append(source[keep])
        com_month.append(months_[keep])
        com_amount.append(cents[keep])
        com_type.append(np.full(int(keep.sum()), type_, dtype=object))
        com_order.append(order_rows[keep])

    rows = np.arange(n_orders)
    for level, rate in enumerate(p.level_rates):
        upline = ancestors[level][owner]
        ok = upline >= 0
        ok[ok] = qualified[upline[ok], month[ok]]
        pay(np.where(ok, upline, -1), owner, month, (amount * rate).astype(np.int64), "level", rows)
    kits = np.flatnonzero(kind == "starter_kit")
    if p.recruitment_bonus_cents:
        boss = sponsor[owner[kits]]
        ok = boss >= 0
        ok[ok] = active[boss[ok], month[kits][ok]]
        pay(
            np.where(ok, boss, -1),
            owner[kits],
            month[kits],
            np.full(kits.size, p.recruitment_bonus_cents),
            "recruitment",
            kits,
        )
    if p.retail_margin:  # one margin payment per seller and month, on that month's retail sales
        seller_month, inverse = np.unique(
            owner[retail_rows] * months + month[retail_rows], return_inverse=True
        )
        sales = np.bincount(inverse, weights=amount[retail_rows]).astype(np.int64)
        seller = seller_month // months
        pay(
            seller,
            seller,
            seller_month % months,
            (sales * p.retail_margin).astype(np.int64),
            "retail_margin",
            np.full(seller.size, -1),
        )
    earner = np.concatenate(com_earner)
    source = np.concatenate(com_source)
    cmonth = np.concatenate(com_month)
    camount = np.concatenate(com_amount)
    ctype = np.concatenate(com_type)
    corder = np.concatenate(com_order)

    # Ranks from each distributor's total downline size.
    downline = np.zeros(n, dtype=np.int64)
    for i in range(n - 1, roots - 1, -1):
        downline[sponsor[i]] += downline[i] + 1
    rank = np.select(
        [downline >= 500, downline >= 50, downline >= 5], ["diamond", "gold", "silver"], "member"
    )

    out.mkdir(parents=True, exist_ok=True)
    did = np.array([f"D{i:07d}" for i in range(n)], dtype=object)
    join_dates = dates(join_month, join_day)
    left_dates = dates(last_month, month_len[last_month] - 1)
    status = np.where(left, np.where(rng.random(n) < 0.7, "terminated", "inactive"), "active")
    pd.DataFrame(
        {
            "distributor_id": did,
            "sponsor_id": np.where(sponsor >= 0, did[np.maximum(sponsor, 0)], ""),
            "joined_on": join_dates,
            "name": [
                f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}" for i in range(n)
            ],
            "country": np.array(COUNTRIES)[rng.integers(0, len(COUNTRIES), n)],
            "rank": rank,
            "status": status,
            "left_on": np.where(left, left_dates.astype(str), ""),
        }
    ).to_csv(out / "distributors.csv", index=False)

    cid = np.array([f"C{i:07d}" for i in range(customer_owner.size)], dtype=object)
    referred = did[customer_owner].copy()
    referred[rng.random(customer_owner.size) < 0.01] = ""  # walk-ins nobody referred
    pd.DataFrame(
        {"customer_id": cid, "referred_by": referred, "joined_on": join_dates[customer_owner]}
    ).to_csv(out / "customers.csv", index=False)
    oid = np.array([f"O{i:08d}" for i in range(n_orders)], dtype=object)
    pd.DataFrame(
        {
            "order_id": oid,
            "distributor_id": did[owner],
            "ordered_on": dates(month, day),
            "amount": _money(amount),
            "kind": kind,
            "customer_id": np.where(
                customer_of_order >= 0, cid[np.maximum(customer_of_order, 0)], ""
            ),
        }
    ).to_csv(out / "orders.csv", index=False)
    sort = np.lexsort((earner, cmonth))
    period = np.array([s.strftime("%Y-%m") for s in starts], dtype=object)
    pd.DataFrame(
        {
            "commission_id": [f"K{i:08d}" for i in range(earner.size)],
            "earner_id": did[earner[sort]],
            "period": period[cmonth[sort]],
            "amount": _money(camount[sort]),
            "type": ctype[sort],
            "source_id": did[source[sort]],
            "order_id": np.where(corder[sort] >= 0, oid[np.maximum(corder[sort], 0)], ""),
        }
    ).to_csv(out / "commissions.csv", index=False)
    return {
        "distributors": n,
        "customers": int(customer_owner.size),
        "orders": int(n_orders),
        "commissions": int(earner.size),
    }


def _money(cents: np.ndarray) -> np.ndarray:
    return np.array([f"{c // 100}.{c % 100:02d}" for c in cents.tolist()], dtype=object)
