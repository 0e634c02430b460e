"""Saved queries as data: `.cypher` files whose header names, describes and types them.

A header is the file's leading `//` comment lines:

    // name: top-earners
    // title: Top earners
    // description: The distributors who received the most commissions in a period.
    // param: limit int = 20 -- how many to list
    // param: from date = 2000-01-01 -- first day of the period
    // param: ranks list<string> = [] -- only these ranks (empty: all)

Types: string, int, float, date, bool, and list<...> of these (a list is written as
comma-separated values). A parameter without a default is required. Values reach Neo4j only
as query parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from downline.errors import DownlineError

SHIPPED = Path(__file__).resolve().parent / "saved"
SCALARS = ("string", "int", "float", "date", "bool")
_PARAM = re.compile(
    r"(?P<name>[A-Za-z_]\w*)\s+(?P<type>[a-z<>]+)(\s*=\s*(?P<default>.*?))?\s*(--\s*(?P<doc>.*))?$"
)
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None  # as written; None: required
    description: str = ""

    def convert(self, raw: str):
        """A typed value from text, or an error naming the parameter."""
        try:
            if self.type.startswith("list<"):
                item = Param(self.name, self.type[5:-1], None)
                text = raw.strip().removeprefix("[").removesuffix("]")
                return [item.convert(part.strip()) for part in text.split(",") if part.strip()]
            return _SCALAR[self.type](raw.strip())
        except (ValueError, KeyError) as error:
            raise DownlineError(
                f"parameter {self.name} ({self.type}): {raw!r} is not valid: {error}"
            ) from None


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise ValueError("expected true or false")


def _string(text: str) -> str:
    return text


_SCALAR = {"string": _string, "int": int, "float": float, "date": date.fromisoformat, "bool": _bool}


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    description: str
    text: str  # the whole file, header included (comments are Cypher comments)
    path: Path | None = None
    params: list[Param] = field(default_factory=list)

    def bind(self, given: dict[str, str]) -> dict:
        """Typed values for every parameter: given ones converted, defaults otherwise."""
        unknown = sorted(set(given) - {p.name for p in self.params})
        if unknown:
            raise DownlineError(f"{self.name} has no parameter {', '.join(unknown)}")
        values = {}
        for param in self.params:
            if param.name in given:
                values[param.name] = param.convert(given[param.name])
            elif param.default is not None:
                values[param.name] = param.convert(param.default)
            else:
                raise DownlineError(f"{self.name} needs --param {param.name}=... ({param.type})")
        return values


def parse(text: str, path: Path | None = None) -> SavedQuery:
    """A saved query from a file's text; an ad-hoc query without a header gets the name `adhoc`."""
    header: dict[str, str] = {}
    params: list[Param] = []
    where = str(path) if path else "query"
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("//"):
            break
        key, sep, value = stripped[2:].strip().partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "param":
            match = _PARAM.match(value)
            if not match or not _known_type(match["type"]):
                raise DownlineError(f"{where}: cannot read the parameter line {value!r}")
            params.append(Param(match["name"], match["type"], match["default"], match["doc"] or ""))
        elif key in ("name", "title", "description"):
            header[key] = (header.get(key, "") + " " + value).strip()
    name = header.get("name", "adhoc")
    if not _NAME.fullmatch(name):
        raise DownlineError(f"{where}: the name {name!r} must be lower-case letters, digits, -")
    return SavedQuery(
        name, header.get("title", name), header.get("description", ""), text, path, params
    )


def _known_type(type_: str) -> bool:
    if type_.startswith("list<") and type_.endswith(">"):
        return type_[5:-1] in SCALARS
    return type_ in SCALARS


def load_library(extra: Path | None = None) -> dict[str, SavedQuery]:
    """The shipped queries and the user's (a user's query may not reuse a shipped name)."""
    found: dict[str, SavedQuery] = {}
    folders = [SHIPPED] + ([extra] if extra else [])
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.cypher")):
            query = parse(path.read_text(encoding="utf-8"), path)
            if query.name in found:
                raise DownlineError(
                    f"{path}: the name {query.name} is taken by {found[query.name].path}"
                )
            found[query.name] = query
    return found


def get(library: dict[str, SavedQuery], name: str) -> SavedQuery:
    if name not in library:
        raise DownlineError(f"no saved query {name!r}: `downline query list` shows them")
    return library[name]
