// name: labels
// title: What the graph holds
// description: Every node label and how many nodes carry it.
CALL db.labels() YIELD label
RETURN label, COUNT { MATCH (n) WHERE label IN labels(n) } AS nodes
ORDER BY label
