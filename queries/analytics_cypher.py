"""Every Cypher statement of the analytics, as constants; values arrive only as $parameters.

Subtrees are pre-order intervals (`r.pre <= d.pre <= r.post`, a range-index seek) and levels are
stored depths minus the root's, so no statement walks a variable-length pattern downwards.
Statements come in pairs where it pays: `*_ALL` for the whole network, `*_SUBTREE` for one.
Period bounds are always given ($date_from/$date_to for orders, $period_from/$period_to for
commissions); with no period filter the stored per-distributor totals are read instead.
"""

from downline.schema import SUBTREE_TOTALS
from downline.totals import REVENUE_TOTALS, aggregates, revenue_cypher

ROOT = """
MATCH (r:Distributor {id: $root})
RETURN r.id AS id, r.depth AS depth, r.pre AS pre, r.post AS post
"""

_IN_SUBTREE = "d.pre >= $pre AND d.pre <= $post"

# --- levels ------------------------------------------------------------------------------

# A subtree's levels in one statement: the root's interval, then a seek on
# `distributor_subtree_totals` (by hint: the planner alone picks `distributor_pre`), which holds
# every property read here, so no distributor node is touched. The index leaves out nodes
# missing one of them; the ingest sets them all on every distributor. No row: no such root; a
# row of nulls: nobody in the subtree passes the status filter.
LEVELS_TOTALS_SUBTREE = f"""
MATCH (r:Distributor {{id: $root}})
OPTIONAL CALL (r) {{
  MATCH (d:Distributor) USING INDEX d:Distributor({", ".join(SUBTREE_TOTALS)})
  WHERE d.pre >= r.pre AND d.pre <= r.post
    AND {" AND ".join(f"d.{p} IS NOT NULL" for p in SUBTREE_TOTALS[1:])}
    AND ($active_only = false OR d.status = 'active')
  WITH d.depth - r.depth AS level,
       {revenue_cypher("d")} AS revenue,
       d.commission_cents AS commissions,
       d.recruits AS recruits
  RETURN level, count(*) AS distributors, sum(revenue) AS revenue_cents,
         sum(commissions) AS commission_cents, avg(recruits) AS avg_recruits,
         max(recruits) AS max_recruits
}}
RETURN level, distributors, revenue_cents, commission_cents, avg_recruits, max_recruits
ORDER BY level
"""

# The whole network's levels, kept by the ingest (LevelTotals).
LEVELS_STORED = """
MATCH (t:LevelTotals) WHERE t.active_only = $active_only
RETURN t.level AS level, t.distributors AS distributors, t.revenue_cents AS revenue_cents,
       t.commission_cents AS commission_cents,
       toFloat(t.recruits) / t.distributors AS avg_recruits, t.max_recruits AS max_recruits
ORDER BY level
"""

# One row per distributor with what a period and a status filter leave of its activity; the
# general path (period filters, the tree as of a date) aggregates these in pandas. The facts
# carry no label: only orders are PLACED_BY and only commissions PAID_TO (docs/graph-model.md),
# and with the label the planner may seek the date or period index once per distributor and
# join (seen on a 700-distributor test database: 30.8 s a call instead of 0.4 s).
_PER_DISTRIBUTOR = f"""
OPTIONAL MATCH (d)-[:SPONSORED_BY]->(s:Distributor)
CALL (d) {{
  OPTIONAL MATCH (d)<-[:PLACED_BY]-(o)
  WHERE o.ordered_on >= $date_from AND o.ordered_on <= $date_to
  RETURN {aggregates(REVENUE_TOTALS, "o")}
}}
CALL (d) {{
  OPTIONAL MATCH (d)<-[:PAID_TO]-(c)
  WHERE c.period >= $period_from AND c.period <= $period_to
  RETURN sum(c.amount_cents) AS commission_cents
}}
RETURN d.id AS id, s.id AS sponsor_id, d.depth AS depth, d.pre AS pre, d.post AS post,
       d.joined_on AS joined_on, d.left_on AS left_on, d.status AS status, d.rank AS rank,
       retail_cents, personal_cents, starter_kit_cents, commission_cents
"""
# Only numbered distributors: one that a run created and has not numbered yet (pre null) is in
# no subtree, and a null would turn the 64-bit intervals into inexact floats.
_NUMBERED = "MATCH (d:Distributor) WHERE d.pre IS NOT NULL"
PER_DISTRIBUTOR_ALL = _NUMBERED + _PER_DISTRIBUTOR
PER_DISTRIBUTOR_SUBTREE = f"MATCH (d:Distributor) WHERE {_IN_SUBTREE}" + _PER_DISTRIBUTOR

# The same row from the all-time totals the ingest keeps: no order or commission is read, so
# metrics without a period ask this (about 40 times faster at 1,000,000 distributors).
_PER_DISTRIBUTOR_STORED = """
OPTIONAL MATCH (d)-[:SPONSORED_BY]->(s:Distributor)
RETURN d.id AS id, s.id AS sponsor_id, d.depth AS depth, d.pre AS pre, d.post AS post,
       d.joined_on AS joined_on, d.left_on AS left_on, d.status AS status, d.rank AS rank,
       d.retail_cents AS retail_cents, d.personal_cents AS personal_cents,
       d.starter_kit_cents AS starter_kit_cents, d.commission_cents AS commission_cents
"""
PER_DISTRIBUTOR_STORED_ALL = _NUMBERED + _PER_DISTRIBUTOR_STORED
PER_DISTRIBUTOR_STORED_SUBTREE = (
    f"MATCH (d:Distributor) WHERE {_IN_SUBTREE}" + _PER_DISTRIBUTOR_STORED
)

# Sponsor changes after a date, to put the tree back as it stood then.
CHANGES_AFTER = """
MATCH (x:SponsorChange) WHERE x.changed_on > $as_of
RETURN x.distributor_id AS id, x.from_id AS from_id, x.changed_on AS changed_on
ORDER BY x.changed_on
"""

# --- money flows and compliance ----------------------------------------------------------

# The period's commissions by earner, source, type and the kind of the order that triggered
# them (its order's kind, when it names one): flows by level and the indicators' triggers.
COMMISSIONS_BY_PAIR_AND_TRIGGER = """
MATCH (c:Commission)-[:PAID_TO]->(e:Distributor)
WHERE c.period >= $period_from AND c.period <= $period_to
OPTIONAL MATCH (c)-[:SOURCED_FROM]->(s:Distributor)
OPTIONAL MATCH (c)-[:FOR_ORDER]->(o:Order)
RETURN e.id AS earner_id, s.id AS source_id, c.type AS type, o.kind AS order_kind,
       sum(c.amount_cents) AS cents, count(c) AS commissions
"""

ORDERS_BY_ACCOUNT_AND_KIND = """
MATCH (o:Order)-[:PLACED_BY]->(d:Distributor)
WHERE o.ordered_on >= $date_from AND o.ordered_on <= $date_to
RETURN d.id AS id, o.kind AS kind, sum(o.amount_cents) AS cents, count(o) AS orders
"""

# Personal purchases by day of month and month length, for end-of-period bunching.
PERSONAL_BY_DAY = """
MATCH (o:Order)-[:PLACED_BY]->(d:Distributor)
WHERE o.kind = 'personal' AND o.ordered_on >= $date_from AND o.ordered_on <= $date_to
RETURN d.id AS id, o.ordered_on.day AS day,
       date.truncate('month', o.ordered_on) + duration({months: 1}) - duration({days: 1})
         AS month_end,
       sum(o.amount_cents) AS cents
"""

# --- one distributor ---------------------------------------------------------------------

# Up to 100 sponsors above a distributor, nearest first: each has one sponsor, so the bounded
# pattern has one match per length; a deeper upline is read in further steps from the last.
UPLINE_STEP = 100
UPLINE = """
MATCH (d:Distributor {id: $id})-[:SPONSORED_BY]->{1,100}(u:Distributor)
RETURN u.id AS id, u.name AS name, u.rank AS rank, u.status AS status, u.depth AS depth
ORDER BY u.depth DESC
"""

DISTRIBUTOR = """
MATCH (d:Distributor {id: $id})
OPTIONAL MATCH (d)-[:SPONSORED_BY]->(s:Distributor)
RETURN d.id AS id, d.name AS name, d.country AS country, d.rank AS rank, d.status AS status,
       d.joined_on AS joined_on, d.left_on AS left_on, d.depth AS depth, d.root_id AS root_id,
       s.id AS sponsor_id, d.pre AS pre, d.post AS post,
       d.order_count AS order_count, d.retail_cents AS retail_cents,
       d.personal_cents AS personal_cents, d.starter_kit_cents AS starter_kit_cents,
       d.commission_count AS commission_count, d.commission_cents AS commission_cents,
       d.recruits AS frontline, d.downline_size AS downline_size,
       d.downline_levels AS downline_levels, d.downline_active AS downline_active,
       d.downline_revenue_cents AS downline_revenue_cents,
       d.downline_commission_cents AS downline_commission_cents
"""

# --- the read model ----------------------------------------------------------------------

# The newest runs, for whether the snapshot reflects the newest finished one.
LATEST_RUNS = """
MATCH (r:IngestRun)
RETURN r.id AS id, r.status AS status
ORDER BY r.started_at DESC
LIMIT $limit
"""
