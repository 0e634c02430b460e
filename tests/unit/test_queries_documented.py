"""Every analytics statement is named in the metrics or indicators documentation."""

from __future__ import annotations

from queries import analytics_cypher, explore_cypher
from tests.support.servers import REPO


def test_every_statement_is_documented():
    docs = "".join(
        (REPO / "docs" / name).read_text(encoding="utf-8")
        for name in ("metrics.md", "indicators.md")
    )
    names = [
        n
        for module in (analytics_cypher, explore_cypher)
        for n in vars(module)
        if n.isupper() and not n.startswith("_") and isinstance(getattr(module, n), str)
    ]
    assert len(names) >= 20
    missing = [n for n in names if f"`{n}`" not in docs]
    assert missing == []
