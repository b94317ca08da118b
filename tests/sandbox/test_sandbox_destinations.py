"""Destinations catalog and destination connections."""

from __future__ import annotations

from .helpers import Api

BASE = "/api/v3/destinations/snowflake/connections"


async def test_destinations_catalog(api: Api) -> None:
    status, page = await api.call("GET", "/api/v3/destinations")
    assert status == 200
    names = [d["name"] for d in page["results"]]
    assert {"bigquery", "snowflake", "postgresql"} <= set(names)
    assert all(set(d) == {"name", "title"} for d in page["results"])


async def test_list_by_destination(api: Api) -> None:
    status, page = await api.call("GET", "/api/v3/destinations/bigquery/connections")
    assert status == 200
    assert [c["destination_name"] for c in page["results"]] == ["bigquery"]
    assert (await api.call("GET", "/api/v3/destinations/nope/connections"))[0] == 404


async def test_create_get_update_reauthorize_recheck(api: Api) -> None:
    status, created = await api.call(
        "POST",
        BASE,
        json={
            "title": "New SF",
            "destination_name": "snowflake",
            "create_load_for_new_tables": True,
            "conenctions_params": {"account": "x"},
        },
    )
    assert status == 201
    assert created["status"] == "active" and created["create_load_for_new_tables"] is True
    assert "conenctions_params" not in created and "connection_params" not in created
    item = f"{BASE}/{created['id']}"
    assert await api.call("GET", item) == (200, created)
    status, updated = await api.call("PATCH", item, json={"title": "Renamed"})
    assert (status, updated["title"]) == (200, "Renamed")
    status, reauth = await api.call(
        "PUT", item, json={"title": "Reauth", "connection_params": {"k": 1}}
    )
    assert (status, reauth["title"]) == (200, "Reauth")
    status, rechecked = await api.call("PUT", f"{item}/recheck")
    assert (status, rechecked["status"]) == (200, "active")
    # Wrong destination in the path for an existing id -> 404.
    assert (await api.call("GET", f"/api/v3/destinations/bigquery/connections/{created['id']}"))[
        0
    ] == 404


async def test_create_validation(api: Api) -> None:
    status, error = await api.call("POST", BASE, json={})
    assert status == 400 and "title" in error["details"]
    status, error = await api.call(
        "POST", BASE, json={"title": "x", "destination_name": "bigquery"}
    )
    assert status == 400 and "destination_name" in error["details"]
    status, error = await api.call("POST", BASE, json={"title": "x", "conenctions_params": []})
    assert status == 400 and "conenctions_params" in error["details"]
    status, error = await api.call("PUT", f"{BASE}/999999", json={"title": "x"})
    assert status == 404


async def test_loads_need_active_connection(api: Api) -> None:
    sandbox = api.sandbox
    connection = sandbox.state.destination_connections(sandbox.workspace_id)[0]
    connection.status = "initializing"
    table = sandbox.state.data_tables(sandbox.workspace_id)[0]
    status, error = await api.call(
        "POST",
        "/api/v3/loads",
        json={"data_table_id": table.id, "destination_connection_id": connection.id},
    )
    assert status == 400 and "not active" in error["details"]
