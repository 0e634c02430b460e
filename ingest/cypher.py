"""Every Cypher statement of the ingest, as constants; values arrive only as $parameters.

Writes are `UNWIND $rows` batches in managed transactions. Whatever analytics derive from a
written row is marked in the same transaction (the TotalsStale / TreeStale labels) and
recomputed afterwards from the stored facts, so a run killed at any point and run again ends
in the same state as one that was never interrupted.
"""

from downline.schema import SUBTREE_TOTALS
from downline.totals import TOTAL_COLUMNS, TOTALS, aggregates, revenue_cypher

# --- look-ups before writing -------------------------------------------------------------

KEYED_LABELS = ("Distributor", "Customer", "Order", "Commission")


def existing_ids(label: str) -> str:
    """Which of $ids exist as `label` nodes. The label is one of ours, never input."""
    if label not in KEYED_LABELS:
        raise ValueError(f"not a keyed label: {label}")
    return f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN n.id AS id"


# `pending`: created by a run that was interrupted before its end (never derived), so its
# first sponsor link is not a transfer.
ALL_SPONSORS = """
MATCH (d:Distributor)
OPTIONAL MATCH (d)-[:SPONSORED_BY]->(s:Distributor)
RETURN d.id AS id, s.id AS sponsor_id, d:TreeStale AND d.depth IS NULL AS pending
"""

# The same for the named distributors only (their uplines are read a level at a time).
SPONSORS_OF = """
UNWIND $ids AS id
MATCH (d:Distributor {id: id})
OPTIONAL MATCH (d)-[:SPONSORED_BY]->(s:Distributor)
RETURN d.id AS id, s.id AS sponsor_id, d:TreeStale AND d.depth IS NULL AS pending
"""

EXISTING_ORDERS = """
UNWIND $ids AS id
MATCH (o:Order {id: id})
OPTIONAL MATCH (o)-[:PLACED_BY]->(d:Distributor)
OPTIONAL MATCH (o)-[:FOR]->(c:Customer)
RETURN o.id AS id, d.id AS distributor_id, o.ordered_on AS ordered_on,
       o.amount_cents AS amount_cents, o.volume_cents AS volume_cents, o.kind AS kind,
       c.id AS customer_id
"""

ANY_ORDER = "MATCH (o:Order) RETURN o.id AS id LIMIT 1"
ANY_COMMISSION = "MATCH (c:Commission) RETURN c.id AS id LIMIT 1"

EXISTING_COMMISSIONS = """
UNWIND $ids AS id
MATCH (c:Commission {id: id})
OPTIONAL MATCH (c)-[:PAID_TO]->(e:Distributor)
OPTIONAL MATCH (c)-[:SOURCED_FROM]->(s:Distributor)
OPTIONAL MATCH (c)-[:FOR_ORDER]->(o:Order)
RETURN c.id AS id, e.id AS earner_id, c.period AS period, c.amount_cents AS amount_cents,
       c.type AS type, s.id AS source_id, o.id AS order_id
"""

# --- writes ------------------------------------------------------------------------------

# Returns the distributors whose status turned active (+1) or stopped being (-1): their
# uplines' active counts change (ingest.derive).
MERGE_DISTRIBUTORS = """
UNWIND $rows AS row
MERGE (d:Distributor {id: row.id})
ON CREATE SET d:TreeStale:TotalsStale
WITH d, row, coalesce(d.status = 'active', false) AS was
SET d.name = row.name, d.country = row.country, d.rank = row.rank, d.status = row.status,
    d.joined_on = row.joined_on, d.left_on = row.left_on
WITH d, was WHERE was <> coalesce(d.status = 'active', false)
RETURN d.id AS id, CASE WHEN was THEN -1 ELSE 1 END AS flip
"""

# The first link of a distributor new to the database (most rows of a first load).
LINK_NEW_SPONSORS = """
UNWIND $rows AS row
MATCH (d:Distributor {id: row.id})
MATCH (s:Distributor {id: row.sponsor_id})
CREATE (d)-[:SPONSORED_BY]->(s)
"""

# Rows whose sponsor differs from the stored one. A move of an existing link is a transfer and
# is recorded with its date; the first link of a new distributor is not.
LINK_SPONSORS = """
UNWIND $rows AS row
MATCH (d:Distributor {id: row.id})
OPTIONAL MATCH (d)-[old:SPONSORED_BY]->(previous:Distributor)
DELETE old
WITH d, row, previous
CALL (d, row) {
  WITH d, row WHERE row.sponsor_id IS NOT NULL
  MATCH (s:Distributor {id: row.sponsor_id})
  CREATE (d)-[:SPONSORED_BY]->(s)
}
CALL (d, row, previous) {
  WITH d, row, previous WHERE row.record_change
  CREATE (d)-[:TRANSFERRED]->(:SponsorChange {
    distributor_id: d.id, from_id: previous.id, to_id: row.sponsor_id, changed_on: row.changed_on
  })
}
SET d:TreeStale
"""


def _relink(node: str, link: str, column: str, target: str, leg: str | None = None) -> str:
    """Point the one `link` of `node` at the distributor row.<column> (at none when it is
    null); a link that already points there, with the same row.<leg>, is left alone."""
    changed = f"coalesce({target}.id, '') <> coalesce(row.{column}, '')"
    properties = ""
    if leg is not None:
        changed += f"\n   OR coalesce(old.leg, '') <> coalesce(row.{leg}, '')"
        properties = f" {{leg: row.{leg}}}"
    return f"""OPTIONAL MATCH ({node})-[old:{link}]->({target}:Distributor)
WITH {node}, row, old, {target}
WHERE {changed}
DELETE old
WITH {node}, row
CALL ({node}, row) {{
  WITH {node}, row WHERE row.{column} IS NOT NULL
  MATCH ({target}:Distributor {{id: row.{column}}})
  CREATE ({node})-[:{link}{properties}]->({target})
}}
"""


LINK_PLACEMENTS = """
UNWIND $rows AS row
MATCH (d:Distributor {id: row.id})
""" + _relink("d", "PLACED_UNDER", "placement_id", "p", leg="placement_leg")

MERGE_CUSTOMERS = """
UNWIND $rows AS row
MERGE (c:Customer {id: row.id})
SET c.joined_on = row.joined_on
WITH c, row
""" + _relink("c", "REFERRED_BY", "referred_by", "d")

# Rows whose references are missing produce no match and are not created. The statements
# return only a count (returning a record per row costs a third of the speed); when it falls
# short, the loader looks up which rows are missing and rejects them with the reason.
CREATE_ORDERS = """
UNWIND $rows AS row
MATCH (d:Distributor {id: row.distributor_id})
OPTIONAL MATCH (c:Customer {id: row.customer_id})
WITH row, d, c WHERE row.customer_id IS NULL OR c IS NOT NULL
CREATE (o:Order {id: row.id, ordered_on: row.ordered_on, amount_cents: row.amount_cents,
                 volume_cents: row.volume_cents, kind: row.kind})-[:PLACED_BY]->(d)
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | CREATE (o)-[:FOR]->(c))
RETURN count(*) AS created
"""

CREATE_COMMISSIONS = """
UNWIND $rows AS row
MATCH (e:Distributor {id: row.earner_id})
OPTIONAL MATCH (s:Distributor {id: row.source_id})
OPTIONAL MATCH (o:Order {id: row.order_id})
WITH row, e, s, o
WHERE (row.source_id IS NULL OR s IS NOT NULL) AND (row.order_id IS NULL OR o IS NOT NULL)
CREATE (c:Commission {id: row.id, period: row.period, amount_cents: row.amount_cents,
                      type: row.type})-[:PAID_TO]->(e)
FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | CREATE (c)-[:SOURCED_FROM]->(s))
FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | CREATE (c)-[:FOR_ORDER]->(o))
RETURN count(*) AS created
"""

# In the same transaction as the rows above: their owners' totals are due for a refresh.
MARK_TOTALS_STALE = """
UNWIND $ids AS id
MATCH (d:Distributor {id: id})
SET d:TotalsStale
"""

# --- derived values ----------------------------------------------------------------------

# What the totals of downline.totals.TOTALS are taken over: per fact, the variable their
# aggregates read and the pattern that binds it to the distributor d.
_FACTS = {
    "Order": ("o", "(d)<-[:PLACED_BY]-(o:Order)"),
    "Commission": ("c", "(d)<-[:PAID_TO]-(c:Commission)"),
}


def _refresh_totals() -> str:
    """A batch of stale distributors' totals recomputed from their orders and commissions;
    returns how the revenue and commissions of those already numbered changed (their uplines'
    sums follow)."""
    calls = []
    for fact, (variable, pattern) in _FACTS.items():
        sums = aggregates((t for t in TOTALS if t.fact == fact), variable)
        calls.append(f"CALL (d) {{\n  OPTIONAL MATCH {pattern}\n  RETURN {sums}\n}}\n")
    assignments = ",\n    ".join(f"d.{column} = {column}" for column in TOTAL_COLUMNS)
    return f"""
MATCH (d:TotalsStale)
WITH d LIMIT $batch
WITH d, coalesce({revenue_cypher("d")}, 0) AS was_revenue,
     coalesce(d.commission_cents, 0) AS was_earned
{"".join(calls)}SET {assignments}
REMOVE d:TotalsStale
WITH d, {revenue_cypher("d")} - was_revenue AS revenue, d.commission_cents - was_earned AS earned
RETURN count(d) AS refreshed,
       collect(CASE WHEN d.pre IS NOT NULL AND (revenue <> 0 OR earned <> 0)
                    THEN [d.id, revenue, earned] END) AS changed
"""


REFRESH_TOTALS = _refresh_totals()

# Whether the derived values can be brought up to date from what a run changed: not when a
# run stopped before settling them (`due`), or they were numbered another way (`scheme`).
# Read and marked due before a run writes anything.
BEGIN_DERIVED = """
MERGE (s:DerivedState {name: 'derived'})
WITH s, s.due AS due, s.scheme AS scheme
SET s.due = true
RETURN due, scheme
"""

SETTLE_DERIVED = """
MERGE (s:DerivedState {name: 'derived'})
SET s.due = false, s.scheme = $scheme
"""

TREE_STALE = "MATCH (d:TreeStale) RETURN d.id AS id, d.pre IS NOT NULL AS placed"

DISTRIBUTOR_COUNT = "RETURN COUNT { (:Distributor) } AS n"


def _stored(d: str, s: str) -> str:
    """A distributor's stored derived values and own figures (ingest.incremental.Node), `s`
    its sponsor."""
    return f"""{d}.id AS id, {s}.id AS sponsor_id, {d}.depth AS depth, {d}.pre AS pre,
       {d}.post AS post, {d}.root_id AS root_id, coalesce({d}.recruits, 0) AS recruits,
       coalesce({d}.downline_levels, 0) AS levels,
       [coalesce({d}.downline_size, 0), coalesce({d}.downline_active, 0),
        coalesce({d}.downline_revenue_cents, 0), coalesce({d}.downline_commission_cents, 0)]
       AS sums,
       [1, CASE WHEN {d}.status = 'active' THEN 1 ELSE 0 END,
        coalesce({revenue_cypher(d)}, 0), coalesce({d}.commission_cents, 0)] AS own"""


STORED = f"""
UNWIND $ids AS id
MATCH (d:Distributor {{id: id}})
OPTIONAL MATCH (d)-[:SPONSORED_BY]->(s:Distributor)
RETURN {_stored("d", "s")}
"""

SUBTREES = f"""
UNWIND $ids AS id
MATCH (:Distributor {{id: id}})<-[:SPONSORED_BY*0..]-(d:Distributor)
WITH DISTINCT d
OPTIONAL MATCH (d)-[:SPONSORED_BY]->(s:Distributor)
RETURN {_stored("d", "s")}
"""

# Only what a sponsor's children are read for: their intervals and levels below.
CHILDREN = """
UNWIND $ids AS id
MATCH (s:Distributor {id: id})<-[:SPONSORED_BY]-(d:Distributor)
RETURN d.id AS id, s.id AS sponsor_id, d.pre AS pre, d.post AS post,
       coalesce(d.downline_levels, 0) AS levels
"""

# The largest number in use: the post of the last root in pre order (an index-ordered read).
NUMBERS_END = """
MATCH (d:Distributor) WHERE d.pre >= 0
WITH d ORDER BY d.pre DESC LIMIT 1
MATCH (r:Distributor {id: d.root_id})
RETURN r.post AS end
"""

# Everything a full numbering needs, and what is stored.
ALL_DERIVED_INPUTS = f"""
MATCH (d:Distributor)
OPTIONAL MATCH (d)-[:SPONSORED_BY]->(s:Distributor)
RETURN {_stored("d", "s")}
"""

SET_DERIVED = """
UNWIND $rows AS row
MATCH (d:Distributor {id: row.id})
SET d.depth = row.depth, d.pre = row.pre, d.post = row.post, d.root_id = row.root_id,
    d.recruits = row.recruits, d.downline_levels = row.downline_levels,
    d.downline_size = row.downline_size, d.downline_active = row.downline_active,
    d.downline_revenue_cents = row.downline_revenue_cents,
    d.downline_commission_cents = row.downline_commission_cents
"""

# Most nodes a run rewrites are uplines whose numbers stay: their indexed `pre` and `depth`
# are left alone.
SET_SUMS = """
UNWIND $rows AS row
MATCH (d:Distributor {id: row.id})
SET d.recruits = row.recruits, d.downline_levels = row.downline_levels,
    d.downline_size = row.downline_size, d.downline_active = row.downline_active,
    d.downline_revenue_cents = row.downline_revenue_cents,
    d.downline_commission_cents = row.downline_commission_cents
"""

CLEAR_TREE_STALE = """
MATCH (d:TreeStale)
WITH d LIMIT $batch
REMOVE d:TreeStale
RETURN count(d) AS cleared
"""

# Per-level sums over the whole network, all distributors and active ones, so that the
# network's levels are read from a few nodes instead of a million. Read from
# `distributor_subtree_totals` (by hint), which holds every property summed, so no node is
# touched (a tenth of the time); every distributor has them all once derived.
REFRESH_LEVEL_TOTALS = f"""
MATCH (old:LevelTotals) DELETE old
WITH count(*) AS _
MATCH (d:Distributor) USING INDEX d:Distributor({", ".join(SUBTREE_TOTALS)})
WHERE d.pre >= 0 AND {" AND ".join(f"d.{p} IS NOT NULL" for p in SUBTREE_TOTALS[1:])}
WITH d.depth AS level, d.status = 'active' AS active,
     {revenue_cypher("d")} AS revenue,
     d.commission_cents AS commissions, d.recruits AS recruits
WITH level, active, count(*) AS n, sum(revenue) AS revenue, sum(commissions) AS commissions,
     sum(recruits) AS recruits, max(recruits) AS most
WITH level, collect({{active: active, n: n, revenue: revenue, commissions: commissions,
                     recruits: recruits, most: most}}) AS parts
UNWIND [false, true] AS active_only
WITH level, active_only, [p IN parts WHERE p.active OR NOT active_only] AS kept
WHERE size(kept) > 0
CREATE (:LevelTotals {{
  level: level, active_only: active_only,
  distributors: reduce(t = 0, p IN kept | t + p.n),
  revenue_cents: reduce(t = 0, p IN kept | t + p.revenue),
  commission_cents: reduce(t = 0, p IN kept | t + p.commissions),
  recruits: reduce(t = 0, p IN kept | t + p.recruits),
  max_recruits: reduce(t = 0, p IN kept | CASE WHEN p.most > t THEN p.most ELSE t END)
}})
RETURN count(*) AS levels
"""

# --- runs and the lock -------------------------------------------------------------------

# SET before reading takes the node's write lock, so two workers cannot both see it free.
TAKE_LOCK_FOR_READ = """
MERGE (l:IngestLock {name: $name})
SET l.touched = coalesce(l.touched, 0) + 1
RETURN l.holder AS holder, l.host AS host, l.pid AS pid, l.run_id AS run_id,
       l.heartbeat < datetime() - duration({seconds: $ttl}) AS expired
"""

SET_LOCK_HOLDER = """
MATCH (l:IngestLock {name: $name})
SET l.holder = $holder, l.host = $host, l.pid = $pid, l.run_id = $run_id,
    l.heartbeat = datetime()
"""

HEARTBEAT = """
MATCH (l:IngestLock {name: $name}) WHERE l.holder = $holder
SET l.heartbeat = datetime()
RETURN count(l) AS held
"""

RELEASE_LOCK = """
MATCH (l:IngestLock {name: $name}) WHERE l.holder = $holder
REMOVE l.holder, l.host, l.pid, l.run_id, l.heartbeat
"""

MARK_RUN_INTERRUPTED = """
MATCH (r:IngestRun {id: $run_id}) WHERE r.status = 'running'
SET r.status = 'interrupted', r.error = $reason
"""

START_RUN = """
CREATE (r:IngestRun {id: $run_id, started_at: datetime($started_at), status: 'running', host: $host,
                     pid: $pid, as_of: $as_of, files: $files, checksums: $checksums})
"""

FINISH_RUN = """
MATCH (r:IngestRun {id: $run_id})
SET r.finished_at = datetime(), r.status = $status, r.error = $error,
    r.rows_read = $read, r.rows_loaded = $loaded, r.rows_rejected = $rejected,
    r.report = $report
"""

RUN_HISTORY = """
MATCH (r:IngestRun)
RETURN r.id AS id, r.started_at AS started_at, r.finished_at AS finished_at,
       r.status AS status, r.files AS files, r.rows_read AS read, r.rows_loaded AS loaded,
       r.rows_rejected AS rejected, r.error AS error
ORDER BY r.started_at DESC
LIMIT $limit
"""

LOADED_CHECKSUM = """
MATCH (r:IngestRun)
WHERE r.status IN ['succeeded', 'finished_with_rejects'] AND $checksum IN r.checksums
RETURN r.id AS run_id
LIMIT 1
"""

# --- bulk loads --------------------------------------------------------------------------

# Anything but run bookkeeping: a bulk load replaces the database, so it must hold no data.
ANY_DATA = """
MATCH (n) WHERE NOT n:IngestRun AND NOT n:IngestLock AND NOT n:DerivedState
RETURN labels(n) AS labels LIMIT 1
"""

# The run history survives the replacement: read before, written back after.
ALL_RUNS = "MATCH (r:IngestRun) RETURN properties(r) AS props"
RESTORE_RUNS = "UNWIND $runs AS props CREATE (r:IngestRun) SET r = props"

# --- the analytics snapshot, read back whole (`downline snapshot rebuild`) ----------------

# Days since 1970-01-01, so that dates cross the driver as integers.
_DAYS = "duration.inDays(date('1970-01-01'), {}).days"

SNAPSHOT_DISTRIBUTORS = f"""
MATCH (d:Distributor)
OPTIONAL MATCH (d)-[:SPONSORED_BY]->(s:Distributor)
OPTIONAL MATCH (d)-[p:PLACED_UNDER]->(u:Distributor)
RETURN d.id AS id, s.id AS sponsor_id, true AS placed, u.id AS placement_id,
       p.leg AS placement_leg, d.status AS status, d.rank AS rank,
       {_DAYS.format("d.joined_on")} AS joined_on, {_DAYS.format("d.left_on")} AS left_on
"""

SNAPSHOT_ORDERS = f"""
MATCH (o:Order)-[:PLACED_BY]->(d:Distributor)
RETURN d.id AS distributor_id, {_DAYS.format("o.ordered_on")} AS ordered_on, o.kind AS kind,
       o.amount_cents AS amount_cents, o.volume_cents AS volume_cents
"""

SNAPSHOT_COMMISSIONS = """
MATCH (c:Commission)-[:PAID_TO]->(e:Distributor)
OPTIONAL MATCH (c)-[:SOURCED_FROM]->(s:Distributor)
OPTIONAL MATCH (c)-[:FOR_ORDER]->(o:Order)
RETURN e.id AS earner_id, s.id AS source_id, c.period AS period, c.type AS type,
       o.kind AS order_kind, c.amount_cents AS amount_cents
"""

SNAPSHOT_CHANGES = f"""
MATCH (x:SponsorChange)
RETURN x.distributor_id AS distributor_id, x.from_id AS from_id, x.to_id AS to_id,
       {_DAYS.format("x.changed_on")} AS changed_on
"""

# The newest finished run: what a snapshot read back now reflects.
NEWEST_FINISHED_RUN = """
MATCH (r:IngestRun) WHERE r.status <> 'running'
RETURN r.id AS id ORDER BY r.started_at DESC LIMIT 1
"""

# Counts and cent sums the snapshot must agree with after a run (the count store and the
# per-level totals the ingest keeps: no fact is read).
RECONCILE = """
RETURN COUNT { (:Distributor) } AS distributors, COUNT { (:Order) } AS orders,
       COUNT { (:Commission) } AS commissions, COUNT { (:SponsorChange) } AS changes,
       COLLECT { MATCH (t:LevelTotals) WHERE NOT t.active_only
                 RETURN [t.level, t.distributors, t.revenue_cents, t.commission_cents] } AS levels
"""

# The kinds of orders a run's commissions name that the run itself did not load.
KINDS_OF_ORDERS = """
UNWIND $ids AS id
MATCH (o:Order {id: id})
RETURN o.id AS id, o.kind AS kind
"""
