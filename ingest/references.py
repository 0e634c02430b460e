"""Why a row's reference is missing: unknown, or rejected earlier in the run (with the chain)."""

from __future__ import annotations

from collections.abc import Container, Mapping

# The columns that name a distributor, in the order their problems are reported.
DISTRIBUTOR_COLUMNS = (
    ("distributor_id", "distributor"),
    ("referred_by", "referring distributor"),
    ("earner_id", "earner"),
    ("source_id", "source"),
)


class References:
    """Remembers the distributors and customers a run rejected, across its files."""

    def __init__(self) -> None:
        self.rejected_distributors: dict[str, str] = {}
        self.rejected_customers: dict[str, str] = {}

    def _missing_distributor(self, did: str, role: str) -> str:
        if did in self.rejected_distributors:
            return f"{role} {did} was rejected: {self.rejected_distributors[did]}"
        return f"unknown {role} {did}"

    def _missing_customer(self, cid: str) -> str:
        if cid in self.rejected_customers:
            return f"customer {cid} was rejected: {self.rejected_customers[cid]}"
        return f"unknown customer {cid}"

    def problem(self, record: dict, present: Mapping[str, Container[str]]) -> str | None:
        """The first reference of a record that is not `present`, as a reason.

        `present` maps distributors, customers and orders to the ids known to exist.
        """
        for column, role in DISTRIBUTOR_COLUMNS:
            value = record.get(column)
            if value is not None and value not in present["distributors"]:
                return self._missing_distributor(value, role)
        customer = record.get("customer_id")
        if customer is not None and customer not in present["customers"]:
            return self._missing_customer(customer)
        order = record.get("order_id")
        if order is not None and order not in present["orders"]:
            return f"unknown order {order}"
        return None
