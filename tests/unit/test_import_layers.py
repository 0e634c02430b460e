"""Imports run one way: the core, then ingest and queries, then the dashboard and the
benchmark, then the CLI (docs/architecture.md). Read from the source, not from a running
process, so an import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.servers import REPO

# Layer of each top-level part; parts of one layer may not import each other.
RANK = {"downline": 0, "ingest": 1, "queries": 1, "dashboard": 2, "bench": 2, "downline.cli": 3}
PACKAGES = ("downline", "ingest", "queries", "dashboard", "bench")


def part_of_file(path: Path, root: Path) -> str:
    relative = path.relative_to(root).parts
    # `python -m downline` (downline/__main__.py) is the command line's other door.
    if relative[:2] in (("downline", "cli"), ("downline", "__main__.py")):
        return "downline.cli"
    return relative[0]


def part_of_import(name: str, bench_modules: set[str]) -> str | None:
    """The part an absolute import name belongs to, or None for anything outside the project."""
    if name == "downline.cli" or name.startswith("downline.cli."):
        return "downline.cli"
    top = name.split(".")[0]
    if top in bench_modules:  # bench/ runs as scripts, its modules import each other by name
        return "bench"
    return top if top in RANK else None


def imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
    return found


def violations(root: Path) -> list[str]:
    bench_modules = {p.stem for p in (root / "bench").glob("*.py")}
    problems = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            importer = part_of_file(path, root)
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for line, name in imported_names(tree):
                imported = part_of_import(name, bench_modules)
                if imported is None or imported == importer:
                    continue
                if RANK[imported] >= RANK[importer]:
                    where = path.relative_to(root)
                    problems.append(f"{where}:{line}: {importer} imports {imported}")
    return sorted(set(problems))


def test_every_import_goes_down_a_layer():
    assert violations(REPO) == []


def test_the_check_sees_an_import_that_goes_up_or_sideways(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "downline" / "cli").mkdir()
    (tmp_path / "bench" / "benchlib.py").write_text("import queries.levels\n")
    (tmp_path / "downline" / "schema.py").write_text("def f():\n    from ingest import load\n")
    (tmp_path / "queries" / "levels.py").write_text("from ingest.formats import KINDS\n")
    (tmp_path / "dashboard" / "app.py").write_text("import benchlib\nfrom downline import cli\n")
    (tmp_path / "downline" / "cli" / "main.py").write_text("import dashboard.app\n")
    assert violations(tmp_path) == [
        "dashboard/app.py:1: dashboard imports bench",
        "dashboard/app.py:2: dashboard imports downline.cli",
        "downline/schema.py:2: downline imports ingest",
        "queries/levels.py:1: queries imports ingest",
    ]
