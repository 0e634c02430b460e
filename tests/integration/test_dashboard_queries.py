"""The Saved queries page in a real headless Chromium against the real Neo4j: a run shows what
`downline query run` prints, exports it, and leaves one audit record (under the dashboard's
login when it has one); a query that writes is refused with the graph left as it was."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from dashboard.app import create_app
from queries.library import load_library
from queries.readonly import QueryRefused, check_text
from tests.support.browser import choose, cli_json, downloaded_csv, grid_rows
from tests.support.expected import read
from tests.support.graph import snapshot
from tests.support.servers import settings_env

pytestmark = pytest.mark.browser

WRITER = """\
// name: plant-intruder
// title: Plant an intruder
// description: Tries to add a node: must be refused.
// param: id string = x -- the intruder's id
CREATE (n:Intruder {id: $id}) RETURN n.id AS id
"""


def _audited(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _as_shown(records: list[dict]) -> list[dict]:
    """The CLI's JSON rows as a grid shows them: text, and nothing for null."""
    return [{k: "" if v is None else str(v) for k, v in r.items()} for r in records]


def _pick(dash_duo, title: str) -> None:
    choose(dash_duo, "queries-pick", title[:6], title)
    dash_duo.wait_for_element("#queries-run")


def _run(dash_duo, status: str, **given: str) -> None:
    """Fill the form's fields, press Run and wait for the status line to say `status`."""
    for name, text in given.items():
        field = dash_duo.find_element(f"#queries-form input[name='{name}']")
        dash_duo.clear_input(field)
        field.send_keys(text)
    dash_duo.find_element("#queries-run").click()
    dash_duo.wait_for_contains_text("#queries-status", status, timeout=30)


def test_a_saved_query_runs_as_the_cli_runs_it_exports_and_is_audited(
    dash_duo, dashboard_network, dashboard_settings, tmp_path
):
    settings = dashboard_settings.model_copy(update={"audit_log": tmp_path / "audit.jsonl"})
    env = settings_env(settings.model_copy(update={"audit_log": tmp_path / "cli.jsonl"}))
    library = load_library(settings.saved_queries_dir)
    top, legs = library["top-earners"], library["largest-legs"]
    top_earners = cli_json(env, "query", "run", "top-earners", "--param", "limit=7")
    distributors = read(dashboard_network, "distributors")
    root = distributors[distributors.sponsor_id == ""].distributor_id.iloc[0]
    largest = cli_json(
        env, "query", "run", "largest-legs", "--param", f"id={root}", "--param", "limit=5"
    )

    dash_duo.start_server(create_app(settings))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/queries")
    _pick(dash_duo, top.title)
    dash_duo.wait_for_text_to_equal("#queries-description", top.description, timeout=20)
    assert dash_duo.find_element("#queries-text").get_attribute("textContent") == top.text
    fields = dash_duo.find_elements("#queries-form input")
    assert [f.get_attribute("name") for f in fields] == [p.name for p in top.params]
    assert fields[0].get_attribute("placeholder") == f"default {top.params[0].default}"

    _run(dash_duo, f"{len(top_earners)} rows in", limit="7")
    assert grid_rows(dash_duo, "#queries-grid") == _as_shown(top_earners)
    dash_duo.find_element("#queries-grid-csv").click()
    exported = downloaded_csv(Path(dash_duo.download_path) / "top-earners.csv")
    headers = {c.replace("_", " "): c for c in top_earners[0]}  # the export's column titles
    assert [{headers[k]: v for k, v in r.items()} for r in exported] == _as_shown(top_earners)

    # A bad value names the parameter, as the CLI does; nothing runs.
    _run(dash_duo, "parameter limit (int): 'many' is not valid", limit="many")

    # A required parameter left empty says so; filled, the query runs.
    _pick(dash_duo, legs.title)
    dash_duo.wait_for_text_to_equal("#queries-description", legs.description, timeout=20)
    assert not dash_duo.find_elements("#queries-grid .ag-row")  # the last result is cleared
    _run(dash_duo, "largest-legs needs --param id")
    _run(dash_duo, f"{len(largest)} rows in", id=root, limit="5")
    assert grid_rows(dash_duo, "#queries-grid") == _as_shown(largest)

    records = _audited(settings.audit_log)
    assert [(r["query"], r["outcome"], r["rows"], r["params"]) for r in records] == [
        ("top-earners", "ok", len(top_earners), top.bind({"limit": "7"})),
        ("largest-legs", "ok", len(largest), legs.bind({"id": root, "limit": "5"})),
    ]
    assert {r["user"] for r in records} == {getpass.getuser()}  # no login: the OS user
    assert dash_duo.get_logs() == []


def test_a_query_that_writes_is_refused_and_a_long_answer_is_capped(
    dash_duo, dashboard_network, dashboard_settings, driver, tmp_path
):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "plant-intruder.cypher").write_text(WRITER, encoding="utf-8")
    settings = dashboard_settings.model_copy(
        update={"saved_queries_dir": mine, "audit_log": tmp_path / "audit.jsonl"}
    )
    with pytest.raises(QueryRefused) as refused:
        check_text(WRITER)
    library = load_library(mine)
    top = library["top-earners"]
    env = settings_env(settings.model_copy(update={"audit_log": tmp_path / "cli.jsonl"}))
    ranked = cli_json(env, "query", "run", "top-earners")
    cap = len(ranked) // 2
    settings = settings.model_copy(update={"query_row_limit": cap})
    before = snapshot(driver, settings.neo4j_database)

    dash_duo.start_server(create_app(settings))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/queries")
    _pick(dash_duo, library["plant-intruder"].title)
    _run(dash_duo, str(refused.value))
    assert "refused" in dash_duo.find_element("#queries-status").text
    assert snapshot(driver, settings.neo4j_database) == before

    _pick(dash_duo, top.title)
    _run(dash_duo, f"truncated at {cap:,} rows")
    assert grid_rows(dash_duo, "#queries-grid") == _as_shown(ranked[:cap])

    records = _audited(settings.audit_log)
    assert [(r["query"], r["outcome"], r["rows"]) for r in records] == [
        ("plant-intruder", "refused", 0),
        ("top-earners", "truncated", cap),
    ]
    assert records[0]["reason"] == str(refused.value)
    assert dash_duo.get_logs() == []


def test_runs_are_audited_under_the_dashboard_login(
    dash_duo, dashboard_network, dashboard_settings, tmp_path
):
    user, password = "investigator", "open-sesame-42"
    settings = dashboard_settings.model_copy(
        update={
            "dashboard_user": user,
            "dashboard_password": SecretStr(password),
            "audit_log": tmp_path / "audit.jsonl",
        }
    )
    labels = load_library(settings.saved_queries_dir)["labels"]
    dash_duo.start_server(create_app(settings), navigate=False)
    port = dash_duo.server.port
    assert requests.get(f"http://127.0.0.1:{port}/queries", timeout=10).status_code == 401
    # Basic auth by the address; Chrome keeps the login for the page's own requests, which
    # fetch() refuses to make from an address that holds credentials: so open it again without.
    dash_duo.driver.get(f"http://{user}:{password}@127.0.0.1:{port}/queries")
    dash_duo.driver.get(f"http://127.0.0.1:{port}/queries")
    dash_duo.wait_for_element("#queries-pick", timeout=20)
    _pick(dash_duo, labels.title)
    _run(dash_duo, "rows in")
    [record] = _audited(settings.audit_log)
    assert (record["query"], record["outcome"], record["user"]) == ("labels", "ok", user)
    assert dash_duo.get_logs() == []
