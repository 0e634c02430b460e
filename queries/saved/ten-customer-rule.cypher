// name: ten-customer-rule
// title: Distributors with fewer than 10 retail customers in a month
// description: Per month in which a distributor placed orders, the distinct retail customers
// description: served (the ten-customer rule of the FTC's 1979 Amway decision).
// param: from date = 1900-01-01 -- first day
// param: to date = 9999-12-31 -- last day
// param: min_customers int = 10 -- the rule's number
MATCH (d:Distributor)<-[:PLACED_BY]-(o:Order)
WHERE o.ordered_on >= $from AND o.ordered_on <= $to
OPTIONAL MATCH (o)-[:FOR]->(c:Customer)
WITH d, date.truncate('month', o.ordered_on) AS month,
     count(DISTINCT CASE o.kind WHEN 'retail' THEN c END) AS customers
WHERE customers < $min_customers
RETURN d.id AS distributor_id, month, customers
ORDER BY month, distributor_id
