// name: end-of-period-purchases
// title: Personal purchases bunched before a period ends
// description: Distributors whose personal purchases fall most in the last days of each month
// description: (buying to qualify for a rank or bonus).
// param: days int = 5 -- the last days of the month counted
// param: limit int = 50 -- how many
MATCH (d:Distributor)<-[:PLACED_BY]-(o:Order {kind: 'personal'})
WITH d, o,
     date.truncate('month', o.ordered_on) + duration({months: 1}) - duration({days: 1}) AS month_end
WITH d, sum(o.amount_cents) AS total,
     sum(CASE WHEN o.ordered_on.day > month_end.day - $days THEN o.amount_cents ELSE 0 END) AS late
WHERE total > 0
RETURN d.id AS distributor_id, total AS personal_cents, late AS late_cents,
       toFloat(late) / total AS late_share
ORDER BY late_share DESC, late_cents DESC, distributor_id
LIMIT $limit
