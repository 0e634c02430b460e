"""Compliance indicators (`downline indicators`): the lines regulators and researchers drew,
computed over the distributors the filters cover. Each reports its value, its threshold, whether
the value crosses it, and its source: findings to quote, never a verdict of illegality.

`CATALOGUE` has one row per indicator, as docs/indicators.md has (a unit test holds them
together). Most are ratios of two sums over distributors: the same sums give the value over all
the covered distributors and, over pre-order intervals (`queries.subtrees`), every subtree's
(`by_subtree`), so a subtree that drives an indicator can be named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from types import MappingProxyType

import numpy as np
import pandas as pd

from downline.errors import DownlineError
from downline.totals import END_OF_PERIOD_DAYS
from queries.cohorts import retention
from queries.facts import Network
from queries.filters import NO_FILTERS, Filters
from queries.inequality import gini, top_share
from queries.subtrees import Subtrees

THOUSAND = 100_000  # cents
EVEN_SPREAD = END_OF_PERIOD_DAYS / 30.44  # the share of purchases in those days if spread evenly
MIN_SUBTREE = 10  # distributors: smaller subtrees say little about a ratio
TOP = 20


@dataclass(frozen=True)
class Indicator:
    """One indicator as reported; without a value it is never crossed."""

    key: str
    name: str
    value: float | None  # None: no data to judge by
    threshold: str
    crossed: bool
    source: str
    detail: str = ""


@dataclass(frozen=True)
class Indicators:
    """The indicators in catalogue order."""

    items: list[Indicator]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([i.__dict__ for i in self.items])

    def summary(self) -> list[str]:
        """Sentences an investigator can quote: each threshold crossed, with its numbers and
        source; one sentence saying so when none is."""
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
class Line:
    """Where an indicator crosses its threshold: past `limit`, above it or, when `below`, below
    it; reaching the limit counts when `at`."""

    limit: float
    below: bool = False
    at: bool = False

    def past(self, value):
        """How far past the limit in the crossing direction (a number or an array)."""
        return self.limit - value if self.below else value - self.limit

    def crosses(self, past):
        """Whether a distance from `past` (a number or an array) is across the line."""
        return past >= 0 if self.at else past > 0

    def crossed(self, value: float | None) -> bool:
        """None (nothing to judge by) never crosses."""
        return value is not None and bool(self.crosses(self.past(value)))


@dataclass(frozen=True, kw_only=True)
class Ratio(Line):
    """A line on sum(numerator) / sum(denominator) over distributors (parts named in
    `_Parts.columns`): the same sums give the network's value and every subtree's."""

    numerator: str
    denominator: str

    def of(self, totals: dict[str, float]) -> float | None:
        return _share(totals[self.numerator], totals[self.denominator])


@dataclass(frozen=True)
class Figures:
    """What the indicators are taken from, once per call: the covered distributors, their
    personal purchases in the last days of a month, the parts per distributor, and each part
    summed over them all."""

    network: Network
    late_personal: np.ndarray
    parts: dict[str, np.ndarray]
    totals: dict[str, float]
    last_day: date | None  # where the period asked ends (None: where the data ends)


@dataclass(frozen=True)
class Spec:
    """One indicator, in a row of `CATALOGUE`: what is reported of it (key, name, threshold,
    source), the `line` it crosses, and its value: a `Ratio` of sums over distributors (so also
    by subtree), or otherwise a `measure` of the figures and why it is `not_by_subtree`.
    `detail` adds a figure to quote with it."""

    key: str
    name: str
    threshold: str
    source: str
    line: Line
    measure: Callable[[Figures], float | None] | None = None
    not_by_subtree: str = ""
    detail: Callable[[Figures], str] | None = None

    def __post_init__(self):
        ratio = self.ratio is not None
        if ratio == (self.measure is not None) or ratio == bool(self.not_by_subtree):
            raise ValueError(f"{self.key}: a Ratio, or else a measure and why not by subtree")

    @property
    def ratio(self) -> Ratio | None:
        return self.line if isinstance(self.line, Ratio) else None

    def report(self, figures: Figures) -> Indicator:
        ratio = self.ratio
        value = ratio.of(figures.totals) if ratio is not None else self.measure(figures)
        detail = self.detail(figures) if self.detail else ""
        crossed = self.line.crossed(value)
        return Indicator(self.key, self.name, value, self.threshold, crossed, self.source, detail)


def _participant_tied(figures: Figures) -> str:
    share = _share(figures.totals["participant_tied"], figures.totals["tied"])
    return f"rewards on participants' own purchases and starter kits: {_pct(share)}"


def _low_share_earners(figures: Figures) -> str:
    earners = figures.network.commission_cents > 0
    low = int((figures.parts["customer_share"][earners] <= 0.5).sum())
    return f"{low} of {int(earners.sum())} earners"


def _kit_lost(figures: Figures) -> str:
    net = figures.network
    kit = net.starter_kit_cents > 0
    lost = _share((net.commission_cents[kit] < net.starter_kit_cents[kit]).sum(), kit.sum())
    return f"starter-kit buyers who never recouped the kit: {_pct(lost)}"


def _top_1(figures: Figures) -> float | None:
    earned = figures.network.commission_cents
    return top_share(earned, 0.01) if len(earned) and earned.sum() else None


def _gini(figures: Figures) -> str:
    return f"Gini {gini(figures.network.commission_cents):.3f}"


def _retention(figures: Figures) -> float | None:
    return retention(figures.network, 12, figures.last_day)


def _end_of_period(figures: Figures) -> float | None:
    return _share(figures.late_personal.sum(), figures.network.personal_cents.sum())


# Every indicator, in the order reported; docs/indicators.md has a row for each.
CATALOGUE = (
    Spec(
        "retail_reward_share",
        "Rewards tied to retail sales to outside customers",
        "at least 2/3",
        "FTC v. Herbalife International, stipulated order (2016)",
        Ratio(2 / 3, below=True, numerator="retail_tied", denominator="tied"),
        detail=_participant_tied,
    ),
    Spec(
        "end_user_sales_share",
        "Sales to end users outside the network",
        "at least 80 %",
        "FTC v. Herbalife International, stipulated order (2016)",
        Ratio(0.8, below=True, numerator="retail_cents", denominator="revenue_cents"),
    ),
    Spec(
        "low_customer_share_pay",
        "Commissions paid to earners whose own and downline revenue is at most 50 % from "
        "outside customers",
        "no pay unless more than 50 % (crossed when most pay goes there)",
        "FTC v. Vemma Nutrition, final order (2016)",
        Ratio(0.5, numerator="low_customer_pay", denominator="earned"),
        detail=_low_share_earners,
    ),
    Spec(
        "recruitment_payout_share",
        "Payouts for recruitment (type recruitment or paid on starter kits)",
        "more than 50 % (Fortune Hi-Tech Marketing: over 81 %)",
        "In re Koscot Interplanetary (1975); FTC v. Fortune Hi-Tech Marketing (2013-2014)",
        Ratio(0.5, numerator="recruiting", denominator="commissions"),
    ),
    Spec(
        "net_loss_rate",
        "Participants whose commissions are below their own purchases and starter kits",
        "more than 50 % (Fortune Hi-Tech Marketing: over 98 %)",
        "FTC v. Fortune Hi-Tech Marketing (2013-2014)",
        Ratio(0.5, numerator="net_loss", denominator="participants"),
        detail=_kit_lost,
    ),
    Spec(
        "zero_earner_share",
        "Participants earning nothing",
        "more than 50 %",
        "FTC staff report on MLM income disclosure statements (2024)",
        Ratio(0.5, numerator="zero", denominator="participants"),
    ),
    Spec(
        "small_earner_share",
        "Participants earning at most 1,000 in the period",
        "more than 50 % (ask a 12-month period)",
        "FTC staff report on MLM income disclosure statements (2024)",
        Ratio(0.5, numerator="small", denominator="participants"),
    ),
    Spec(
        "top_1_percent_share",
        "Commissions taken by the top 1 % of earners",
        "about half or more (Amway, Nu Skin, Herbalife: about 54 %)",
        "Brooks, Fitzpatrick & Craig (2012)",
        Line(0.5, at=True),
        _top_1,
        "The top 1 % share ranks earners against each other, so it is not a sum over "
        "distributors and cannot be broken down by subtree.",
        _gini,
    ),
    Spec(
        "retention_12_months",
        "Distributors still active 12 months after joining",
        "below 40 % (annual attrition of 60-80 % is typical)",
        "industry consultants (ServiceQuest); Herbalife 10-K filings",
        Line(0.4, below=True),
        _retention,
        "Retention is judged per join cohort, not summed over distributors, so it is not broken "
        "down by subtree; `downline cohorts` breaks it down by join month.",
    ),
    Spec(
        "end_of_period_buying",
        f"Personal purchases in the last {END_OF_PERIOD_DAYS} days of a month",
        f"at least twice the even spread ({_pct(2 * EVEN_SPREAD)})",
        "FTC Business Guidance Concerning Multi-Level Marketing (2018); Herbalife order (2016)",
        Line(2 * EVEN_SPREAD, at=True),
        _end_of_period,
        "End-of-period buying counts purchases by day of the month, which the per-distributor "
        "figures do not hold, so it is not broken down by subtree.",
    ),
)
# Views of the catalogue by key: the ratios, and why each of the others is not by subtree.
RATIOS = MappingProxyType({s.key: s.ratio for s in CATALOGUE if s.ratio is not None})
NOT_BY_SUBTREE = MappingProxyType({s.key: s.not_by_subtree for s in CATALOGUE if s.ratio is None})


class NotBySubtree(DownlineError):
    """A breakdown by subtree asked of an indicator that is not a ratio of sums over
    distributors, or of a key that is no indicator; the message says which, and why."""


@dataclass(frozen=True)
class Inputs:
    """What the indicators are computed from, read once: the covered distributors with their
    period figures, the period's commissions to them, and their personal purchases in the last
    days of a month. The parts and subtrees are built on first use, for `indicators()`, every
    breakdown and the per-earner table."""

    network: Network
    received: dict[str, np.ndarray]  # per row, commissions of each of COMMISSION_CLASSES
    late_personal: np.ndarray
    last_day: date | None = None  # where the period asked ends, for retention

    def indicators(self) -> Indicators:
        parts = self._parts.columns
        totals = {name: column.sum() for name, column in parts.items()}
        figures = Figures(self.network, self.late_personal, parts, totals, self.last_day)
        return Indicators([spec.report(figures) for spec in CATALOGUE])

    def by_subtree(self, key: str, min_size: int = MIN_SUBTREE, top: int = TOP) -> pd.DataFrame:
        """Indicator `key` within each distributor's subtree (itself and its downline among
        the covered distributors) of at least `min_size` distributors: the `top` furthest past
        the threshold in the crossing direction first (ties: the larger subtree, then the
        root's id), as root, distributors, value, crossed. Subtrees with nothing to judge by (a
        zero denominator) are left out; a key not in `RATIOS` raises `NotBySubtree`."""
        return self._parts.top(key, min_size, top)

    def by_earner(self) -> pd.DataFrame:
        """One row per earner (commissions above zero), the largest first: commissions,
        `customer_share` (the retail share of own plus downline revenue), `net_loss` (earned
        less than own purchases and starter kits), and the retail-tied and recruitment shares
        of the commissions."""
        parts, net = self._parts.columns, self.network
        earners = np.flatnonzero(net.commission_cents > 0)
        commissions = net.commission_cents[earners]
        out = pd.DataFrame(
            {
                "earner_id": net.ids_of(earners),
                "commission_cents": commissions,
                "customer_share": parts["customer_share"][earners],
                "net_loss": parts["net_loss"][earners].astype(bool),
                "retail_reward_share": parts["retail_tied"][earners] / commissions,
                "recruitment_share": parts["recruiting"][earners] / commissions,
            }
        )
        out = out.sort_values("commission_cents", ascending=False, kind="stable")
        return out.reset_index(drop=True)

    @cached_property
    def _parts(self) -> _Parts:
        return _Parts(self.network, self.received)


def read_inputs(source, root: str | None = None, filters: Filters = NO_FILTERS) -> Inputs:
    """The distributors `filters` cover (in `root`'s subtree, or all), then the period's
    commissions to them and their late-in-the-month personal purchases."""
    network = source.network(root, filters)
    received = source.received(network, filters)
    late = source.late_personal(network, filters)
    return Inputs(network, received, late, filters.date_to or filters.as_of)


def indicators(source, root: str | None = None, filters: Filters = NO_FILTERS) -> Indicators:
    return read_inputs(source, root, filters).indicators()


def indicators_with_subtrees(
    source, root: str | None = None, filters: Filters = NO_FILTERS
) -> tuple[Indicators, dict[str, pd.DataFrame]]:
    """The indicators and each ratio's breakdown by subtree (`MIN_SUBTREE`, `TOP`), from one
    read and one build of the subtrees: all the Indicators page shows."""
    inputs = read_inputs(source, root, filters)
    return inputs.indicators(), {key: inputs.by_subtree(key) for key in RATIOS}


class _Parts:
    """Per covered distributor (network row), the parts every ratio in `RATIOS` sums, with the
    subtrees to sum them over: built once, shared by the network's values and every breakdown."""

    def __init__(self, network: Network, received: dict[str, np.ndarray]):
        self.subtrees = Subtrees(network.pre, network.post, network.ids_of)
        self._summed: dict[str, np.ndarray] = {}
        self.columns = self._columns(network, received)

    def _columns(self, network: Network, received: dict[str, np.ndarray]) -> dict:
        """Own figures; commissions received, by what triggered them
        (downline.totals.commission_classes) and in all; the 0/1 conditions the participant
        ratios count; and `customer_share`, the retail share of own plus downline revenue,
        with the pay of those at 50 % or less."""
        retail = network.retail_cents
        bought = network.bought_cents
        revenue = network.revenue_cents
        earned = network.commission_cents
        sub_retail, sub_revenue = self.subtrees.sums(retail), self.subtrees.sums(revenue)
        self._summed.update(retail_cents=sub_retail, revenue_cents=sub_revenue)
        customer_share = np.divide(
            sub_retail, sub_revenue, out=np.zeros(len(network)), where=sub_revenue > 0
        )
        pay = np.where(earned > 0, earned, 0)
        parts = {
            **received,
            "commissions": earned,
            "retail_cents": retail,
            "revenue_cents": revenue,
            "earned": pay,
            "low_customer_pay": np.where(customer_share <= 0.5, pay, 0),
            "customer_share": customer_share,
            "net_loss": (earned < bought).astype(np.int64),
            "zero": (earned == 0).astype(np.int64),
            "small": (earned <= THOUSAND).astype(np.int64),
            "participants": np.ones(len(network), dtype=np.int64),
        }
        parts["tied"] = parts["retail_tied"] + parts["participant_tied"]
        return parts

    def top(self, key: str, min_size: int, top: int) -> pd.DataFrame:
        """`Inputs.by_subtree` from these parts."""
        if key not in RATIOS:
            raise NotBySubtree(NOT_BY_SUBTREE.get(key, f"There is no indicator {key}."))
        ratio = RATIOS[key]
        part, whole = self.summed(ratio.numerator), self.summed(ratio.denominator)
        found = self.subtrees.furthest(part, whole, ratio.past, min_size, top)
        return found.assign(crossed=ratio.crosses(found.past)).drop(columns="past")

    def summed(self, name: str) -> np.ndarray:
        """A part summed over every subtree, once (ratios share denominators)."""
        if name not in self._summed:
            self._summed[name] = self.subtrees.sums(self.columns[name])
        return self._summed[name]
