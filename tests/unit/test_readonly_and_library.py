"""The text check of the read-only guard, and saved-query headers and parameter types."""

from __future__ import annotations

from datetime import date

import pytest

from downline.errors import DownlineError
from queries.library import load_library, parse
from queries.readonly import QueryRefused, check_plan, check_text


@pytest.mark.parametrize(
    "text",
    [
        "MATCH (n) RETURN n",
        "MATCH (n) WHERE n.name = 'CREATE (x)' RETURN n  // DELETE in a comment",
        "MATCH (n) WHERE n.name STARTS WITH 'a' RETURN n;",
        "CALL db.labels() YIELD label RETURN label",
        "MATCH (n) CALL (n) { RETURN count(*) AS c } RETURN c",
        "MATCH (`weird CREATE name`) RETURN 1",
    ],
)
def test_reading_texts_pass(text):
    check_text(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("MATCH (n) SET n.x = 1", "SET"),
        ("CALL gds.graph.list()", "gds.graph.list is not on the allow-list"),
        ("MATCH (n) RETURN n; MATCH (m) RETURN m", "several statements"),
        ("\u0421REATE (n)", "outside ASCII"),
        ("RETURN 'unterminated", "unterminated"),
        ("CREATE (n)", "must start with a reading clause"),
        ("", "empty"),
    ],
)
def test_other_texts_are_refused_with_the_reason(text, reason):
    with pytest.raises(QueryRefused, match=reason):
        check_text(text)


def test_only_a_read_plan_passes():
    check_plan("r")
    for kind in ("rw", "w", "s", None):
        with pytest.raises(QueryRefused):
            check_plan(kind)


def test_headers_and_typed_parameters():
    query = parse(
        "// name: demo\n// title: A demo\n// description: one\n// description: two\n"
        "// param: day date = 2024-01-31 -- a day\n// param: ids list<int> = [] -- some\n"
        "// param: who string -- required\n// param: on bool = false\n"
        "MATCH (n) RETURN n\n"
    )
    assert (query.name, query.title, query.description) == ("demo", "A demo", "one two")
    assert query.bind({"who": "x", "ids": "1, 2"}) == {
        "day": date(2024, 1, 31),
        "ids": [1, 2],
        "who": "x",
        "on": False,
    }
    with pytest.raises(DownlineError, match="needs --param who"):
        query.bind({})
    with pytest.raises(DownlineError, match="parameter day \\(date\\): '31/01/2024'"):
        query.bind({"who": "x", "day": "31/01/2024"})
    with pytest.raises(DownlineError, match="has no parameter nope"):
        query.bind({"who": "x", "nope": "1"})
    with pytest.raises(DownlineError, match="cannot read the parameter line"):
        parse("// name: bad\n// param: x decimal\nRETURN 1")


def test_shipped_queries_pass_the_text_check_and_a_user_folder_adds_more(tmp_path):
    shipped = load_library()
    assert len(shipped) >= 15
    for query in shipped.values():
        check_text(query.text)
        assert query.title and query.description, query.name
    (tmp_path / "mine.cypher").write_text("// name: mine\n// title: Mine\nRETURN 1 AS one\n")
    assert "mine" in load_library(tmp_path)
    (tmp_path / "clash.cypher").write_text("// name: upline\nRETURN 1\n")
    with pytest.raises(DownlineError, match="is taken"):
        load_library(tmp_path)
