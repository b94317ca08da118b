"""Retry policy on the wire: what is retried, how often, and how long it waits."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator

import pytest
from aioresponses import aioresponses

from improvado_async import (
    APIConnectionError,
    AsyncImprovado,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Timeout,
)
from improvado_async._transport.retry import parse_retry_after
from improvado_async.sandbox import Sandbox

BASE = "http://127.0.0.1:1"
LOAD_URL = re.compile(r"^http://127\.0\.0\.1:1/api/v3/loads/7$")
LOADS_URL = re.compile(r"^http://127\.0\.0\.1:1/api/v3/loads$")
LOAD = {"id": 7, "status": "active"}


@pytest.fixture
async def mocked() -> AsyncIterator[AsyncImprovado]:
    async with AsyncImprovado(
        token="t0ken-value",
        base_url=BASE,
        retry=RetryPolicy(backoff_base=0.01, backoff_max=0.02),
    ) as client:
        yield client


def _calls(mock: aioresponses, method: str) -> int:
    return sum(len(v) for (m, _), v in mock.requests.items() if m == method)


async def test_first_try_success_skips_tenacity(mocked: AsyncImprovado) -> None:
    with aioresponses() as mock:
        mock.get(LOAD_URL, payload=LOAD)
        load = await mocked.loads.get(7)
    assert load.id == 7 and _calls(mock, "GET") == 1


async def test_get_on_503_tried_three_times_then_server_error(mocked: AsyncImprovado) -> None:
    with aioresponses() as mock:
        mock.get(LOAD_URL, status=503, payload={"details": "down"}, repeat=True)
        with pytest.raises(ServerError) as info:
            await mocked.loads.get(7)
    assert info.value.attempts == 3
    assert info.value.details == "down"
    assert _calls(mock, "GET") == 3


async def test_get_recovers_after_transient_502(mocked: AsyncImprovado) -> None:
    with aioresponses() as mock:
        mock.get(LOAD_URL, status=502, body="<html>bad gateway</html>")
        mock.get(LOAD_URL, payload=LOAD)
        assert (await mocked.loads.get(7)).id == 7
    assert _calls(mock, "GET") == 2


async def test_post_on_500_sent_once(mocked: AsyncImprovado) -> None:
    with aioresponses() as mock:
        mock.post(LOADS_URL, status=500, payload={"details": "boom"}, repeat=True)
        with pytest.raises(ServerError) as info:
            await mocked.loads.create(data_table_id=1, destination_connection_id=2)
    assert info.value.attempts == 1
    assert _calls(mock, "POST") == 1


async def test_post_on_500_retried_when_idempotent(mocked: AsyncImprovado) -> None:
    with aioresponses() as mock:
        mock.post(LOADS_URL, status=500, payload={"details": "boom"})
        mock.post(LOADS_URL, payload=LOAD)
        load = await mocked.loads.create(
            data_table_id=1, destination_connection_id=2, idempotent=True
        )
    assert load.id == 7 and _calls(mock, "POST") == 2


async def test_post_on_429_is_retried(mocked: AsyncImprovado) -> None:
    with aioresponses() as mock:
        mock.post(LOADS_URL, status=429, payload={"details": "slow down"})
        mock.post(LOADS_URL, payload=LOAD)
        await mocked.loads.create(data_table_id=1, destination_connection_id=2)
    assert _calls(mock, "POST") == 2


async def test_post_retried_on_connect_error(mocked: AsyncImprovado) -> None:
    import aiohttp

    with aioresponses() as mock:
        mock.post(LOADS_URL, exception=aiohttp.ClientConnectorError(None, OSError(111, "refused")))  # type: ignore[arg-type]
        mock.post(LOADS_URL, payload=LOAD)
        await mocked.loads.create(data_table_id=1, destination_connection_id=2)
    assert _calls(mock, "POST") == 2


async def test_post_not_retried_after_disconnect(mocked: AsyncImprovado) -> None:
    import aiohttp

    with aioresponses() as mock:
        mock.post(LOADS_URL, exception=aiohttp.ServerDisconnectedError())
        mock.post(LOADS_URL, payload=LOAD)
        with pytest.raises(APIConnectionError):
            await mocked.loads.create(data_table_id=1, destination_connection_id=2)
    assert _calls(mock, "POST") == 1


async def test_retry_after_above_cap_raises_at_once(mocked: AsyncImprovado) -> None:
    with aioresponses() as mock:
        mock.get(LOAD_URL, status=429, headers={"Retry-After": "3600"}, repeat=True)
        started = time.monotonic()
        with pytest.raises(RateLimitError) as info:
            await mocked.loads.get(7)
    assert time.monotonic() - started < 1
    assert info.value.retry_after == 3600
    assert _calls(mock, "GET") == 1


async def test_429_retry_after_is_honoured_on_the_wire(sandbox: Sandbox) -> None:
    sandbox.add_fault("GET", "/api/v3/loads", status=429, retry_after=1, times=1)
    async with AsyncImprovado(token=sandbox.mint_token(), base_url=sandbox.base_url) as client:
        started = time.monotonic()
        page = await client.loads.list()
        elapsed = time.monotonic() - started
    assert page.count >= 1
    assert elapsed >= 1.0
    hits = [r for r in sandbox.requests if r.path == "/api/v3/loads"]
    assert [r.status for r in hits] == [429, 200]


async def test_dropped_connection_retried_for_get(sandbox: Sandbox) -> None:
    sandbox.add_fault("GET", "/api/v3/loads", drop=True, times=2)
    async with AsyncImprovado(
        token=sandbox.mint_token(),
        base_url=sandbox.base_url,
        retry=RetryPolicy(backoff_base=0.01),
    ) as client:
        assert (await client.loads.list()).count >= 1
    assert sum(1 for r in sandbox.requests if r.path == "/api/v3/loads") == 3


async def test_total_deadline_bounds_retries(sandbox: Sandbox) -> None:
    sandbox.add_fault("GET", "/api/v3/loads", status=503, retry_after=0.4)
    async with AsyncImprovado(
        token=sandbox.mint_token(),
        base_url=sandbox.base_url,
        retry=RetryPolicy(max_retries=10),
        timeout=Timeout(total=1.0),
    ) as client:
        started = time.monotonic()
        with pytest.raises(ServerError):
            await client.loads.list()
        assert time.monotonic() - started < 1.3


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_is_full_jitter_and_capped() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=8.0)
    delays = [policy.delay_for(None, 10) for _ in range(200)]
    assert all(0 <= d <= 8.0 for d in delays)
    assert max(delays) > 2.0  # jitter spreads over the whole window
