// name: large-transfers
// title: Transfers of large subtrees
// description: Sponsor changes that moved a distributor together with a large downline
// description: (sizes as the downline is now).
// param: min_size int = 10 -- the least number of distributors moved
MATCH (d:Distributor)-[:TRANSFERRED]->(x:SponsorChange)
WHERE d.downline_size + 1 >= $min_size
RETURN d.id AS id, x.from_id AS from_id, x.to_id AS to_id, x.changed_on AS changed_on,
       d.downline_size + 1 AS moved
ORDER BY moved DESC, changed_on
