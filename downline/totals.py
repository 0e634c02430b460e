"""The totals the ingest keeps on every distributor, and revenue, defined once.

Each total counts, or sums the `amount_cents` of, the orders a distributor placed (of one kind)
or the commissions paid to it. The transactional refresh (Cypher) and the bulk load (numpy)
are both built from TOTALS, so they cannot drift apart. Revenue is what orders of every kind
bring in: REVENUE_COLUMNS summed, in Cypher by `revenue_cypher` and in Python by `revenue`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from downline.vocabulary import ORDER_KINDS


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
