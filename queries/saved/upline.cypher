// name: upline
// title: A distributor's upline
// description: The sponsors above a distributor, nearest first, up to 100 levels.
// param: id string -- the distributor
MATCH (d:Distributor {id: $id})-[:SPONSORED_BY]->{1,100}(u:Distributor)
RETURN u.id AS id, u.name AS name, u.rank AS rank, u.status AS status, u.depth AS depth
ORDER BY depth DESC
