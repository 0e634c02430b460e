// name: top-earners
// title: Top earners
// description: The distributors who received the most commissions, all time.
// param: limit int = 20 -- how many
MATCH (d:Distributor) WHERE d.commission_cents > 0
RETURN d.id AS id, d.name AS name, d.rank AS rank, d.commission_count AS commission_count,
       d.commission_cents AS commission_cents
ORDER BY commission_cents DESC, id
LIMIT $limit
