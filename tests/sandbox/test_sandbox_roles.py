"""Roles & permissions: agency-chief Basic auth, catalog, custom role lifecycle."""

from __future__ import annotations

from .helpers import Api, basic


def _chief(api: Api) -> dict[str, str]:
    return basic(api.sandbox.chief_username, api.sandbox.chief_password)


async def test_auth_rules(api: Api) -> None:
    assert (await api.call("GET", "/api/v3/roles/"))[0] == 401  # Bearer is refused
    agency = basic(api.sandbox.username, api.sandbox.password)
    assert (await api.call("GET", "/api/v3/roles/", headers=agency))[0] == 403  # not a chief
    assert (await api.call("GET", "/api/v3/roles/", headers=_chief(api)))[0] == 200
    api.sandbox.state.agency.can_use_embedded_api = False
    assert (await api.call("GET", "/api/v3/roles", headers=_chief(api)))[0] == 403


async def test_list_catalog_and_users(api: Api) -> None:
    headers = _chief(api)
    status, roles = await api.call("GET", "/api/v3/roles/", headers=headers)
    assert status == 200 and isinstance(roles, list)
    titles = [r["title"] for r in roles]
    assert titles[:3] == ["Workspace Admin", "Editor", "Viewer"]
    assert all(r["is_system"] for r in roles) and roles[0]["user_count"] == 2
    status, catalog = await api.call("GET", "/api/v3/roles/permissions", headers=headers)
    assert status == 200 and catalog[0]["code"] == "EXTRACT"
    assert {"code", "title", "description"} <= set(catalog[0]["permissions"][0])
    status, users = await api.call("GET", "/api/v3/roles/1/users", headers=headers)
    assert status == 200 and {u["workspace"]["id"] for u in users} == {
        api.sandbox.workspace_id,
        api.sandbox.other_workspace_id,
    }


async def test_custom_role_lifecycle(api: Api) -> None:
    headers = _chief(api)
    body = {"title": "Auditor", "permissions": {"EXTRACT": ["VIEW"], "LOAD": ["VIEW", "RUN"]}}
    status, role = await api.call("POST", "/api/v3/roles/", json=body, headers=headers)
    assert status == 201 and role["is_system"] is False and role["user_count"] == 0
    path = f"/api/v3/roles/{role['id']}"
    assert await api.call("GET", path, headers=headers) == (200, role)
    status, updated = await api.call(
        "PATCH", path, json={"description": "Reads", "title": "Auditor 2"}, headers=headers
    )
    assert (status, updated["title"], updated["description"]) == (200, "Auditor 2", "Reads")
    # Give the role to a user, then delete it: the user falls back to Viewer.
    api.sandbox.state.role_assignments[0].role_id = role["id"]
    status, result = await api.call("DELETE", path, headers=headers)
    assert (status, result) == (200, {"reassigned_users_count": 1})
    assert api.sandbox.state.role_assignments[0].role_id == 3
    assert (await api.call("GET", path, headers=headers))[0] == 404


async def test_role_validation(api: Api) -> None:
    headers = _chief(api)
    for body, field in (
        ({"permissions": {}}, "title"),
        ({"title": " ", "permissions": {}}, "title"),
        ({"title": "viewer", "permissions": {}}, "title"),
        ({"title": "X"}, "permissions"),
        ({"title": "X", "permissions": {"EXTRACT": ["FLY"]}}, "EXTRACT.FLY"),
        ({"title": "X", "permissions": ["EXTRACT.VIEW"]}, "permissions"),
    ):
        status, error = await api.call("POST", "/api/v3/roles/", json=body, headers=headers)
        assert status == 400 and field in error["details"], body
    assert (await api.call("PATCH", "/api/v3/roles/1", json={"title": "Y"}, headers=headers))[
        0
    ] == 403
    assert (await api.call("DELETE", "/api/v3/roles/3", headers=headers))[0] == 403
    assert (await api.call("GET", "/api/v3/roles/999", headers=headers))[0] == 404
