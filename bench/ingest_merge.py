"""The Cypher of the two driver contenders, as a script author would write it: uniqueness
constraints, then one MERGE statement per kind of row, run per row by the per-row script and per
file under LOAD CSV. Both write the same nodes and relationships, so their counts compare."""

from __future__ import annotations

LOAD_CSV_BATCH = 10_000
LABELS = {
    "distributors": "Distributor",
    "customers": "Customer",
    "orders": "Order",
    "commissions": "Commission",
}
RELATIONSHIP_TYPES = ("SPONSORED_BY", "REFERRED_BY", "PLACED_BY", "FOR", "PAID_TO")
RELATIONSHIP_TYPES += ("SOURCED_FROM", "FOR_ORDER")
# The columns each statement reads; absent optional columns are passed as null.
COLUMNS = {
    "distributors": (
        "distributor_id",
        "sponsor_id",
        "joined_on",
        "name",
        "country",
        "rank",
        "status",
        "left_on",
    ),
    "customers": ("customer_id", "referred_by", "joined_on"),
    "orders": (
        "order_id",
        "distributor_id",
        "ordered_on",
        "amount",
        "kind",
        "customer_id",
        "volume",
    ),
    "commissions": (
        "commission_id",
        "earner_id",
        "period",
        "amount",
        "type",
        "source_id",
        "order_id",
    ),
}
CONSTRAINTS = tuple(
    f"CREATE CONSTRAINT IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
    for label in LABELS.values()
)


def _link(node: str, rel: str, other: str, label: str, column: str) -> str:
    """MERGE (node)-[:rel]->(other) if a node `label` of id `column` exists: OPTIONAL MATCH +
    FOREACH, so that a missing optional reference does not drop the row."""
    return (
        f"WITH {node}\n"
        f"OPTIONAL MATCH ({other}:{label} {{id: {{r}}{column}}})\n"
        f"FOREACH (_ IN CASE WHEN {other} IS NULL THEN [] ELSE [1] END | "
        f"MERGE ({node})-[:{rel}]->({other}))\n"
    )


# One MERGE statement per kind: the node by id, its properties, and its relationships. A
# sponsor is MERGEd, since it may come later in the file.
# `{r}` stands for `$` (a parameter per column, for the per-row script) or `row.` (LOAD CSV).
# Empty values are null (the script passes `value or None`; LOAD CSV reads an empty field as
# null).
MERGE_ROW = {
    "distributors": """
MERGE (d:Distributor {id: {r}distributor_id})
SET d.name = {r}name, d.country = {r}country, d.rank = {r}rank, d.status = {r}status,
    d.joined_on = date({r}joined_on), d.left_on = date({r}left_on)
FOREACH (sponsor IN CASE WHEN {r}sponsor_id IS NULL THEN [] ELSE [{r}sponsor_id] END |
  MERGE (s:Distributor {id: sponsor})
  MERGE (d)-[:SPONSORED_BY]->(s))
""",
    "customers": """
MERGE (c:Customer {id: {r}customer_id})
SET c.joined_on = date({r}joined_on)
"""
    + _link("c", "REFERRED_BY", "d", "Distributor", "referred_by"),
    "orders": """
MERGE (o:Order {id: {r}order_id})
SET o.ordered_on = date({r}ordered_on), o.kind = {r}kind,
    o.amount_cents = toInteger(round(toFloat({r}amount) * 100)),
    o.volume_cents = toInteger(round(toFloat(coalesce({r}volume, {r}amount)) * 100))
"""
    + _link("o", "PLACED_BY", "d", "Distributor", "distributor_id")
    + _link("o", "FOR", "c", "Customer", "customer_id"),
    "commissions": """
MERGE (k:Commission {id: {r}commission_id})
SET k.period = {r}period, k.type = {r}type,
    k.amount_cents = toInteger(round(toFloat({r}amount) * 100))
"""
    + _link("k", "PAID_TO", "e", "Distributor", "earner_id")
    + _link("k", "SOURCED_FROM", "s", "Distributor", "source_id")
    + _link("k", "FOR_ORDER", "o", "Order", "order_id"),
}


def per_row_statement(kind: str) -> str:
    """The statement with a parameter per column."""
    return MERGE_ROW[kind].replace("{r}", "$").strip()


def load_csv_statement(kind: str) -> str:
    """The statement under LOAD CSV, in batches of LOAD_CSV_BATCH rows; the file's URL is the
    parameter $url."""
    body = MERGE_ROW[kind].replace("{r}", "row.").strip().replace("\n", "\n  ")
    return (
        "LOAD CSV WITH HEADERS FROM $url AS row\n"
        f"CALL (row) {{\n  {body}\n}} IN TRANSACTIONS OF {LOAD_CSV_BATCH} ROWS"
    )
