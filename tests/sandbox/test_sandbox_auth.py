"""Token minting, Basic/Bearer/cookie auth and workspace isolation."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import aiohttp

from improvado_async.sandbox import Sandbox

from .helpers import Api, basic, bearer


async def _post_token(
    sandbox: Sandbox, http: aiohttp.ClientSession, headers: dict[str, str], body: Any
) -> tuple[int, Any]:
    async with http.post(
        f"{sandbox.base_url}/api/v3/token", json=body, headers=headers
    ) as response:
        return response.status, await response.json()


async def test_token_is_minted_with_basic_credentials(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    status, body = await _post_token(
        sandbox,
        http,
        basic(sandbox.username, sandbox.password),
        {"workspace_id": sandbox.workspace_id},
    )
    assert status == 201
    assert re.fullmatch(r"[0-9a-f]{40}", body["token"])


async def test_token_accepts_numeric_string_and_chief(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    headers = basic(sandbox.chief_username, sandbox.chief_password)
    status, body = await _post_token(
        sandbox, http, headers, {"workspace_id": str(sandbox.other_workspace_id)}
    )
    assert status == 201
    api = Api(sandbox, http, body["token"])
    status, page = await api.call("GET", "/api/v3/loads")
    assert status == 200
    assert {load["id"] for load in page["results"]} == {
        load.id for load in sandbox.state.loads(sandbox.other_workspace_id)
    }


async def test_token_errors(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    good = basic(sandbox.username, sandbox.password)
    assert await _post_token(sandbox, http, good, {}) == (
        400,
        {"details": "workspace_id: This field is required."},
    )
    assert (await _post_token(sandbox, http, good, {"workspace_id": "abc"}))[0] == 400
    assert (await _post_token(sandbox, http, good, {"workspace_id": True}))[0] == 400
    assert await _post_token(sandbox, http, good, {"workspace_id": 999}) == (
        404,
        {"details": "Workspace not found."},
    )
    status, body = await _post_token(
        sandbox, http, basic(sandbox.username, "wrong"), {"workspace_id": sandbox.workspace_id}
    )
    assert status == 401 and "details" in body
    status, _ = await _post_token(sandbox, http, {}, {"workspace_id": sandbox.workspace_id})
    assert status == 401
    status, _ = await _post_token(sandbox, http, bearer(sandbox.mint_token()), {"workspace_id": 1})
    assert status == 401


async def test_token_endpoint_rejects_garbage_basic(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    status, _ = await _post_token(
        sandbox, http, {"Authorization": "Basic !!!not-base64"}, {"workspace_id": 1}
    )
    assert status == 401


async def test_bearer_routes_reject_missing_basic_and_invalid(api: Api) -> None:
    sandbox = api.sandbox
    for headers in ({"Authorization": ""}, basic(sandbox.username, sandbox.password)):
        status, body = await api.call("GET", "/api/v3/loads", headers=headers)
        assert status == 401 and isinstance(body["details"], str)
    status, body = await api.call("GET", "/api/v3/loads", headers=bearer("0" * 40))
    assert (status, body) == (401, {"details": "Invalid or expired token."})


async def test_no_credentials_at_all(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{sandbox.base_url}/api/v3/loads") as response:
        assert response.status == 401
        assert "details" in await response.json()


async def test_expire_tokens(api: Api) -> None:
    assert (await api.call("GET", "/api/v3/loads"))[0] == 200
    api.sandbox.expire_tokens()
    assert await api.call("GET", "/api/v3/loads") == (401, {"details": "Invalid or expired token."})


async def test_token_ttl_is_sliding(http: aiohttp.ClientSession) -> None:
    async with Sandbox(token_ttl=0.4) as sandbox:
        api = Api(sandbox, http, sandbox.mint_token())
        for _ in range(4):  # 4 x 0.2 s > ttl, but every use renews the expiry
            await asyncio.sleep(0.2)
            assert (await api.call("GET", "/api/v3/loads"))[0] == 200
        await asyncio.sleep(0.6)
        assert (await api.call("GET", "/api/v3/loads"))[0] == 401


async def test_cookie_session_with_workspace_header(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    session = sandbox.create_session(sandbox.workspace_id)
    url = f"{sandbox.base_url}/api/v3/loads"
    cookie = {"Cookie": f"dts_session_id={session}"}
    async with http.get(
        url, headers={**cookie, "X-IM-WORKSPACE-ID": str(sandbox.workspace_id)}
    ) as r:
        assert r.status == 200
    async with http.get(url, headers=cookie) as r:
        assert r.status == 401
    async with http.get(
        url, headers={**cookie, "X-IM-WORKSPACE-ID": str(sandbox.other_workspace_id)}
    ) as r:
        assert r.status == 403
    bad_cookie = {"Cookie": "dts_session_id=nope", "X-IM-WORKSPACE-ID": str(sandbox.workspace_id)}
    async with http.get(url, headers=bad_cookie) as r:
        assert r.status == 401


async def test_workspace_isolation(api: Api, other_api: Api) -> None:
    sandbox = api.sandbox
    own = sandbox.state.loads(sandbox.workspace_id)[0]
    foreign = sandbox.state.loads(sandbox.other_workspace_id)[0]
    assert (await api.call("GET", f"/api/v3/loads/{own.id}"))[0] == 200
    assert await api.call("GET", f"/api/v3/loads/{foreign.id}") == (
        404,
        {"details": "Load not found."},
    )
    for method, suffix in (("PUT", ""), ("DELETE", ""), ("PUT", "/pause"), ("PUT", "/run")):
        status, _ = await other_api.call(method, f"/api/v3/loads/{own.id}{suffix}", json={})
        assert status == 404
    _, page = await api.call("GET", "/api/v3/loads")
    assert foreign.id not in {load["id"] for load in page["results"]}
    # Tables and connections of another workspace cannot be used either.
    foreign_table = sandbox.state.data_tables(sandbox.other_workspace_id)[0]
    connection = sandbox.state.destination_connections(sandbox.workspace_id)[0]
    status, body = await api.call(
        "POST",
        "/api/v3/loads",
        json={"data_table_id": foreign_table.id, "destination_connection_id": connection.id},
    )
    assert status == 400 and "data_table_id" in body["details"]
