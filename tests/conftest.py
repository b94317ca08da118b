"""Shared fixtures: a loopback sandbox and clients (async and sync) bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from improvado_async import AsyncImprovado
from improvado_async.sandbox import Sandbox
from improvado_async.testing import SandboxThread
from improvado_sync import Improvado

pytest_plugins = ["tests.aioresponses_compat"]


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real IMPROVADO_* credentials."""
    for name in (
        "IMPROVADO_USERNAME",
        "IMPROVADO_PASSWORD",
        "IMPROVADO_WORKSPACE_ID",
        "IMPROVADO_TOKEN",
        "IMPROVADO_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """A sandbox on 127.0.0.1 with fast simulated time."""
    async with Sandbox(time_scale=0.01) as sb:
        yield sb


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[AsyncImprovado]:
    """An async client for the sandbox's first workspace."""
    async with AsyncImprovado(
        username=sandbox.username,
        password=sandbox.password,
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
        retry=0,
    ) as c:
        yield c


@pytest.fixture
def threaded_sandbox() -> Iterator[SandboxThread]:
    """A sandbox served from its own thread, for the blocking client."""
    ts = SandboxThread(time_scale=0.01)
    try:
        yield ts
    finally:
        ts.close()


@pytest.fixture
def sync_client(threaded_sandbox: SandboxThread) -> Iterator[Improvado]:
    """A sync client for the threaded sandbox's first workspace."""
    sb = threaded_sandbox.sandbox
    with Improvado(
        username=sb.username,
        password=sb.password,
        workspace_id=sb.workspace_id,
        base_url=sb.base_url,
        retry=0,
    ) as c:
        yield c
