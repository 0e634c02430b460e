from __future__ import annotations

from queries.explore import NODE_BUDGET, kept_per_parent, lucene_prefixes


def test_search_words_become_escaped_required_prefixes():
    assert lucene_prefixes("ana sil") == "ana* AND sil*"
    assert lucene_prefixes("  ") is None
    assert lucene_prefixes('D-1 (x) "y" a:b') == 'D\\-1* AND \\(x\\)* AND \\"y\\"* AND a\\:b*'


def test_a_summarised_downline_stays_within_the_node_budget():
    for depth in range(1, 7):
        keep = kept_per_parent(depth)
        assert keep >= 2
        assert (keep + 1) ** depth <= NODE_BUDGET or keep == 2  # kept plus one "others"
    assert kept_per_parent(3) == 9
