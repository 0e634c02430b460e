from __future__ import annotations

from downline.schema import FULLTEXT_INDEXES, RANGE_INDEXES, UNIQUE_KEYS, schema_statements
from tests.support.servers import REPO


def test_every_constraint_and_index_is_in_the_graph_model_doc():
    doc = (REPO / "docs" / "graph-model.md").read_text(encoding="utf-8")
    keyed = [(name, label, (prop,)) for name, label, prop in UNIQUE_KEYS]
    for name, label, props in keyed + list(RANGE_INDEXES + FULLTEXT_INDEXES):
        assert f"| `{name}` |" in doc, name
        assert all(f"`{label}.{prop}`" in doc for prop in props), name


def test_schema_statements_are_idempotent_by_construction():
    statements = schema_statements()
    assert len(statements) == len(UNIQUE_KEYS) + len(RANGE_INDEXES) + len(FULLTEXT_INDEXES)
    assert all("IF NOT EXISTS" in statement for statement in statements)
