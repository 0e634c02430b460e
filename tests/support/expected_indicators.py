"""The compliance indicators of docs/indicators.md over the covered distributors, in plain
Python: their values, which thresholds they cross, the figures their details quote, one row per
earner, and the seven ratios within each subtree."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from tests.support.expected_earnings import gini, top_share
from tests.support.expected_tree import Covered
from tests.support.expected_views import data_end, plus_months, still_active

SMALL_EARNER_CENTS = 1_000_00  # "earning at most 1,000 in the period"
LAST_DAYS = 5  # end-of-period buying: the last five days of a month
EVEN_SPREAD = LAST_DAYS / 30.44  # as docs/indicators.md: 5 / 30.44 days


@dataclass(frozen=True)
class Threshold:
    """Crossed when the value is past `limit`: above it, or below it when `below`; reaching it
    counts when `at`. No value is never crossed."""

    limit: float
    below: bool = False
    at: bool = False

    def past(self, value: float) -> float:
        return self.limit - value if self.below else value - self.limit

    def crossed(self, value: float | None) -> bool:
        if value is None:
            return False
        return self.past(value) >= 0 if self.at else self.past(value) > 0


# The "crossed when" column of docs/indicators.md, in its order.
THRESHOLDS = {
    "retail_reward_share": Threshold(2 / 3, below=True),
    "end_user_sales_share": Threshold(0.8, below=True),
    "low_customer_share_pay": Threshold(0.5),
    "recruitment_payout_share": Threshold(0.5),
    "net_loss_rate": Threshold(0.5),
    "zero_earner_share": Threshold(0.5),
    "small_earner_share": Threshold(0.5),
    "top_1_percent_share": Threshold(0.5, at=True),
    "retention_12_months": Threshold(0.4, below=True),
    "end_of_period_buying": Threshold(2 * EVEN_SPREAD, at=True),
}

# The ratios of two sums over distributors (numerator, denominator parts of `parts`).
RATIOS = {
    "retail_reward_share": ("retail_tied", "tied"),
    "end_user_sales_share": ("retail_cents", "revenue_cents"),
    "low_customer_share_pay": ("low_customer_pay", "earned"),
    "recruitment_payout_share": ("recruiting", "commissions"),
    "net_loss_rate": ("net_loss", "participants"),
    "zero_earner_share": ("zero", "participants"),
    "small_earner_share": ("small", "participants"),
}


class NotBySubtree(ValueError):
    """A breakdown by subtree asked of an indicator that is not a ratio of sums."""


def share(part, whole) -> float | None:
    return float(part / whole) if whole else None


def triggers(commission) -> tuple[bool, bool, bool]:
    """(retail-tied, participant-tied, paid for recruitment) of one commission: retail-tied by
    type retail_margin or a retail order; participant-tied by type recruitment or a personal
    or starter-kit order, unless retail-tied; recruitment by type or a starter-kit order."""
    kind = commission.order_kind
    retail = commission.type == "retail_margin" or kind == "retail"
    participant = commission.type == "recruitment" or kind in ("personal", "starter_kit")
    recruiting = commission.type == "recruitment" or kind == "starter_kit"
    return retail, participant and not retail, recruiting


def parts(covered: Covered) -> pd.DataFrame:
    """Per covered distributor (index: id), what the ratios sum: commissions received by what
    triggered them and in all; own retail and all order amounts; `customer_share`, the retail
    share of its team's revenue (itself and its covered downline; 0.0 when the team has no
    revenue, so it counts as low: the code's reading), and its pay when that is at most 50 %;
    and the 0/1 conditions the participant ratios count."""
    frame = covered.frame.set_index("id")
    received = {did: [0, 0, 0, 0] for did in frame.index}  # retail, participant, recruit, all
    for c in covered.commissions.itertuples():
        flags = triggers(c)
        mine = received[c.earner_id]
        for i, flag in enumerate(flags):
            mine[i] += c.cents if flag else 0
        mine[3] += c.cents
    table = pd.DataFrame(
        received.values(),
        index=list(received),
        columns=["retail_tied", "participant_tied", "recruiting", "commissions"],
        dtype="int64",
    )
    table["tied"] = table.retail_tied + table.participant_tied
    table["retail_cents"] = frame.retail_cents
    table["revenue_cents"] = frame.revenue_cents
    table["earned"] = frame.commission_cents
    retail, revenue = dict(frame.retail_cents), dict(frame.revenue_cents)
    table["customer_share"] = [
        share(sum(retail[m] for m in team), sum(revenue[m] for m in team)) or 0.0
        for team in map(covered.team, table.index)
    ]
    low = table.customer_share <= 0.5
    table["low_customer_pay"] = table.earned.where(low, 0)
    bought = frame.personal_cents + frame.starter_kit_cents
    table["net_loss"] = (frame.commission_cents < bought).astype("int64")
    table["zero"] = (frame.commission_cents == 0).astype("int64")
    table["small"] = (frame.commission_cents <= SMALL_EARNER_CENTS).astype("int64")
    table["participants"] = 1
    return table


def values(covered: Covered) -> dict[str, float | None]:
    """Every indicator's value, in the order of docs/indicators.md (None: nothing to judge)."""
    table = parts(covered)
    found = {key: share(table[num].sum(), table[den].sum()) for key, (num, den) in RATIOS.items()}
    earned = [int(c) for c in covered.frame.commission_cents]
    found["top_1_percent_share"] = top_share(earned, Fraction(1, 100)) if sum(earned) else None
    found["retention_12_months"] = retention_12_months(covered)
    found["end_of_period_buying"] = end_of_period_buying(covered)
    return {key: found[key] for key in THRESHOLDS}


def crossed(found: dict[str, float | None]) -> dict[str, bool]:
    return {key: THRESHOLDS[key].crossed(value) for key, value in found.items()}


def retention_12_months(covered: Covered) -> float | None:
    """Of the covered distributors who joined at least 12 months before the end of the data,
    the share still active 12 months after joining. The end is the end of the period asked
    (date_to, else as_of) as for `cohorts`, else the last covered join or leave date."""
    end = data_end(covered, covered.ask.date_to or covered.ask.as_of)
    frame = covered.frame
    judged = [
        still_active(joined, left, 12)
        for joined, left in zip(frame.joined_on, frame.left_on, strict=True)
        if end is not None and plus_months(joined, 12) <= end
    ]
    return sum(judged) / len(judged) if judged else None


def end_of_period_buying(covered: Covered) -> float | None:
    """Personal purchases ordered in the last five days of their month, over all personal
    purchases of the period (by amount)."""
    personal = covered.orders[covered.orders.kind == "personal"]
    late = sum(
        cents
        for cents, day in zip(personal.cents, personal.ordered_on, strict=True)
        if day.day > calendar.monthrange(day.year, day.month)[1] - LAST_DAYS
    )
    return share(late, int(personal.cents.sum()))


def details(covered: Covered) -> dict[str, object]:
    """The figures the details quote: the participant-tied share of the tied commissions
    (retail_reward_share), (earners at most 50 % from customers, earners)
    (low_customer_share_pay), the share of starter-kit buyers whose commissions stayed below
    the kit's price (net_loss_rate), and the Gini of commissions (top_1_percent_share)."""
    table = parts(covered)
    earners = table[table.earned > 0]
    frame = covered.frame
    kit = frame[frame.starter_kit_cents > 0]
    return {
        "participant_tied_share": share(table.participant_tied.sum(), table.tied.sum()),
        "low_share_earners": (int((earners.customer_share <= 0.5).sum()), len(earners)),
        "kit_not_recouped_share": share(
            int((kit.commission_cents < kit.starter_kit_cents).sum()), len(kit)
        ),
        "gini": gini([int(c) for c in frame.commission_cents]),
    }


def by_earner(covered: Covered) -> pd.DataFrame:
    """One row per covered distributor with commissions in the period, the largest first
    (equal amounts by id; the code leaves them in no set order): its commissions, customer
    share, whether it earned less than its own purchases and starter kits, and the retail-tied
    and recruitment shares of all its commissions (not of the tied ones, as the network's
    retail_reward_share is)."""
    table = parts(covered)
    earners = table[table.earned > 0]
    out = pd.DataFrame(
        {
            "earner_id": earners.index,
            "commission_cents": earners.earned.to_numpy(),
            "customer_share": earners.customer_share.to_numpy(),
            "net_loss": earners.net_loss.astype(bool).to_numpy(),
            "retail_reward_share": (earners.retail_tied / earners.earned).to_numpy(),
            "recruitment_share": (earners.recruiting / earners.earned).to_numpy(),
        }
    )
    out = out.sort_values(["commission_cents", "earner_id"], ascending=[False, True])
    return out.reset_index(drop=True)


def by_subtree(covered: Covered, key: str, min_size: int = 10, top: int = 20) -> pd.DataFrame:
    """Ratio `key` within the team of every covered distributor (itself and its covered
    downline) of at least `min_size` members and a non-zero denominator: root, distributors,
    value, crossed; the furthest past the threshold first, then the larger team, then the
    root's id; `top` rows."""
    if key not in RATIOS:
        raise NotBySubtree(f"{key} is not a ratio of sums over distributors")
    numerator, denominator = RATIOS[key]
    table = parts(covered)
    part, total = dict(table[numerator]), dict(table[denominator])
    line = THRESHOLDS[key]
    found = []
    for root in table.index:
        team = covered.team(root)
        whole = int(sum(total[m] for m in team))
        if len(team) < min_size or whole == 0:
            continue
        value = int(sum(part[m] for m in team)) / whole
        found.append((-line.past(value), -len(team), root, value, line.crossed(value)))
    found.sort()
    rows = [(root, -size, value, hit) for _, size, root, value, hit in found[: max(top, 0)]]
    return pd.DataFrame(rows, columns=["root", "distributors", "value", "crossed"])
