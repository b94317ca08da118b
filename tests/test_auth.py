"""Authentication: Basic, minted tokens (single-flight), pre-minted tokens, cookies, config."""

from __future__ import annotations

import asyncio
import base64

import pytest

from improvado_async import AsyncImprovado, AuthenticationError, ConfigurationError
from improvado_async.sandbox import Sandbox


def _token_requests(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.path == "/api/v3/token")


async def test_token_minted_once_with_basic(client: AsyncImprovado, sandbox: Sandbox) -> None:
    await client.loads.list()
    await client.loads.list()
    mint = next(r for r in sandbox.requests if r.path == "/api/v3/token")
    expected = base64.b64encode(f"{sandbox.username}:{sandbox.password}".encode()).decode()
    assert mint.headers["Authorization"] == f"Basic {expected}"
    assert mint.json == {"workspace_id": sandbox.workspace_id}
    assert _token_requests(sandbox) == 1


async def test_expired_token_reminted_once_for_200_concurrent_calls(
    client: AsyncImprovado, sandbox: Sandbox
) -> None:
    await client.loads.list()
    sandbox.expire_tokens()
    sandbox.clear_requests()
    pages = await asyncio.gather(*(client.loads.list().first_page() for _ in range(200)))
    assert len(pages) == 200
    assert _token_requests(sandbox) == 1


async def test_first_use_of_200_concurrent_calls_mints_once(sandbox: Sandbox) -> None:
    async with AsyncImprovado(
        username=sandbox.username,
        password=sandbox.password,
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
    ) as client:
        await asyncio.gather(*(client.loads.get(3001) for _ in range(200)))
    assert _token_requests(sandbox) == 1


async def test_pre_minted_token_and_cookie(sandbox: Sandbox) -> None:
    token = sandbox.mint_token()
    async with AsyncImprovado(token=token, base_url=sandbox.base_url) as client:
        await client.loads.list()
    assert sandbox.requests[-1].headers["Authorization"] == f"Bearer {token}"

    session = sandbox.create_session()
    async with AsyncImprovado(
        session_id=session, workspace_id=sandbox.workspace_id, base_url=sandbox.base_url
    ) as client:
        await client.loads.list()
    sent = sandbox.requests[-1].headers
    assert sent["Cookie"] == f"dts_session_id={session}"
    assert sent["X-IM-WORKSPACE-ID"] == str(sandbox.workspace_id)
    assert "Authorization" not in sent


async def test_wrong_password_is_authentication_error(sandbox: Sandbox) -> None:
    async with AsyncImprovado(
        username=sandbox.username,
        password="wrong",
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
    ) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.loads.list()
    assert info.value.status == 401
    assert "wrong" not in str(info.value)


async def test_expired_pre_minted_token_raises(sandbox: Sandbox) -> None:
    async with AsyncImprovado(token=sandbox.mint_token(), base_url=sandbox.base_url) as client:
        sandbox.expire_tokens()
        with pytest.raises(AuthenticationError):
            await client.loads.list()


async def test_for_workspace_shares_session_and_isolates(
    client: AsyncImprovado, sandbox: Sandbox
) -> None:
    other = client.for_workspace(sandbox.other_workspace_id)
    assert other.workspace_id == sandbox.other_workspace_id
    mine = {load.id async for load in client.loads.list()}
    theirs = {load.id async for load in other.loads.list()}
    assert mine and theirs and not mine & theirs
    assert other._pipeline.sessions is client._pipeline.sessions
    await other.aclose()  # a view closes nothing
    assert (await client.loads.list()).count == len(mine)


def test_missing_credentials_lists_every_way() -> None:
    with pytest.raises(ConfigurationError) as info:
        AsyncImprovado()
    message = str(info.value)
    for hint in (
        "username=",
        "password=",
        "token=",
        "session_id=",
        "IMPROVADO_USERNAME",
        "IMPROVADO_PASSWORD",
        "IMPROVADO_TOKEN",
    ):
        assert hint in message


def test_environment_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPROVADO_USERNAME", "env-user")
    monkeypatch.setenv("IMPROVADO_PASSWORD", "env-pass")
    monkeypatch.setenv("IMPROVADO_WORKSPACE_ID", "42")
    monkeypatch.setenv("IMPROVADO_BASE_URL", "http://127.0.0.1:9/")
    client = AsyncImprovado()
    assert client.workspace_id == 42
    assert client.base_url == "http://127.0.0.1:9"
    monkeypatch.setenv("IMPROVADO_WORKSPACE_ID", "abc")
    with pytest.raises(ConfigurationError, match="IMPROVADO_WORKSPACE_ID"):
        AsyncImprovado()


async def test_workspace_call_without_workspace_names_the_fix(sandbox: Sandbox) -> None:
    async with AsyncImprovado(
        username=sandbox.username, password=sandbox.password, base_url=sandbox.base_url
    ) as client:
        with pytest.raises(ConfigurationError, match="for_workspace"):
            await client.loads.list()
