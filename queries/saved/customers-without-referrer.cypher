// name: customers-without-referrer
// title: Customers without a referring distributor
// description: Customers no distributor brought in, with their order count.
MATCH (c:Customer) WHERE NOT (c)-[:REFERRED_BY]->(:Distributor)
RETURN c.id AS customer_id, c.joined_on AS joined_on, COUNT { (c)<-[:FOR]-(:Order) } AS orders
ORDER BY customer_id
