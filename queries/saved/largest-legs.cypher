// name: largest-legs
// title: The largest legs of a distributor
// description: Its frontline distributors with the size and revenue of their subtrees.
// param: id string -- the distributor
// param: limit int = 20 -- how many legs
MATCH (r:Distributor {id: $id})<-[:SPONSORED_BY]-(leg:Distributor)
RETURN leg.id AS leg, leg.downline_size + 1 AS distributors,
       leg.downline_revenue_cents + leg.retail_cents + leg.personal_cents
         + leg.starter_kit_cents AS revenue_cents
ORDER BY distributors DESC, leg
LIMIT $limit
