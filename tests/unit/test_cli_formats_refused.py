"""A --format value a command does not accept is refused while the command line is parsed,
before anything connects to Neo4j (the URI here answers nothing)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from downline.cli.main import app
from tests.support.commands import COMMANDS, args_of
from tests.support.servers import clean_environ


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_unknown_format_is_refused_before_connecting(command, tmp_path):
    (tmp_path / "distributors.csv").write_text("distributor_id\nD1\n")
    env = clean_environ(NEO4J_URI="bolt://127.0.0.1:1", NEO4J_PASSWORD="unused")
    result = CliRunner().invoke(app, [*args_of(command, tmp_path), "--format", "xml"], env=env)
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output
    assert "not reachable" not in result.output
