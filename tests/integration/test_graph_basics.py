"""The schema, a write read back, and the driver settings that make the code cluster-ready."""

from __future__ import annotations

import neo4j
import pytest
from neo4j.exceptions import ConstraintError

from downline.connection import driver_for
from downline.schema import existing_schema_names, init_schema, schema_names
from queries.overview import graph_counts

CREATE_DISTRIBUTOR = "CREATE (:Distributor {id: $id, name: $name})"
READ_DISTRIBUTOR = "MATCH (d:Distributor {id: $id}) RETURN d.name AS name"


def test_schema_is_created_once_and_again_without_change(driver, server_settings):
    database = server_settings.neo4j_database
    first = init_schema(driver, database)
    second = init_schema(driver, database)
    assert schema_names() <= first
    assert first == second == existing_schema_names(driver, database)


def test_uniqueness_rejects_a_second_distributor_with_the_same_id(clean_db, server_settings):
    database = server_settings.neo4j_database
    clean_db.execute_query(CREATE_DISTRIBUTOR, id="D1", name="Ada", database_=database)
    with pytest.raises(ConstraintError):
        clean_db.execute_query(CREATE_DISTRIBUTOR, id="D1", name="Bob", database_=database)
    assert graph_counts(clean_db, database).distributors == 1


def test_a_write_reads_back_through_managed_transactions(clean_db, server_settings):
    database = server_settings.neo4j_database
    with clean_db.session(database=database) as session:
        session.execute_write(lambda tx: tx.run(CREATE_DISTRIBUTOR, id="D7", name="Zoë").consume())
        name = session.execute_read(lambda tx: tx.run(READ_DISTRIBUTOR, id="D7").single()["name"])
    assert name == "Zoë"


def test_the_same_code_runs_over_a_neo4j_routing_uri(clean_db, server_settings):
    database = server_settings.neo4j_database
    clean_db.execute_query(CREATE_DISTRIBUTOR, id="R1", name="routed", database_=database)
    routed = server_settings.model_copy(
        update={"neo4j_uri": server_settings.neo4j_uri.replace("bolt://", "neo4j://")}
    )
    with driver_for(routed) as routing_driver:
        records, _, _ = routing_driver.execute_query(
            READ_DISTRIBUTOR, id="R1", database_=database, routing_=neo4j.RoutingControl.READ
        )
    assert [r["name"] for r in records] == ["routed"]
