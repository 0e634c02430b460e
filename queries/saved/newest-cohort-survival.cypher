// name: newest-cohort-survival
// title: Survival of the newest cohorts
// description: For the most recent join months, recruits and how many have not left.
// param: months int = 3 -- how many months back
MATCH (d:Distributor)
WITH max(d.joined_on) AS last
WITH date.truncate('month', last) - duration({months: $months - 1}) AS first
MATCH (d:Distributor) WHERE d.joined_on >= first
WITH date.truncate('month', d.joined_on) AS cohort, d
RETURN cohort, count(d) AS recruits, count(CASE WHEN d.left_on IS NULL THEN 1 END) AS still_in
ORDER BY cohort
