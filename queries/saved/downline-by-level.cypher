// name: downline-by-level
// title: Downline by level
// description: Members, active members and all-time revenue per level below a distributor.
// param: id string -- the distributor at level 0
MATCH (r:Distributor {id: $id})
MATCH (d:Distributor) WHERE d.pre > r.pre AND d.pre <= r.post
RETURN d.depth - r.depth AS level, count(d) AS distributors,
       sum(CASE d.status WHEN 'active' THEN 1 ELSE 0 END) AS active,
       sum(d.retail_cents + d.personal_cents + d.starter_kit_cents) AS revenue_cents
ORDER BY level
