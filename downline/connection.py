"""The Neo4j driver: built from settings, handed to whoever needs it, never global.

Everything downstream runs managed transactions (`execute_query`, `execute_read`,
`execute_write`) with `database_` set, so the same code works against one local server
over bolt:// and against a cluster or Aura over neo4j:// routing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
from neo4j.exceptions import AuthError, ServiceUnavailable

from downline.errors import Neo4jUnavailable
from downline.settings import Settings


def driver_for(
    settings: Settings, password: str | None = None, retry_seconds: float = 15.0
) -> neo4j.Driver:
    """A driver for the configured server; `password` overrides the settings' one.

    Managed transactions retry transient failures for up to `retry_seconds`: long enough for a
    cluster's leader switch in batch work, short enough (the dashboard passes less) that a
    person looking at a page is told soon that the server is down.
    """
    secret = password if password is not None else settings.password()
    if secret is None:
        raise Neo4jUnavailable(
            "NEO4J_PASSWORD is not set: set it, or run `downline db start` to create "
            "a local server with a generated password"
        )
    return neo4j.GraphDatabase.driver(
        settings.neo4j_uri,
        auth=(settings.neo4j_user, secret),
        user_agent="downline",
        connection_acquisition_timeout=30.0,
        # Schema hints ("property does not exist yet") are noise for users of a fresh database.
        notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
        max_transaction_retry_time=retry_seconds,
    )


def explain_failure(settings: Settings, error: Exception) -> Neo4jUnavailable:
    """A one-line, secret-free message for a connection failure."""
    if isinstance(error, AuthError):
        return Neo4jUnavailable(
            f"Neo4j at {settings.neo4j_uri} refused the credentials of user "
            f"{settings.neo4j_user!r}: check NEO4J_USER and NEO4J_PASSWORD"
        )
    hint = " (start it with `downline db start`)" if settings.is_local else ""
    return Neo4jUnavailable(f"Neo4j is not reachable at {settings.neo4j_uri}{hint}")


def verify(driver: neo4j.Driver, settings: Settings) -> dict:
    """Check connectivity and authentication; return the server's agent and address."""
    try:
        info = driver.get_server_info()
    except (AuthError, ServiceUnavailable, OSError) as error:
        raise explain_failure(settings, error) from error
    return {"agent": info.agent, "address": f"{info.address[0]}:{info.address[1]}"}


@contextmanager
def connected(settings: Settings) -> Iterator[neo4j.Driver]:
    """A verified driver, closed on exit: the CLI's way to get one."""
    driver = driver_for(settings)
    try:
        verify(driver, settings)
        yield driver
    finally:
        driver.close()
