"""Automated recipe templates and automated recipes (create, update, build)."""

from __future__ import annotations

import asyncio

from .helpers import Api


async def test_templates_list_filters_and_detail(api: Api) -> None:
    status, page = await api.call("GET", "/api/v3/automated-recipe-templates")
    assert status == 200 and page["count"] == 5
    _, found = await api.call(
        "GET", "/api/v3/automated-recipe-templates", params={"search": "SEARCH"}
    )
    assert [t["title"] for t in found["results"]] == ["Search Ads Overview"]
    _, found = await api.call(
        "GET", "/api/v3/automated-recipe-templates", params={"data_sources": "hubspot,bing_ads"}
    )
    assert found["count"] == 2
    assert (
        await api.call("GET", "/api/v3/automated-recipe-templates", params={"page_size": "101"})
    )[0] == 400
    template_id = page["results"][0]["id"]
    status, detail = await api.call("GET", f"/api/v3/automated-recipe-templates/{template_id}")
    assert status == 200 and detail["tree"]["type"] == "recipe"
    assert detail["dependencies_count"] > 0
    assert (await api.call("GET", "/api/v3/automated-recipe-templates/1"))[0] == 404


async def test_recipe_lifecycle(api: Api, other_api: Api) -> None:
    status, recipe = await api.call(
        "POST", "/api/v3/automated-recipes", json={"template_id": 9001, "configuration": {"a": 1}}
    )
    assert status == 201
    assert (recipe["state"], recipe["title"]) == ("draft", "Paid Social Performance")
    path = f"/api/v3/automated-recipes/{recipe['id']}"
    assert await api.call("GET", path) == (200, recipe)
    assert (await other_api.call("GET", path))[0] == 404
    status, updated = await api.call("PUT", path, json={"title": "Mine", "configuration": {"b": 2}})
    assert (status, updated["title"], updated["configuration"]) == (200, "Mine", {"b": 2})
    status, building = await api.call("POST", f"{path}/build")
    assert (status, building["state"]) == (202, "building")
    assert (await api.call("POST", f"{path}/build"))[0] == 400
    for _ in range(300):
        _, current = await api.call("GET", path)
        if current["state"] == "built":
            break
        await asyncio.sleep(0.01)
    assert current["state"] == "built" and current["last_build_at"] is not None
    _, page = await api.call("GET", "/api/v3/automated-recipes", params={"state": "built"})
    assert [r["id"] for r in page["results"]] == [recipe["id"]]
    _, page = await api.call("GET", "/api/v3/automated-recipes", params={"template_id": "9002"})
    assert page["count"] == 0


async def test_recipe_validation(api: Api) -> None:
    for body, field in (
        ({}, "template_id"),
        ({"template_id": 1}, "template_id"),
        ({"template_id": 9001, "configuration": []}, "configuration"),
        ({"template_id": 9001, "title": 3}, "title"),
    ):
        status, error = await api.call("POST", "/api/v3/automated-recipes", json=body)
        assert status == 400 and field in error["details"]
    assert (await api.call("PUT", "/api/v3/automated-recipes/1", json={}))[0] == 404
