"""Reading the graph: the analytics, the explorer's views and the saved-query runner.

Their Cypher lives here, one module per area, each statement behind a typed function (the
ingest's writes are in `ingest/cypher.py`, the schema in `downline/schema.py`). Functions take
the driver and the database name; values reach Neo4j only as $parameters.
"""
