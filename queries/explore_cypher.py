"""Cypher for exploring the network in the dashboard: search, the downline's shape around one
distributor, growth over time, whole-network totals. Values only as $parameters; every
statement reads values the ingest keeps, so none walks an unbounded path."""

from downline.totals import revenue_cypher

# The newest finished ingest run: part of every dashboard cache key, so that a finished run
# makes cached answers stale.
DATA_VERSION = """
MATCH (r:IngestRun) WHERE r.finished_at IS NOT NULL
RETURN toString(max(r.finished_at)) AS finished_at, count(r) AS runs
"""

# One pass over the stored per-distributor totals.
NETWORK_TOTALS = """
MATCH (d:Distributor)
RETURN count(d) AS distributors,
       count(CASE WHEN d.status = 'active' THEN 1 END) AS active,
       coalesce(max(d.depth), 0) AS depth,
       coalesce(sum(d.retail_cents), 0) AS retail_cents,
       coalesce(sum(d.personal_cents), 0) AS personal_cents,
       coalesce(sum(d.starter_kit_cents), 0) AS starter_kit_cents,
       coalesce(sum(d.commission_cents), 0) AS commission_cents,
       count(CASE WHEN coalesce(d.commission_cents, 0) = 0 THEN 1 END) AS zero_earners
"""

JOINED_BY_MONTH = """
MATCH (d:Distributor) WHERE d.joined_on IS NOT NULL
RETURN date.truncate('month', d.joined_on) AS month, count(*) AS joined
"""

LEFT_BY_MONTH = """
MATCH (d:Distributor) WHERE d.left_on IS NOT NULL
RETURN date.truncate('month', d.left_on) AS month, count(*) AS left
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
