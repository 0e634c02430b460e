"""The indicators page asks for the network's indicators and every breakdown by subtree at once:
the subtrees (a sort of every covered distributor) are built once for all of them."""

from __future__ import annotations

from queries import indicators as module
from queries.indicators import RATIOS, indicators_with_subtrees
from queries.subtrees import Subtrees
from tests.unit.test_indicators_by_subtree import PEOPLE, _inputs, _numbered, _triggers


def test_indicators_with_subtrees_builds_the_subtrees_once(monkeypatch):
    built = []

    class Counted(Subtrees):
        def __init__(self, pre, post, ids_of):
            built.append(len(pre))
            super().__init__(pre, post, ids_of)

    inputs = _inputs(_numbered(PEOPLE), _triggers())
    monkeypatch.setattr(module, "Subtrees", Counted)
    monkeypatch.setattr(module, "read_inputs", lambda *_args: inputs)
    found, subtrees = indicators_with_subtrees(None)
    assert built == [len(PEOPLE)]
    assert list(subtrees) == list(RATIOS)
    assert {i.key for i in found.items} >= set(RATIOS)
