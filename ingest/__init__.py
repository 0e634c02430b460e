"""CSV exports of distributors, customers, orders and commissions into Neo4j."""
