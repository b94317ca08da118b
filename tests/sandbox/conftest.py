"""Fixtures for the sandbox tests: a running sandbox, an HTTP session and auth helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from improvado_async.sandbox import Sandbox

from .helpers import Api, basic


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """A running sandbox with fast simulated time."""
    async with Sandbox(time_scale=0.01) as sb:
        yield sb


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp client session."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def token(sandbox: Sandbox, http: aiohttp.ClientSession) -> str:
    """A token for the first workspace, minted over HTTP."""
    async with http.post(
        f"{sandbox.base_url}/api/v3/token",
        json={"workspace_id": sandbox.workspace_id},
        headers=basic(sandbox.username, sandbox.password),
    ) as response:
        assert response.status == 201
        value: str = (await response.json())["token"]
        return value


@pytest.fixture
def api(sandbox: Sandbox, http: aiohttp.ClientSession, token: str) -> Api:
    """:class:`Api` bound to the first workspace's token."""
    return Api(sandbox, http, token)


@pytest.fixture
def other_api(sandbox: Sandbox, http: aiohttp.ClientSession) -> Api:
    """:class:`Api` bound to a token of the second workspace."""
    return Api(sandbox, http, sandbox.mint_token(sandbox.other_workspace_id))
