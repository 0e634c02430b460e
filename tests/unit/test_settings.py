from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from downline.settings import Settings, env_names

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch):
    for name in env_names():
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_point_at_a_local_server(clean_env):
    settings = Settings(_env_file=None)
    assert settings.neo4j_uri == "bolt://127.0.0.1:7687"
    assert settings.is_local and settings.bolt_port == 7687
    assert settings.neo4j_database == "neo4j"
    assert (settings.dashboard_host, settings.dashboard_port) == ("127.0.0.1", 8050)


def test_each_field_reads_its_named_environment_variable(clean_env, tmp_path):
    clean_env.setenv("NEO4J_URI", "neo4j+s://example.databases.neo4j.io")
    clean_env.setenv("NEO4J_PASSWORD", "from-the-environment")
    clean_env.setenv("DOWNLINE_DATA_DIR", str(tmp_path))
    clean_env.setenv("DASHBOARD_PORT", "9000")
    settings = Settings(_env_file=None)
    assert not settings.is_local
    assert settings.data_dir == tmp_path and settings.dashboard_port == 9000
    assert settings.password() == "from-the-environment"


def test_the_password_never_shows_in_repr_or_dumps(clean_env):
    settings = Settings(_env_file=None, neo4j_password="hunter2-hunter2")
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "hunter2" not in text


def test_a_generated_local_password_is_read_from_the_data_folder(clean_env, tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert settings.password() is None
    settings.password_file.write_text("generated-secret\n")
    assert settings.password() == "generated-secret"
    remote = Settings(_env_file=None, data_dir=tmp_path, neo4j_uri="neo4j://db.example:7687")
    assert remote.password() is None


@pytest.mark.parametrize(
    "uri, problem",
    [
        ("http://127.0.0.1:7474", "unsupported scheme"),
        ("bolt://neo4j:secret@127.0.0.1:7687", "credentials"),
        ("bolt://", "no host"),
    ],
)
def test_bad_uris_are_refused_with_a_reason(clean_env, uri, problem):
    with pytest.raises(ValidationError, match=problem):
        Settings(_env_file=None, neo4j_uri=uri)


def test_every_setting_is_documented_in_the_readme_table():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table_names = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.M))
    assert table_names == set(env_names()), (
        "README settings table and Settings differ: "
        f"undocumented {set(env_names()) - table_names}, unknown {table_names - set(env_names())}"
    )
