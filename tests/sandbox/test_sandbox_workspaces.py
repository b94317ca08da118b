"""Agency Basic-auth operations: workspaces, dashboards, recipes, iframe URL."""

from __future__ import annotations

from .helpers import Api, basic


def _agency(api: Api) -> dict[str, str]:
    return basic(api.sandbox.username, api.sandbox.password)


async def test_workspaces_crud(api: Api) -> None:
    headers = _agency(api)
    status, page = await api.call("GET", "/api/v3/workspaces", headers=headers)
    assert status == 200
    assert [w["id"] for w in page["results"]] == [
        api.sandbox.workspace_id,
        api.sandbox.other_workspace_id,
    ]
    status, created = await api.call(
        "POST", "/api/v3/workspaces", json={"title": "Client C"}, headers=headers
    )
    assert status == 201 and created["title"] == "Client C" and created["description"] == ""
    item = f"/api/v3/workspaces/{created['id']}"
    assert await api.call("GET", item, headers=headers) == (200, created)
    status, updated = await api.call(
        "PUT", item, json={"title": "Client C2", "description": "d"}, headers=headers
    )
    assert (status, updated["title"], updated["description"]) == (200, "Client C2", "d")
    # The new workspace can mint tokens.
    status, body = await api.call(
        "POST", "/api/v3/token", json={"workspace_id": created["id"]}, headers=headers
    )
    assert status == 201 and body["token"]


async def test_workspace_errors(api: Api) -> None:
    headers = _agency(api)
    assert (await api.call("GET", "/api/v3/workspaces"))[0] == 401  # Bearer is not enough
    assert (await api.call("GET", "/api/v3/workspaces/999", headers=headers))[0] == 404
    status, error = await api.call("POST", "/api/v3/workspaces", json={}, headers=headers)
    assert status == 400 and "title" in error["details"]


async def test_dashboards_and_recipes(api: Api) -> None:
    headers = _agency(api)
    ws = api.sandbox.workspace_id
    status, dashboards = await api.call(
        "GET", f"/api/v3/workspaces/{ws}/dashboards", headers=headers
    )
    assert status == 200 and set(dashboards[0]) == {"dashboard_id", "title", "data_name"}
    status, recipes = await api.call("GET", "/api/v3/recipes", headers=headers)
    assert status == 200 and recipes["count"] >= 1
    recipe_id = recipes["results"][0]["id"]
    status, enabled = await api.call(
        "POST", f"/api/v3/workspaces/{ws}/recipes", json={"recipe_id": recipe_id}, headers=headers
    )
    assert (status, enabled["id"]) == (201, recipe_id)
    status, error = await api.call(
        "POST", f"/api/v3/workspaces/{ws}/recipes", json={"recipe_id": 999}, headers=headers
    )
    assert status == 400 and "recipe_id" in error["details"]


async def test_iframe_url(api: Api) -> None:
    headers = _agency(api)
    status, body = await api.call(
        "POST",
        "/api/v3/get_iframe_url",
        json={"workspace_id": api.sandbox.workspace_id, "datasource_name": "facebook"},
        headers=headers,
    )
    assert status == 200 and "datasource_name=facebook" in body["url"]
    assert body["url"].startswith("http")
    status, _ = await api.call("POST", "/api/v3/get_iframe_url", json={}, headers=headers)
    assert status == 400
    status, body = await api.call("POST", "/api/v3/get_iframe_url", json={})  # Bearer tolerated
    assert status == 200 and f"workspace_id={api.sandbox.workspace_id}" in body["url"]
    status, _ = await api.call(
        "POST", "/api/v3/get_iframe_url", json={"workspace_id": 999}, headers=headers
    )
    assert status == 404
