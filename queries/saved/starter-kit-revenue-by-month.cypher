// name: starter-kit-revenue-by-month
// title: Starter-kit revenue by month
// description: Enrolment packs sold per month, and their revenue.
MATCH (o:Order {kind: 'starter_kit'})
WITH date.truncate('month', o.ordered_on) AS month, o
RETURN month, count(o) AS kits, sum(o.amount_cents) AS revenue_cents
ORDER BY month
