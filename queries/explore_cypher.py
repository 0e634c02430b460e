"""Cypher for exploring the network in the dashboard: search, the downline's shape around one
distributor. Values only as $parameters; every
statement reads values the ingest keeps, so none walks an unbounded path."""

from downline.totals import revenue_cypher

# The newest finished ingest run: part of every dashboard cache key, so that a finished run
# makes cached answers stale.
DATA_VERSION = """
MATCH (r:IngestRun) WHERE r.finished_at IS NOT NULL
RETURN toString(max(r.finished_at)) AS finished_at, count(r) AS runs
"""

# An exact id first, then words and prefixes of ids and names from the full-text index.
SEARCH_EXACT = """
MATCH (d:Distributor {id: $text})
RETURN d.id AS id, d.name AS name, coalesce(d.downline_size, 0) AS downline_size
"""

SEARCH_TEXT = """
CALL db.index.fulltext.queryNodes('distributor_search', $lucene, {limit: $limit})
YIELD node
RETURN node.id AS id, node.name AS name, coalesce(node.downline_size, 0) AS downline_size
"""

# A distributor's totals are written together, so when one is missing they all are.
_SHAPE = f"""{{.id, .name, .status, .depth,
    members: coalesce(c.downline_size, 0) + 1,
    revenue_cents: coalesce({revenue_cypher("c")}, 0),
    downline_revenue_cents: coalesce(c.downline_revenue_cents, 0),
    earned_cents: coalesce(c.commission_cents, 0)}}"""

# Children of each parent, the largest downlines first: the first $keep as they are, the rest
# summed into one group (members and revenue, own plus downline).
CHILDREN_KEPT = f"""
UNWIND $ids AS pid
MATCH (c:Distributor)-[:SPONSORED_BY]->(:Distributor {{id: pid}})
WITH pid, c ORDER BY c.downline_size DESC, c.id
WITH pid, collect(c {_SHAPE}) AS kids
RETURN pid AS parent, kids[..$keep] AS kept, size(kids) - $keep AS others,
       reduce(s = 0, k IN kids[$keep..] | s + k.members) AS others_members,
       reduce(s = 0, k IN kids[$keep..] | s + k.revenue_cents + k.downline_revenue_cents)
         AS others_revenue_cents
"""

NODE = f"""
MATCH (c:Distributor {{id: $id}})
OPTIONAL MATCH (c)-[:SPONSORED_BY]->(s:Distributor)
RETURN c {_SHAPE} AS node, s.id AS sponsor_id
"""

# One hop out from a frontier in the sponsor tree (up and down), the largest downlines first,
# at most $room distributors not seen before.
NEIGHBOURS = f"""
UNWIND $ids AS fid
MATCH (:Distributor {{id: fid}})-[:SPONSORED_BY]-(c:Distributor)
WHERE NOT c.id IN $seen
WITH DISTINCT c ORDER BY c.downline_size DESC, c.id LIMIT $room
OPTIONAL MATCH (c)-[:SPONSORED_BY]->(s:Distributor)
RETURN c {_SHAPE} AS node, s.id AS sponsor_id
"""

# The first root in pre-order (an index-ordered read): where the downline page starts.
FIRST_ROOT = """
MATCH (d:Distributor) WHERE d.pre >= 0
RETURN d.id AS id ORDER BY d.pre LIMIT 1
"""
