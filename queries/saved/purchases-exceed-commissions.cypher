// name: purchases-exceed-commissions
// title: Participants whose purchases exceed their commissions
// description: Own personal purchases plus starter kits above commissions received, all time,
// description: largest shortfall first.
// param: limit int = 100 -- how many
MATCH (d:Distributor)
WHERE d.personal_cents + d.starter_kit_cents > d.commission_cents
RETURN d.id AS id, d.status AS status, d.personal_cents + d.starter_kit_cents AS purchases_cents,
       d.commission_cents AS commission_cents,
       d.personal_cents + d.starter_kit_cents - d.commission_cents AS shortfall_cents
ORDER BY shortfall_cents DESC, id
LIMIT $limit
