"""Extract templates: list/create/get/by-id, preview, validation, custom setting options."""

from __future__ import annotations

from typing import Any

from .helpers import Api

FB = "/api/v3/datasources/facebook/extract-templates"


async def _fb_templates(api: Api) -> list[dict[str, Any]]:
    status, page = await api.call("GET", FB)
    assert status == 200
    return list(page["results"])


async def test_list_get_and_by_id(api: Api) -> None:
    standard, wide = await _fb_templates(api)
    assert standard["is_wide_template"] is False and wide["is_wide_template"] is True
    names = [f["name"] for f in standard["fields"]]
    assert "account_id" not in names and "__insert_date" not in names
    assert await api.call("GET", f"{FB}/{standard['id']}") == (200, standard)
    assert (
        await api.call("GET", f"/api/v3/datasources/reddit/extract-templates/{standard['id']}")
    )[0] == 404
    status, compact = await api.call("GET", f"/api/v3/extract-template/{wide['id']}/")
    assert (status, compact) == (
        200,
        {"id": wide["id"], "datasource_name": "facebook", "is_wide_template": True},
    )
    assert (await api.call("GET", f"/api/v3/extract-template/{wide['id']}"))[0] == 200
    assert (await api.call("GET", "/api/v3/extract-template/1/"))[0] == 404


async def test_create_custom_template(api: Api) -> None:
    standard, wide = await _fb_templates(api)
    body = {
        "parent_id": standard["id"],
        "title": "My FB",
        "description": "",
        "fields": ["date", "campaign_id", "clicks"],
        "hashed_fields": ["campaign_id"],
        "historical_data_depth_limit": 90,
    }
    status, created = await api.call("POST", FB, json=body)
    assert status == 201, created
    assert created["is_global"] is False and created["parent_id"] == standard["id"]
    assert [f["name"] for f in created["fields"]] == ["date", "campaign_id", "clicks"]
    assert created["sql_name"] == "my_fb"
    # Visible to the other workspace too (agency-level).
    status, dup = await api.call("POST", FB, json=body)
    assert status == 400 and "title" in dup["details"]
    status, error = await api.call(
        "POST", FB, json={**body, "title": "Wide", "parent_id": wide["id"]}
    )
    assert status == 400 and "connection_id" in error["details"]
    connection = api.sandbox.state.connections(api.sandbox.workspace_id)[0]
    status, wide_child = await api.call(
        "POST",
        FB,
        json={**body, "title": "Wide", "parent_id": wide["id"], "connection_id": connection.id},
    )
    assert status == 201 and wide_child["is_created_from_wide"] is True


async def test_create_validation(api: Api) -> None:
    standard, _ = await _fb_templates(api)
    cases = [
        ({"title": "x", "fields": ["date"]}, "parent_id"),
        ({"parent_id": 999999, "title": "x", "fields": ["date"]}, "parent_id"),
        ({"parent_id": standard["id"], "fields": ["date"]}, "title"),
        ({"parent_id": standard["id"], "title": "x"}, "fields"),
        ({"parent_id": standard["id"], "title": "x", "fields": []}, "fields"),
        ({"parent_id": standard["id"], "title": "x", "fields": ["nope"]}, "fields"),
        (
            {
                "parent_id": standard["id"],
                "title": "x",
                "fields": ["date"],
                "hashed_fields": ["clicks"],
            },
            "hashed_fields",
        ),
        (
            {
                "parent_id": standard["id"],
                "title": "x",
                "fields": ["date"],
                "historical_data_depth_limit": 0,
            },
            "historical_data_depth_limit",
        ),
    ]
    for body, field in cases:
        status, error = await api.call("POST", FB, json=body)
        assert status == 400 and field in error["details"], (body, error)


def _fb_accounts(api: Api) -> list[Any]:
    connection = api.sandbox.state.connections(api.sandbox.workspace_id)[0]
    return api.sandbox.state.accounts(api.sandbox.workspace_id, connection.id)


async def test_preview(api: Api) -> None:
    standard, _ = await _fb_templates(api)
    accounts = _fb_accounts(api)
    path = f"/api/v3/extract-template/{standard['id']}/preview/"
    body = {
        "account_ids": [accounts[0].account_id, accounts[1].account_id],
        "date_from": "2026-01-01",
        "date_to": "2026-01-03",
        "template_settings": {"fields": ["date", "clicks"]},
    }
    status, preview = await api.call("POST", path, json=body)
    assert status == 200
    assert preview["columns"] == ["date", "clicks", "account_id"]
    assert len(preview["rows"]) == 6 and preview["rows"][0][0] == "2026-01-01"
    assert await api.call("POST", path, json=body) == (200, preview)  # deterministic
    status, error = await api.call("POST", path, json={"account_ids": ["nope"]})
    assert status == 400 and "account_ids" in error["details"]
    status, error = await api.call(
        "POST", path, json={**body, "template_settings": {"fields": ["zzz"]}}
    )
    assert status == 400 and "zzz" in error["details"]


async def test_validation(api: Api) -> None:
    standard, _ = await _fb_templates(api)
    accounts = _fb_accounts(api)
    path = f"/api/v3/extract-template/{standard['id']}/validation/"
    ok = {"accounts": [accounts[0].id], "template_settings": {"fields": ["date"]}}
    assert await api.call("POST", path, json=ok) == (200, {"valid": True, "errors": []})
    status, result = await api.call(
        "POST", path, json={"accounts": [accounts[0].id], "template_settings": {"fields": ["x"]}}
    )
    assert status == 200 and result["valid"] is False and result["errors"]
    other_connection = api.sandbox.state.connections(api.sandbox.workspace_id)[1]
    other = api.sandbox.state.accounts(api.sandbox.workspace_id, other_connection.id)[0]
    status, error = await api.call("POST", path, json={"accounts": [accounts[0].id, other.id]})
    assert status == 400 and "same connection" in error["details"]
    bad: list[dict[str, Any]] = [
        {"accounts": []},
        {"accounts": [999999]},
        {**ok, "connection_id": 1},
    ]
    for body in bad:
        assert (await api.call("POST", path, json=body))[0] == 400


async def test_custom_setting_options(api: Api) -> None:
    accounts = _fb_accounts(api)
    path = "/api/v3/datasources/facebook/custom_setting_options/"
    body = {
        "connection_id": accounts[0].connection_id,
        "account_ids": [a.account_id for a in accounts],
        "custom_setting": "attribution_window",
        "search": "click",
    }
    status, page = await api.call("POST", path, json=body, params={"page_size": "2"})
    assert status == 200 and page["count"] == 3 and page["next"] is not None
    group = page["results"][0]
    assert group["account_id"] == accounts[0].account_id
    assert {o["value"] for o in group["options"]} == {"1d_click", "7d_click", "28d_click"}
    status, error = await api.call("POST", path, json={**body, "custom_setting": "nope"})
    assert status == 400 and "custom_setting" in error["details"]
    assert (await api.call("POST", path.rstrip("/"), json=body))[0] == 200
