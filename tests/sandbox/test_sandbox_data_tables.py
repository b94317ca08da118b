"""Data tables: list, get (system fields), update selected fields."""

from __future__ import annotations

from .helpers import Api


async def test_list_and_get(api: Api, other_api: Api) -> None:
    status, page = await api.call("GET", "/api/v3/data-tables")
    assert status == 200
    tables = api.sandbox.state.data_tables(api.sandbox.workspace_id)
    assert [t["id"] for t in page["results"]] == [t.id for t in tables]
    status, table = await api.call("GET", f"/api/v3/data-tables/{tables[0].id}")
    assert status == 200
    assert set(table) == {
        "id",
        "title",
        "datasource_name",
        "data_class",
        "created_at",
        "updated_at",
        "fields",
    }
    system = [f["name"] for f in table["fields"] if f["kind"] == "system"]
    assert system == ["account_id", "account_name", "__insert_date"]
    assert (await other_api.call("GET", f"/api/v3/data-tables/{tables[0].id}"))[0] == 404


async def test_update_selected_fields(api: Api) -> None:
    table_id = api.sandbox.state.data_tables(api.sandbox.workspace_id)[0].id
    path = f"/api/v3/data-tables/{table_id}"
    status, table = await api.call(
        "PUT", path, json={"selected_fields": ["date", "campaign_id", "clicks"]}
    )
    assert status == 200
    selected = {f["name"]: f["selected"] for f in table["fields"]}
    assert selected["clicks"] and not selected["spend"] and not selected["impressions"]
    assert selected["account_id"] and selected["__insert_date"]


async def test_update_errors(api: Api) -> None:
    table_id = api.sandbox.state.data_tables(api.sandbox.workspace_id)[0].id
    path = f"/api/v3/data-tables/{table_id}"
    status, error = await api.call("PUT", path, json={"selected_fields": ["date", "clicks"]})
    assert status == 400 and "campaign_id" in error["details"]
    status, error = await api.call("PUT", path, json={"selected_fields": ["date", "nope"]})
    assert status == 400 and "nope" in error["details"]
    status, error = await api.call("PUT", path, json={"selected_fields": "date"})
    assert status == 400 and "selected_fields" in error["details"]
    status, error = await api.call("PUT", path, json={})
    assert status == 400 and "selected_fields" in error["details"]
    assert (await api.call("PUT", "/api/v3/data-tables/1", json={"selected_fields": []}))[0] == 404
