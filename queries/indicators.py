"""Compliance indicators: the lines regulators drew, computed from the data (`downline
indicators`). Each says its value, its threshold, whether the network crosses it, and its
source (docs/indicators.md). They are findings to quote, never a verdict of illegality.
"""

from __future__ import annotations

from dataclasses import dataclass

import neo4j
import numpy as np
import pandas as pd

from queries import analytics_cypher as q
from queries.cohorts import retention
from queries.filters import NO_FILTERS, Filters
from queries.inequality import gini, top_share
from queries.tree import distributors, find_root, read

PARTICIPANT_KINDS = ("personal", "starter_kit")
END_OF_PERIOD_DAYS = 5
THOUSAND = 100_000  # cents


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    value: float | None  # None: no data to judge by
    threshold: str
    crossed: bool
    source: str
    detail: str = ""


@dataclass(frozen=True)
class Indicators:
    items: list[Indicator]
    by_earner: pd.DataFrame

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([i.__dict__ for i in self.items])

    def summary(self) -> list[str]:
        """Sentences an investigator can quote: which thresholds are crossed, with numbers."""
        crossed = [i for i in self.items if i.crossed]
        if not crossed:
            return ["No threshold below is crossed by this data."]
        return [
            f"{i.name}: {_pct(i.value)} ({i.threshold}; {i.source})."
            + (f" {i.detail}" if i.detail else "")
            for i in crossed
        ]


def _pct(value: float | None) -> str:
    return "no data" if value is None else f"{value * 100:.1f} %"


def _share(part: float, whole: float) -> float | None:
    return float(part / whole) if whole else None


def indicators(
    driver: neo4j.Driver, database: str, root: str | None = None, filters: Filters = NO_FILTERS
) -> Indicators:
    frame = distributors(driver, database, filters, find_root(driver, database, root))
    params = filters.params()
    triggers = read(driver, database, q.COMMISSIONS_BY_TRIGGER, **params)
    triggers = triggers[triggers.earner_id.isin(set(frame.id))]
    personal = read(driver, database, q.PERSONAL_BY_DAY, **params)
    personal = personal[personal.id.isin(set(frame.id))]
    return compute(frame, triggers, personal)


def classify(triggers: pd.DataFrame) -> pd.Series:
    """retail, participant or other, per row of commissions by (type, order kind)."""
    retail = (triggers.type == "retail_margin") | (triggers.order_kind == "retail")
    participant = (triggers.type == "recruitment") | triggers.order_kind.isin(PARTICIPANT_KINDS)
    return pd.Series(
        np.where(retail, "retail", np.where(participant, "participant", "other")),
        index=triggers.index,
    )


def compute(frame: pd.DataFrame, triggers: pd.DataFrame, personal: pd.DataFrame) -> Indicators:
    """From one row per participant (the covered distributors, with period figures), the
    commissions by earner, type and order kind, and personal purchases by day."""
    triggers = triggers.assign(tied=classify(triggers))
    tied = triggers.groupby("tied").cents.sum()
    retail_tied, participant_tied = tied.get("retail", 0), tied.get("participant", 0)
    commissions = int(triggers.cents.sum())
    recruiting = triggers[
        (triggers.type == "recruitment") | (triggers.order_kind == "starter_kit")
    ].cents.sum()
    revenue = frame.retail_cents + frame.personal_cents + frame.starter_kit_cents
    earned = frame.commission_cents
    bought = frame.personal_cents + frame.starter_kit_cents
    kit_buyers = frame[frame.starter_kit_cents > 0]
    by_earner = _by_earner(frame, triggers)
    paid_low = by_earner[by_earner.customer_share <= 0.5].commission_cents.sum()
    days = personal.day > (personal.month_end.map(lambda d: d.day) - END_OF_PERIOD_DAYS)
    expected_end = END_OF_PERIOD_DAYS / 30.44
    cohort_keep = retention(frame, 12)

    def item(key, name, value, threshold, crossed, source, detail=""):
        return Indicator(
            key, name, value, threshold, bool(value is not None and crossed), source, detail
        )

    retail_reward = _share(retail_tied, retail_tied + participant_tied)
    end_users = _share(frame.retail_cents.sum(), revenue.sum())
    low_customer = _share(paid_low, by_earner.commission_cents.sum())
    recruitment = _share(recruiting, commissions)
    net_loss = _share((earned < bought).sum(), len(frame))
    kit_lost = _share(
        (kit_buyers.commission_cents < kit_buyers.starter_kit_cents).sum(), len(kit_buyers)
    )
    zero = _share((earned == 0).sum(), len(frame))
    small = _share((earned <= THOUSAND).sum(), len(frame))
    top1 = top_share(earned, 0.01) if len(frame) and earned.sum() else None
    end_buying = _share(personal[days].cents.sum(), personal.cents.sum())
    herbalife = "FTC v. Herbalife International, stipulated order (2016)"
    items = [
        item(
            "retail_reward_share",
            "Rewards tied to retail sales to outside customers",
            retail_reward,
            "at least 2/3",
            retail_reward is not None and retail_reward < 2 / 3,
            herbalife,
            "rewards on participants' own purchases and starter kits: "
            + _pct(_share(participant_tied, retail_tied + participant_tied)),
        ),
        item(
            "end_user_sales_share",
            "Sales to end users outside the network",
            end_users,
            "at least 80 %",
            end_users is not None and end_users < 0.8,
            herbalife,
        ),
        item(
            "low_customer_share_pay",
            "Commissions paid to earners whose own and downline revenue is at most 50 % "
            "from outside customers",
            low_customer,
            "no pay unless more than 50 % (crossed when most pay goes there)",
            low_customer is not None and low_customer > 0.5,
            "FTC v. Vemma Nutrition, final order (2016)",
            f"{int((by_earner.customer_share <= 0.5).sum())} of {len(by_earner)} earners",
        ),
        item(
            "recruitment_payout_share",
            "Payouts for recruitment (type recruitment or paid on starter kits)",
            recruitment,
            "more than 50 % (Fortune Hi-Tech Marketing: over 81 %)",
            recruitment is not None and recruitment > 0.5,
            "In re Koscot Interplanetary (1975); FTC v. Fortune Hi-Tech Marketing (2013-2014)",
        ),
        item(
            "net_loss_rate",
            "Participants whose commissions are below their own purchases and starter kits",
            net_loss,
            "more than 50 % (Fortune Hi-Tech Marketing: over 98 %)",
            net_loss is not None and net_loss > 0.5,
            "FTC v. Fortune Hi-Tech Marketing (2013-2014)",
            f"starter-kit buyers who never recouped the kit: {_pct(kit_lost)}",
        ),
        item(
            "zero_earner_share",
            "Participants earning nothing",
            zero,
            "more than 50 %",
            zero is not None and zero > 0.5,
            "FTC staff report on MLM income disclosure statements (2024)",
        ),
        item(
            "small_earner_share",
            "Participants earning at most 1,000 in the period",
            small,
            "more than 50 % (ask a 12-month period)",
            small is not None and small > 0.5,
            "FTC staff report on MLM income disclosure statements (2024)",
        ),
        item(
            "top_1_percent_share",
            "Commissions taken by the top 1 % of earners",
            top1,
            "about half or more (Amway, Nu Skin, Herbalife: about 54 %)",
            top1 is not None and top1 >= 0.5,
            "Brooks, Fitzpatrick & Craig (2012)",
            f"Gini {gini(earned):.3f}",
        ),
        item(
            "retention_12_months",
            "Distributors still active 12 months after joining",
            cohort_keep,
            "below 40 % (annual attrition of 60-80 % is typical)",
            cohort_keep is not None and cohort_keep < 0.4,
            "industry consultants (ServiceQuest); Herbalife 10-K filings",
        ),
        item(
            "end_of_period_buying",
            f"Personal purchases in the last {END_OF_PERIOD_DAYS} days of a month",
            end_buying,
            f"at least twice the even spread ({_pct(2 * expected_end)})",
            end_buying is not None and end_buying >= 2 * expected_end,
            "FTC Business Guidance Concerning Multi-Level Marketing (2018); Herbalife order (2016)",
        ),
    ]
    return Indicators(items, by_earner)


def _by_earner(frame: pd.DataFrame, triggers: pd.DataFrame) -> pd.DataFrame:
    """Per earner: commissions, their retail and recruitment shares, and the share of own plus
    downline revenue from outside customers (subtrees are pre-order intervals)."""
    ordered = frame.sort_values("pre")
    pre = ordered.pre.to_numpy()
    retail = np.concatenate([[0], np.cumsum(ordered.retail_cents.to_numpy())])
    total = np.concatenate(
        [
            [0],
            np.cumsum(
                (
                    ordered.retail_cents + ordered.personal_cents + ordered.starter_kit_cents
                ).to_numpy()
            ),
        ]
    )
    earners = frame[frame.commission_cents > 0]
    start = np.searchsorted(pre, earners.pre.to_numpy(), side="left")
    end = np.searchsorted(pre, earners.post.to_numpy(), side="right")
    sub_retail, sub_total = retail[end] - retail[start], total[end] - total[start]
    shares = triggers.pivot_table(
        index="earner_id", columns="tied", values="cents", aggfunc="sum", fill_value=0
    )
    recruiting = triggers[(triggers.type == "recruitment") | (triggers.order_kind == "starter_kit")]
    recruit_cents = recruiting.groupby("earner_id").cents.sum()
    out = pd.DataFrame(
        {
            "earner_id": earners.id.to_numpy(),
            "commission_cents": earners.commission_cents.to_numpy(),
            "customer_share": np.divide(
                sub_retail, sub_total, out=np.zeros(len(earners)), where=sub_total > 0
            ),
            "net_loss": (
                earners.commission_cents < earners.personal_cents + earners.starter_kit_cents
            ).to_numpy(),
        }
    )
    retail_tied = out.earner_id.map(
        shares["retail"] if "retail" in shares else pd.Series(dtype=float)
    ).fillna(0)
    out["retail_reward_share"] = retail_tied / out.commission_cents
    out["recruitment_share"] = out.earner_id.map(recruit_cents).fillna(0) / out.commission_cents
    return out.sort_values("commission_cents", ascending=False).reset_index(drop=True)
