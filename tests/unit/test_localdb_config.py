from __future__ import annotations

import pytest

from downline.errors import DownlineError
from downline.localdb import LocalNeo4j
from downline.localdb.server import ADD_OPENS, ENTRY_POINT, argfile_quote
from downline.settings import Settings


def _server(tmp_path, **overrides) -> LocalNeo4j:
    values = dict(
        data_dir=tmp_path / "data", log_dir=tmp_path / "logs", neo4j_password="a-long-secret"
    )
    settings = Settings(_env_file=None, **{**values, **overrides})
    return LocalNeo4j(settings, log=lambda message: None)


def test_conf_binds_bolt_to_the_uri_with_auth_and_memory(tmp_path):
    server = _server(
        tmp_path, neo4j_uri="bolt://127.0.0.1:7700", pagecache_size="3g", neo4j_database="mlm"
    )
    conf = dict(line.split("=", 1) for line in server.render_conf().splitlines())
    assert conf["server.bolt.listen_address"] == "127.0.0.1:7700"
    assert conf["dbms.security.auth_enabled"] == "true"
    assert conf["server.memory.pagecache.size"] == "3g"
    assert conf["initial.dbms.default_database"] == "mlm"
    assert conf["server.directories.data"] == str((tmp_path / "data" / "data").resolve())
    assert conf["server.http.enabled"] == "false"
    assert "a-long-secret" not in server.render_conf()


def test_the_jvm_gets_heap_and_every_add_opens(tmp_path):
    server = _server(tmp_path, heap_size="2g")
    command = server.java_command(tmp_path / "lib", ENTRY_POINT, "--home-dir=x")
    assert "-Xmx2g" in command and "-Xms2g" in command
    for module in ADD_OPENS:
        assert f"--add-opens={module}=ALL-UNNAMED" in command
    assert command[-2:] == [ENTRY_POINT, "--home-dir=x"]
    assert not any("a-long-secret" in part for part in command)


def test_a_remote_uri_is_not_managed_locally(tmp_path):
    with pytest.raises(DownlineError, match="managed elsewhere"):
        _server(tmp_path, neo4j_uri="neo4j+s://abc.databases.neo4j.io")


def test_status_is_stopped_without_a_live_process(tmp_path):
    server = _server(tmp_path)
    assert not server.status().running
    server.pid_file.parent.mkdir(parents=True)
    server.pid_file.write_text("999999999\n")  # no such process
    assert server.status().describe().startswith("stopped")


def test_a_short_password_is_refused_before_anything_starts(tmp_path):
    server = _server(tmp_path, neo4j_password="short")
    with pytest.raises(DownlineError, match="at least 8"):
        server.password()


@pytest.mark.parametrize(
    "raw, quoted",
    [("plain", '"plain"'), ('a"b', '"a\\"b"'), ("c\\d e", '"c\\\\d e"')],
)
def test_argfile_quoting_escapes_quotes_and_backslashes(raw, quoted):
    assert argfile_quote(raw) == quoted
