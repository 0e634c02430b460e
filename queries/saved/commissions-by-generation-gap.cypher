// name: commissions-by-generation-gap
// title: Commissions by generation gap
// description: How much commission money moves 1, 2, 3... levels up from its source.
MATCH (s:Distributor)<-[:SOURCED_FROM]-(c:Commission)-[:PAID_TO]->(e:Distributor)
RETURN s.depth - e.depth AS gap, count(c) AS commissions, sum(c.amount_cents) AS commission_cents
ORDER BY gap
