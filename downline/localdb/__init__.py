"""The local Neo4j server that `downline db` manages."""

from downline.localdb.server import LocalNeo4j, ServerStatus

__all__ = ["LocalNeo4j", "ServerStatus"]
