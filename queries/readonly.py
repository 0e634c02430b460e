"""Read-only enforced, not assumed: what a saved or ad-hoc query must pass before it runs.

On a single server a read transaction alone does not stop every write, so a query is checked
twice. First its text, with comments, string literals and quoted names taken out: one
statement, ASCII only (look-alike letters are refused), starting with a reading clause, no
writing or administrative keyword, no `LOAD CSV`, no `IN TRANSACTIONS`, and no procedure off
the allow-list. Then Neo4j's own plan (`EXPLAIN`): the query type must be read-only. Only then
does it run, in a read transaction, with a timeout and a row cap.
"""

from __future__ import annotations

import re

from downline.errors import DownlineError

READING_STARTS = {"MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL"}
FORBIDDEN = {
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "DETACH",
    "REMOVE",
    "FOREACH",
    "LOAD",
    "DROP",
    "ALTER",
    "GRANT",
    "DENY",
    "REVOKE",
    "START",
    "STOP",
    "TERMINATE",
    "SHOW",
    "USE",
    "RENAME",
    "ENABLE",
    "DEALLOCATE",
    "REALLOCATE",
    "FINISH",
    "INSERT",
    "TRANSACTIONS",
    "PERIODIC",
    "PROFILE",
    "EXPLAIN",
}
# Read-only procedures a saved query may call (compared case-insensitively).
ALLOWED_PROCEDURES = {
    "db.labels",
    "db.relationshiptypes",
    "db.propertykeys",
    "db.schema.nodetypeproperties",
    "db.schema.reltypeproperties",
}
_SKIPPED = re.compile(
    r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`(?:``|[^`])*`", re.S
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CALL = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)", re.I)


class QueryRefused(DownlineError):
    """A query that could change the data, or leave the read-only path; nothing was run."""


def skeleton(text: str) -> str:
    """The text with comments, strings and `quoted` names replaced by a space."""
    return _SKIPPED.sub(" ", text)


def check_text(text: str) -> None:
    """Refuse, with the reason, a text that is not one plainly reading statement."""
    bare = skeleton(text)
    if re.search(r"/\*|'|\"|`", bare):
        raise QueryRefused("an unterminated comment, string or quoted name")
    odd = sorted({c for c in bare if ord(c) > 127})
    if odd:
        shown = ", ".join(f"U+{ord(c):04X}" for c in odd[:5])
        raise QueryRefused(f"characters outside ASCII outside strings ({shown}): refused")
    if ";" in bare.rstrip().rstrip(";"):
        raise QueryRefused("several statements in one text")
    words = [w.upper() for w in _WORD.findall(bare)]
    if not words:
        raise QueryRefused("an empty query")
    if words[0] not in READING_STARTS:
        raise QueryRefused(f"a query must start with a reading clause, not {words[0]}")
    found = sorted(set(words) & FORBIDDEN)
    if found:
        raise QueryRefused(f"{', '.join(found)} is not allowed in a read-only query")
    for name in _CALL.findall(bare):
        if name.lower() not in ALLOWED_PROCEDURES:
            raise QueryRefused(f"procedure {name} is not on the allow-list")


def check_plan(query_type: str | None) -> None:
    """Neo4j's EXPLAIN summary: 'r' is read-only; anything else is refused."""
    if query_type != "r":
        raise QueryRefused(f"Neo4j plans it as a {query_type or 'non-read'} query, not read-only")
