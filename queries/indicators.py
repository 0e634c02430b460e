"""Compliance indicators: the lines regulators drew, computed from the data (`downline
indicators`). Each says its value, its threshold, whether the network crosses it, and its
source (docs/indicators.md). They are findings to quote, never a verdict of illegality.

Most are ratios of two sums over distributors (`RATIOS`): the same definition gives the network's
value and, summed over pre-order intervals, every subtree's (`by_subtree`), so a subtree that
drives an indicator can be named.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import neo4j
import numpy as np
import pandas as pd

from downline.errors import DownlineError
from queries import analytics_cypher as q
from queries.cohorts import retention
from queries.filters import NO_FILTERS, Filters
from queries.inequality import gini, top_share
from queries.subtrees import Subtrees
from queries.tree import distributors, find_root, read

PARTICIPANT_KINDS = ("personal", "starter_kit")
END_OF_PERIOD_DAYS = 5
THOUSAND = 100_000  # cents
MIN_SUBTREE = 10  # distributors: smaller subtrees say little about a ratio
TOP = 20


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


@dataclass(frozen=True)
class Ratio:
    """An indicator that is sum(numerator) / sum(denominator) over distributors (parts named
    in `_Parts.columns`), crossed past `limit`: above it, or below it when `below`."""

    numerator: str
    denominator: str
    limit: float
    below: bool = False

    def past(self, value):
        """How far past the limit in the crossing direction (positive: crossed)."""
        return self.limit - value if self.below else value - self.limit

    def crossed(self, value: float | None) -> bool:
        return value is not None and bool(self.past(value) > 0)


# Every indicator, in the order reported.
NAMES = {
    "retail_reward_share": "Rewards tied to retail sales to outside customers",
    "end_user_sales_share": "Sales to end users outside the network",
    "low_customer_share_pay": "Commissions paid to earners whose own and downline revenue is "
    "at most 50 % from outside customers",
    "recruitment_payout_share": "Payouts for recruitment (type recruitment or paid on "
    "starter kits)",
    "net_loss_rate": "Participants whose commissions are below their own purchases and "
    "starter kits",
    "zero_earner_share": "Participants earning nothing",
    "small_earner_share": "Participants earning at most 1,000 in the period",
    "top_1_percent_share": "Commissions taken by the top 1 % of earners",
    "retention_12_months": "Distributors still active 12 months after joining",
    "end_of_period_buying": f"Personal purchases in the last {END_OF_PERIOD_DAYS} days of a month",
}
RATIOS = {
    "retail_reward_share": Ratio("retail_tied", "tied", 2 / 3, below=True),
    "end_user_sales_share": Ratio("retail_cents", "revenue_cents", 0.8, below=True),
    "low_customer_share_pay": Ratio("low_customer_pay", "earned", 0.5),
    "recruitment_payout_share": Ratio("recruiting", "commissions", 0.5),
    "net_loss_rate": Ratio("net_loss", "participants", 0.5),
    "zero_earner_share": Ratio("zero", "participants", 0.5),
    "small_earner_share": Ratio("small", "participants", 0.5),
}
NOT_BY_SUBTREE = {
    "top_1_percent_share": "The top 1 % share ranks earners against each other, so it is not "
    "a sum over distributors and cannot be broken down by subtree.",
    "retention_12_months": "Retention is judged per join cohort, not summed over distributors, "
    "so it is not broken down by subtree; `downline cohorts` breaks it down by join month.",
    "end_of_period_buying": "End-of-period buying counts purchases by day of the month, which the "
    "per-distributor figures do not hold, so it is not broken down by subtree.",
}


class NotBySubtree(DownlineError):
    """An indicator that is not a ratio of sums over distributors."""


@dataclass(frozen=True)
class Inputs:
    """What the indicators are computed from, read once: the covered distributors with their
    period figures, their commissions by trigger, and their personal purchases by day."""

    frame: pd.DataFrame
    triggers: pd.DataFrame
    personal: pd.DataFrame

    def indicators(self) -> Indicators:
        """`compute` of these inputs, from the parts `by_subtree` sums too."""
        return _indicators(self.frame, self.personal, self._parts)

    def by_subtree(self, key: str, min_size: int = MIN_SUBTREE, top: int = TOP) -> pd.DataFrame:
        """`by_subtree` of these inputs; the parts and subtrees are built once for every key."""
        return self._parts.top(key, min_size, top)

    @cached_property
    def _parts(self) -> _Parts:
        return _Parts(self.frame, self.triggers)


def read_inputs(
    driver: neo4j.Driver, database: str, root: str | None = None, filters: Filters = NO_FILTERS
) -> Inputs:
    frame = distributors(driver, database, filters, find_root(driver, database, root))
    params = filters.params()
    triggers = read(driver, database, q.COMMISSIONS_BY_TRIGGER, **params)
    triggers = triggers[triggers.earner_id.isin(set(frame.id))]
    personal = read(driver, database, q.PERSONAL_BY_DAY, **params)
    personal = personal[personal.id.isin(set(frame.id))]
    return Inputs(frame, triggers, personal)


def indicators(
    driver: neo4j.Driver, database: str, root: str | None = None, filters: Filters = NO_FILTERS
) -> Indicators:
    return read_inputs(driver, database, root, filters).indicators()


def indicators_with_subtrees(
    driver: neo4j.Driver, database: str, root: str | None = None, filters: Filters = NO_FILTERS
) -> tuple[Indicators, dict[str, pd.DataFrame]]:
    """The indicators and each ratio indicator's breakdown by subtree, from one read."""
    inputs = read_inputs(driver, database, root, filters)
    return inputs.indicators(), {key: inputs.by_subtree(key) for key in RATIOS}


def classify(triggers: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of commissions by (type, order kind): retail-tied, participant-tied (retail wins
    where both apply; neither: other), and paid for recruitment."""
    kind = triggers.order_kind
    retail = ((triggers.type == "retail_margin") | (kind == "retail")).to_numpy()
    participant = ((triggers.type == "recruitment") | kind.isin(PARTICIPANT_KINDS)).to_numpy()
    recruiting = ((triggers.type == "recruitment") | (kind == "starter_kit")).to_numpy()
    return retail, participant & ~retail, recruiting


def compute(frame: pd.DataFrame, triggers: pd.DataFrame, personal: pd.DataFrame) -> Indicators:
    """From one row per participant (the covered distributors, with period figures), the
    commissions by earner, type and order kind, and personal purchases by day."""
    return _indicators(frame, personal, _Parts(frame, triggers))


def _indicators(frame: pd.DataFrame, personal: pd.DataFrame, found: _Parts) -> Indicators:
    parts = found.columns
    totals = {name: column.sum() for name, column in parts.items()}
    earned = frame.commission_cents
    kit_buyers = frame[frame.starter_kit_cents > 0]
    by_earner = _by_earner(frame, parts)
    days = personal.day > (personal.month_end.map(lambda d: d.day) - END_OF_PERIOD_DAYS)
    expected_end = END_OF_PERIOD_DAYS / 30.44
    cohort_keep = retention(frame, 12)
    values = {
        key: _share(totals[ratio.numerator], totals[ratio.denominator])
        for key, ratio in RATIOS.items()
    }

    def item(key, value, threshold, crossed, source, detail=""):
        return Indicator(
            key, NAMES[key], value, threshold, bool(value is not None and crossed), source, detail
        )

    def ratio_item(key, threshold, source, detail=""):
        value = values[key]
        return item(key, value, threshold, RATIOS[key].crossed(value), source, detail)

    kit_lost = _share(
        (kit_buyers.commission_cents < kit_buyers.starter_kit_cents).sum(), len(kit_buyers)
    )
    top1 = top_share(earned, 0.01) if len(frame) and earned.sum() else None
    end_buying = _share(personal[days].cents.sum(), personal.cents.sum())
    herbalife = "FTC v. Herbalife International, stipulated order (2016)"
    items = [
        ratio_item(
            "retail_reward_share",
            "at least 2/3",
            herbalife,
            "rewards on participants' own purchases and starter kits: "
            + _pct(_share(totals["participant_tied"], totals["tied"])),
        ),
        ratio_item(
            "end_user_sales_share",
            "at least 80 %",
            herbalife,
        ),
        ratio_item(
            "low_customer_share_pay",
            "no pay unless more than 50 % (crossed when most pay goes there)",
            "FTC v. Vemma Nutrition, final order (2016)",
            f"{int((by_earner.customer_share <= 0.5).sum())} of {len(by_earner)} earners",
        ),
        ratio_item(
            "recruitment_payout_share",
            "more than 50 % (Fortune Hi-Tech Marketing: over 81 %)",
            "In re Koscot Interplanetary (1975); FTC v. Fortune Hi-Tech Marketing (2013-2014)",
        ),
        ratio_item(
            "net_loss_rate",
            "more than 50 % (Fortune Hi-Tech Marketing: over 98 %)",
            "FTC v. Fortune Hi-Tech Marketing (2013-2014)",
            f"starter-kit buyers who never recouped the kit: {_pct(kit_lost)}",
        ),
        ratio_item(
            "zero_earner_share",
            "more than 50 %",
            "FTC staff report on MLM income disclosure statements (2024)",
        ),
        ratio_item(
            "small_earner_share",
            "more than 50 % (ask a 12-month period)",
            "FTC staff report on MLM income disclosure statements (2024)",
        ),
        item(
            "top_1_percent_share",
            top1,
            "about half or more (Amway, Nu Skin, Herbalife: about 54 %)",
            top1 is not None and top1 >= 0.5,
            "Brooks, Fitzpatrick & Craig (2012)",
            f"Gini {gini(earned):.3f}",
        ),
        item(
            "retention_12_months",
            cohort_keep,
            "below 40 % (annual attrition of 60-80 % is typical)",
            cohort_keep is not None and cohort_keep < 0.4,
            "industry consultants (ServiceQuest); Herbalife 10-K filings",
        ),
        item(
            "end_of_period_buying",
            end_buying,
            f"at least twice the even spread ({_pct(2 * expected_end)})",
            end_buying is not None and end_buying >= 2 * expected_end,
            "FTC Business Guidance Concerning Multi-Level Marketing (2018); Herbalife order (2016)",
        ),
    ]
    return Indicators(items, by_earner)


class _Parts:
    """Per covered distributor (frame order), the parts every ratio in `RATIOS` sums, with the
    subtrees to sum them over: built once, shared by the network's values and every breakdown."""

    def __init__(self, frame: pd.DataFrame, triggers: pd.DataFrame):
        self.subtrees = Subtrees(frame)
        self.columns = self._columns(frame, triggers)

    def _columns(self, frame: pd.DataFrame, triggers: pd.DataFrame) -> dict[str, np.ndarray]:
        """Own figures, commissions received by what triggered them (`classify`), and, for
        `_by_earner`, `customer_share`: the retail share of own plus downline revenue."""
        codes, earners = pd.factorize(triggers.earner_id)  # each earner's id hashed once
        at = pd.Index(frame.id).get_indexer(earners)[codes]  # row in frame, -1 if not covered
        retail_tied, participant_tied, recruiting = classify(triggers)
        cents = triggers.cents.to_numpy(dtype=np.float64)  # exact: sums stay far below 2**53

        def received(rows: np.ndarray) -> np.ndarray:
            rows = rows & (at >= 0)
            return np.bincount(at[rows], cents[rows], minlength=len(frame)).astype(np.int64)

        retail = frame.retail_cents.to_numpy()
        bought = frame.personal_cents.to_numpy() + frame.starter_kit_cents.to_numpy()
        revenue = retail + bought
        earned = frame.commission_cents.to_numpy()
        sub_retail, sub_revenue = self.subtrees.sums(retail), self.subtrees.sums(revenue)
        customer_share = np.divide(
            sub_retail, sub_revenue, out=np.zeros(len(frame)), where=sub_revenue > 0
        )
        paid = np.where(earned > 0, earned, 0)
        parts = {
            "retail_tied": received(retail_tied),
            "participant_tied": received(participant_tied),
            "recruiting": received(recruiting),
            "commissions": received(np.ones(len(at), dtype=bool)),
            "retail_cents": retail,
            "revenue_cents": revenue,
            "earned": paid,
            "low_customer_pay": np.where(customer_share <= 0.5, paid, 0),
            "customer_share": customer_share,
            "net_loss": (earned < bought).astype(np.int64),
            "zero": (earned == 0).astype(np.int64),
            "small": (earned <= THOUSAND).astype(np.int64),
            "participants": np.ones(len(frame), dtype=np.int64),
        }
        parts["tied"] = parts["retail_tied"] + parts["participant_tied"]
        return parts

    def top(self, key: str, min_size: int, top: int) -> pd.DataFrame:
        """`by_subtree` from these parts."""
        if key not in RATIOS:
            raise NotBySubtree(NOT_BY_SUBTREE.get(key, f"There is no indicator {key}."))
        ratio = RATIOS[key]
        numerator, denominator = self.columns[ratio.numerator], self.columns[ratio.denominator]
        found = self.subtrees.furthest(numerator, denominator, ratio.past, min_size, top)
        return found.assign(crossed=found.past > 0).drop(columns="past")


def by_subtree(
    frame: pd.DataFrame,
    triggers: pd.DataFrame,
    key: str,
    min_size: int = MIN_SUBTREE,
    top: int = TOP,
) -> pd.DataFrame:
    """Indicator `key` within each distributor's subtree (itself and its downline among the
    covered distributors) of at least `min_size` distributors: the `top` furthest past the
    threshold in the crossing direction first (ties: the larger subtree, then the root's id),
    as root, distributors, value, crossed. Subtrees with nothing to judge by (a zero
    denominator) are left out; an indicator that is not in `RATIOS` raises `NotBySubtree`."""
    return _Parts(frame, triggers).top(key, min_size, top)


def _by_earner(frame: pd.DataFrame, parts: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per earner: commissions, their retail and recruitment shares, the share of own plus
    downline revenue from outside customers, and whether they earned less than they bought."""
    earners = (frame.commission_cents > 0).to_numpy()
    commissions = frame.commission_cents.to_numpy()[earners]
    out = pd.DataFrame(
        {
            "earner_id": frame.id.to_numpy()[earners],
            "commission_cents": commissions,
            "customer_share": parts["customer_share"][earners],
            "net_loss": parts["net_loss"][earners].astype(bool),
            "retail_reward_share": parts["retail_tied"][earners] / commissions,
            "recruitment_share": parts["recruiting"][earners] / commissions,
        }
    )
    return out.sort_values("commission_cents", ascending=False).reset_index(drop=True)
