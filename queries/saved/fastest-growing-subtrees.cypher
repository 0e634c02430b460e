// name: fastest-growing-subtrees
// title: The fastest-growing subtrees
// description: Distributors with the most recruits joining within three levels below them in
// description: a period.
// param: from date -- first day of the period
// param: to date = 9999-12-31 -- last day
// param: limit int = 20 -- how many
MATCH (d:Distributor)<-[:SPONSORED_BY]-{1,3}(x:Distributor)
WHERE x.joined_on >= $from AND x.joined_on <= $to
RETURN d.id AS id, d.depth AS depth, count(x) AS new_recruits
ORDER BY new_recruits DESC, id
LIMIT $limit
