"""The overview page in a real headless Chromium against the real Neo4j."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from dashboard.context import EXTENSION_KEY
from queries.overview import graph_counts
from tests.support.servers import free_port

pytestmark = pytest.mark.browser

SEED = """
UNWIND range(1, $n) AS i
CREATE (d:Distributor {id: 'D' + i})
WITH d, i WHERE i % 3 = 0
CREATE (:Order {id: 'O' + i})-[:PLACED_BY]->(d)
"""


def test_overview_shows_the_graph_counts(dash_duo, clean_db, server_settings):
    clean_db.execute_query(SEED, n=1234, database_=server_settings.neo4j_database)
    expected = graph_counts(clean_db, server_settings.neo4j_database)
    assert (expected.distributors, expected.orders) == (1234, 411)

    dash_duo.start_server(create_app(server_settings, clean_db))
    dash_duo.wait_for_text_to_equal("#overview-distributors", "1,234", timeout=10)
    assert dash_duo.find_element("#overview-orders").text == "411"
    assert dash_duo.find_element("#overview-commissions").text == "0"
    assert dash_duo.get_logs() == []


def test_overview_says_plainly_when_neo4j_is_down(dash_duo, server_settings):
    down = server_settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}"})
    app = create_app(down)
    dash_duo.start_server(app)
    dash_duo.wait_for_contains_text("#overview-error", "not reachable", timeout=15)
    text = dash_duo.find_element("body").text
    assert "Traceback" not in text and down.neo4j_password.get_secret_value() not in text
    assert dash_duo.get_logs() == []
    app.server.extensions[EXTENSION_KEY].driver.close()
