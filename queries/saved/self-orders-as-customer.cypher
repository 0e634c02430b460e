// name: self-orders-as-customer
// title: Orders a distributor may have placed for themself under a customer's name
// description: Retail orders to a customer the same distributor referred, created on the day of
// description: the order, who never ordered again: a signal to look at, not proof.
// param: limit int = 100 -- how many
MATCH (d:Distributor)<-[:PLACED_BY]-(o:Order {kind: 'retail'})-[:FOR]->(c:Customer)
MATCH (c)-[:REFERRED_BY]->(d)
WHERE c.joined_on = o.ordered_on AND COUNT { (c)<-[:FOR]-(:Order) } = 1
RETURN d.id AS distributor_id, c.id AS customer_id, o.id AS order_id,
       o.ordered_on AS ordered_on, o.amount_cents AS amount_cents
ORDER BY ordered_on, order_id
LIMIT $limit
