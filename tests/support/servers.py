"""Throwaway local Neo4j servers for tests, and the guard that keeps tests off real data.

Like neomodel's fixture, the wipe refuses to touch a database that the tests did not create:
only a server whose home holds our marker file, written when the tests created it, is wiped.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import neo4j
from pydantic import SecretStr

from downline import snapshot
from downline.schema import delete_all
from downline.settings import Settings

REPO = Path(__file__).resolve().parents[2]
MARKER = ".created-by-downline-tests"
TEST_PASSWORD = 'pa ss"wo\\rd-for-tests'  # quotes, a space and a backslash on purpose


class RefusedToWipe(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def throwaway_settings(home: Path, port: int, **overrides) -> Settings:
    """Settings of a small throwaway server; the jar cache is the repository's shared one."""
    values = dict(
        neo4j_uri=f"bolt://127.0.0.1:{port}",
        neo4j_password=TEST_PASSWORD,
        data_dir=home / "data",
        log_dir=home / "logs",
        snapshot_dir=home / "snapshot",
        neo4j_lib=REPO / ".downline" / "neo4j-lib",
        heap_size="1g",
        pagecache_size="256m",
        start_timeout=180.0,
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)


def clean_environ(**extra: str) -> dict[str, str]:
    """This process's environment without any downline setting, plus `extra`."""
    prefixes = ("NEO4J_", "DOWNLINE_", "DASHBOARD_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {**env, **extra}


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes the CLI see exactly these settings."""
    env = clean_environ()
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[field.json_schema_extra["env"]] = str(value)
    return env


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 300, cwd: Path = REPO
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "downline", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def ingest_reported(
    inputs: Path, out: Path, *extra: str, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess, dict]:
    """`downline ingest` with rejects and report in `out`: its result and its run report."""
    result = run_cli(
        "ingest",
        str(inputs),
        "--rejects",
        str(out / "rejects"),
        "--report",
        str(out / "report.json"),
        *extra,
        env=env,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result, json.loads((out / "report.json").read_text())


def mark_created(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / MARKER).write_text("created by the downline test suite\n")


def wipe(driver: neo4j.Driver, settings: Settings) -> None:
    """Delete everything, but only in a server the test suite created itself."""
    if not settings.is_local or not (settings.data_dir / MARKER).is_file():
        raise RefusedToWipe(
            f"refusing to wipe {settings.neo4j_uri} (data in {settings.data_dir}): "
            "the test suite did not create that database"
        )
    delete_all(driver, settings.neo4j_database)
    snapshot.remove(settings.snapshot_dir)  # as `downline db reset` does


def load_generated(driver, settings: Settings, folder: Path, size: int, months: int, **how) -> Path:
    """A generated network (`ingest.generate.generate` with `how`: seed, profile) written to
    `folder` and loaded by `downline ingest` into the emptied test database."""
    from ingest.generate import generate

    generate(folder, size, months, **how)
    wipe(driver, settings)
    result = run_cli("ingest", str(folder), env=settings_env(settings))
    assert result.returncode == 0, result.stdout + result.stderr
    return folder
