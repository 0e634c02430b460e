"""Errors a user may see: each carries a one-line message and the CLI's exit code."""

from __future__ import annotations


class DownlineError(Exception):
    """An expected failure, reported to the user as one plain line (no traceback)."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class Neo4jUnavailable(DownlineError):
    """The configured Neo4j server cannot be reached or refused the credentials."""
