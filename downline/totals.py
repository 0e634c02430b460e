"""The totals the ingest keeps on every distributor, and revenue, defined once.

Each total counts, or sums the `amount_cents` of, the orders a distributor placed (of one kind)
or the commissions paid to it. The transactional refresh (Cypher) and the bulk load (numpy)
are both built from TOTALS, so they cannot drift apart. Revenue is what orders of every kind
bring in: REVENUE_COLUMNS summed, in Cypher by `revenue_cypher` and in Python by `revenue`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from downline.vocabulary import COMMISSION_TYPES, ORDER_KINDS


@dataclass(frozen=True)
class Total:
    column: str  # the Distributor property
    fact: str  # "Order" (placed by the distributor) or "Commission" (paid to it)
    kind: str | None = None  # orders of this kind only
    counts: bool = False  # how many facts; otherwise the sum of their amount_cents

    def aggregate(self, fact: str) -> str:
        """`<aggregate> AS <column>` over the facts bound to the Cypher variable `fact`."""
        if self.counts:
            value = f"count({fact})"
        elif self.kind is None:
            value = f"sum({fact}.amount_cents)"
        else:
            value = f"sum(CASE {fact}.kind WHEN '{self.kind}' THEN {fact}.amount_cents ELSE 0 END)"
        return f"{value} AS {self.column}"


TOTALS = (
    Total("order_count", "Order", counts=True),
    *(Total(f"{kind}_cents", "Order", kind) for kind in ORDER_KINDS),
    Total("commission_count", "Commission", counts=True),
    Total("commission_cents", "Commission"),
)
TOTAL_COLUMNS = tuple(t.column for t in TOTALS)
REVENUE_TOTALS = tuple(t for t in TOTALS if t.kind is not None)  # one per order kind
REVENUE_COLUMNS = tuple(t.column for t in REVENUE_TOTALS)


def aggregates(totals: Iterable[Total], fact: str) -> str:
    """The totals' aggregates over the facts bound to `fact`, one a line after `  RETURN `."""
    return ",\n         ".join(total.aggregate(fact) for total in totals)


def revenue_cypher(node: str) -> str:
    """Cypher for the revenue in the stored totals of the distributor bound to `node`."""
    return " + ".join(f"{node}.{column}" for column in REVENUE_COLUMNS)


def revenue(totals):
    """Revenue from the per-kind totals of a frame, a row, or named arrays (anything indexed
    by column name)."""
    return sum(totals[column] for column in REVENUE_COLUMNS)


# What a commission is tied to, by its type and the kind of the order it names
# (docs/indicators.md): retail sales; participants' own purchases and starter kits, or
# recruitment (retail wins where both apply); and recruitment (type recruitment or a starter
# kit, overlapping the other two).
COMMISSION_CLASSES = ("retail_tied", "participant_tied", "recruiting")
END_OF_PERIOD_DAYS = 5  # "the last days of a month", for end-of-period buying


def commission_classes(type_code: np.ndarray, trigger_code: np.ndarray) -> dict[str, np.ndarray]:
    """Per commission (codes index downline.vocabulary; a trigger of -1 names no order), one
    mask per class of COMMISSION_CLASSES."""
    kind = {k: ORDER_KINDS.index(k) for k in ORDER_KINDS}
    retail_margin = type_code == COMMISSION_TYPES.index("retail_margin")
    retail = retail_margin | (trigger_code == kind["retail"])
    recruitment = type_code == COMMISSION_TYPES.index("recruitment")
    kit = trigger_code == kind["starter_kit"]
    participant = recruitment | (trigger_code == kind["personal"]) | kit
    return {
        "retail_tied": retail,
        "participant_tied": participant & ~retail,
        "recruiting": recruitment | kit,
    }
