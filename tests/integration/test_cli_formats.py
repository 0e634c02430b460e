"""Every command that takes --format prints what each accepted value says (in-process through
typer's runner: the commands as the CLI parses them, without a Python start-up per call)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from downline.cli.main import app
from tests.support.commands import COMMANDS, args_of
from tests.support.servers import load_generated, settings_env


@pytest.fixture(scope="module")
def loaded(driver, server_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    return load_generated(driver, server_settings, folder, 150, 6, seed=3, profile="pyramid")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_each_format_is_what_it_says(command, loaded, server_settings):
    env = settings_env(server_settings)
    args = args_of(command, loaded)
    printed = {}
    for fmt in ("table", "json", "csv"):
        result = CliRunner().invoke(app, [*args, "--format", fmt], env=env)
        assert result.exit_code == 0, result.output
        printed[fmt] = result.stdout
    json.loads(printed["json"])
    rows = list(csv.reader(io.StringIO(printed["csv"])))
    assert len(rows) >= 2 and len({len(row) for row in rows}) == 1  # a header, rows as wide
    with pytest.raises(json.JSONDecodeError):
        json.loads(printed["table"])
    assert printed["table"] != printed["csv"]
