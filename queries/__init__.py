"""All of downline's Cypher, one module per area, each query behind a typed function.

Functions take the driver and the database name; values reach Neo4j only as $parameters.
"""
