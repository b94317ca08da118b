"""Data sources, data-source connections, accounts and external auth links."""

from __future__ import annotations

from .helpers import Api


async def test_datasources_catalog(api: Api) -> None:
    status, page = await api.call("GET", "/api/v3/datasources")
    assert status == 200 and page["count"] >= 20
    assert all(set(ds) == {"name", "title", "categories"} for ds in page["results"])
    status, social = await api.call("GET", "/api/v3/datasources", params={"category": "social"})
    assert 0 < social["count"] < page["count"]
    assert all("social" in ds["categories"] for ds in social["results"])


async def test_connections_with_counts(api: Api, other_api: Api) -> None:
    status, page = await api.call("GET", "/api/v3/datasources/facebook/connections")
    assert status == 200 and page["count"] == 2
    first = page["results"][0]
    assert first["accounts_number"] == 3
    assert first["enabled_for_extraction_accounts_number"] == 2
    assert "update_accounts_was_successfull" in first and "update_accounts_last_successed" in first
    assert (await other_api.call("GET", "/api/v3/datasources/facebook/connections"))[1][
        "count"
    ] == 0
    assert (await api.call("GET", "/api/v3/datasources/nope/connections"))[0] == 404


async def test_accounts_list_and_updates(api: Api) -> None:
    connection = api.sandbox.state.connections(api.sandbox.workspace_id)[1]
    base = f"/api/v3/connections/{connection.id}/accounts"
    status, page = await api.call("GET", base)
    assert status == 200 and page["count"] == 2
    account = page["results"][0]
    assert isinstance(account["id"], int) and isinstance(account["account_id"], str)
    assert account["enabled_for_embedded_extraction"] is False
    status, updated = await api.call(
        "PATCH", f"{base}/{account['id']}", json={"enabled_for_embedded_extraction": True}
    )
    assert (status, updated["enabled_for_embedded_extraction"]) == (200, True)
    ids = [a["id"] for a in page["results"]]
    status, bulk = await api.call(
        "PATCH",
        base,
        json={"accounts": [{"id": i, "enabled_for_embedded_extraction": False} for i in ids]},
    )
    assert status == 200 and [a["enabled_for_embedded_extraction"] for a in bulk] == [False, False]


async def test_account_validation(api: Api) -> None:
    connection = api.sandbox.state.connections(api.sandbox.workspace_id)[0]
    base = f"/api/v3/connections/{connection.id}/accounts"
    other_account = api.sandbox.state.accounts(api.sandbox.workspace_id)[-1]
    status, error = await api.call("PATCH", base, json={"accounts": [{"id": other_account.id}]})
    assert status == 400 and "does not exist" in error["details"]
    status, error = await api.call("PATCH", base, json={})
    assert status == 400 and "accounts" in error["details"]
    status, error = await api.call(
        "PATCH", f"{base}/{other_account.id}", json={"enabled_for_embedded_extraction": True}
    )
    assert status == 404
    own = api.sandbox.state.accounts(api.sandbox.workspace_id, connection.id)[0]
    status, error = await api.call(
        "PATCH", f"{base}/{own.id}", json={"enabled_for_embedded_extraction": "yes"}
    )
    assert status == 400 and "enabled_for_embedded_extraction" in error["details"]


async def test_delete_connection_side_effects(api: Api) -> None:
    state = api.sandbox.state
    ws = api.sandbox.workspace_id
    first, second = state.connections(ws)[:2]
    status, _ = await api.call(
        "DELETE", f"/api/v3/datasources/google_ads_ql/connections/{first.id}"
    )
    assert status == 404  # wrong data source for this id
    assert await api.call("DELETE", f"/api/v3/datasources/facebook/connections/{first.id}") == (
        204,
        None,
    )
    assert all(not a.is_active for a in state.accounts(ws, first.id))
    assert (await api.call("GET", f"/api/v3/connections/{first.id}/accounts"))[0] == 404
    assert await api.call("DELETE", f"/api/v3/connections/{second.id}") == (204, None)
    assert (await api.call("DELETE", f"/api/v3/connections/{second.id}"))[0] == 404


async def test_external_auth_links(api: Api) -> None:
    base = "/api/v3/datasources/facebook/external-auth-links"
    status, links = await api.call("POST", base, json={"emails": ["a@x.io", "b@x.io"]})
    assert status == 201 and [link["email"] for link in links] == ["a@x.io", "b@x.io"]
    assert all(link["status"] == "pending" for link in links)
    status, [silent] = await api.call("POST", base, json={"send_email": False})
    assert status == 201 and silent["email"] is None
    status, error = await api.call("POST", base, json={})
    assert status == 400 and "emails" in error["details"]
    status, page = await api.call("GET", base)
    assert page["count"] == 3
    status, revoked = await api.call("POST", f"{base}/{links[0]['id']}/revoke")
    assert (status, revoked["status"]) == (200, "revoked")
    assert (await api.call("POST", f"{base}/{links[0]['id']}/revoke"))[0] == 400
    connection_id = api.sandbox.use_external_auth_link(links[1]["id"])
    status, page = await api.call("GET", f"/api/v3/connections/{connection_id}/accounts")
    assert status == 200 and page["count"] == 2
    api.sandbox.state.agency.external_auth_enabled = False
    assert (await api.call("GET", base))[0] == 403
