from __future__ import annotations

import pytest

from tests.support.servers import MARKER, RefusedToWipe, throwaway_settings, wipe


class _NoDriver:
    """Fails the test if the guard lets anything through to the database."""

    def execute_query(self, *args, **kwargs):
        raise AssertionError("the guard let a wipe reach the database")


def test_wipe_refuses_a_database_the_tests_did_not_create(tmp_path):
    settings = throwaway_settings(tmp_path, 7687)
    settings.data_dir.mkdir(parents=True)
    with pytest.raises(RefusedToWipe, match="did not create"):
        wipe(_NoDriver(), settings)


def test_wipe_refuses_a_remote_server_even_with_a_marker(tmp_path):
    settings = throwaway_settings(tmp_path, 7687, neo4j_uri="neo4j://db.example:7687")
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / MARKER).write_text("copied here by someone")
    with pytest.raises(RefusedToWipe):
        wipe(_NoDriver(), settings)
