"""downline: Neo4j-backed genealogy analytics for multi-level-marketing organisations."""

__version__ = "0.1.0"
