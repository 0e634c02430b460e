// name: recruitment-earners
// title: Recruiters who earn mostly from recruitment
// description: Earners whose commissions are mostly of type recruitment or paid on starter
// description: kits (the Koscot test's pay for recruiting).
// param: min_share float = 0.5 -- the least recruitment share listed
// param: limit int = 50 -- how many
MATCH (e:Distributor)<-[:PAID_TO]-(c:Commission)
OPTIONAL MATCH (c)-[:FOR_ORDER]->(o:Order)
WITH e, sum(c.amount_cents) AS total,
     sum(CASE WHEN c.type = 'recruitment' OR o.kind = 'starter_kit'
              THEN c.amount_cents ELSE 0 END) AS recruiting
WHERE total > 0 AND toFloat(recruiting) / total >= $min_share
RETURN e.id AS id, e.rank AS rank, total AS commission_cents, recruiting AS recruitment_cents,
       toFloat(recruiting) / total AS recruitment_share
ORDER BY recruitment_cents DESC, id
LIMIT $limit
