"""Rate limiters and token caches in one process (issue 16; the Redis ones: test_redis_*.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from improvado_async import (
    APITimeoutError,
    AsyncImprovado,
    ConfigurationError,
    InMemoryTokenCache,
    LocalRateLimiter,
    RateLimitError,
    RetryPolicy,
    Timeout,
)
from improvado_async.sandbox import Sandbox


def client_for(sandbox: Sandbox, **options: Any) -> AsyncImprovado:
    return AsyncImprovado(
        username=sandbox.username,
        password=sandbox.password,
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
        **options,
    )


async def test_local_rate_limiter_spaces_requests(sandbox: Sandbox) -> None:
    limiter = LocalRateLimiter(rate=50, burst=5)
    async with client_for(sandbox, rate_limiter=limiter) as client:
        await client.loads.get(3001)  # the mint, and a first permit
        started = time.monotonic()
        await asyncio.gather(*(client.loads.get(3001) for _ in range(30)))
        took = time.monotonic() - started
    # 30 permits at 50/s with ~4 left in the burst: at least (30 - 5) / 50 = 0.5 s.
    assert took >= 0.45


async def test_a_429_with_retry_after_pauses_every_client_sharing_the_limiter(
    sandbox: Sandbox,
) -> None:
    limiter = LocalRateLimiter(rate=1000, burst=100)
    policy = RetryPolicy(max_retries=1)
    async with (
        client_for(sandbox, rate_limiter=limiter, retry=policy) as first,
        client_for(sandbox, rate_limiter=limiter) as second,
    ):
        await first.loads.get(3001)
        await second.loads.get(3001)
        sandbox.add_fault("GET", "/api/v3/loads/3001", status=429, retry_after=1, times=1)
        hit = time.monotonic()
        retried = asyncio.ensure_future(first.loads.get(3001))
        await asyncio.sleep(0.1)
        other = await second.loads.list().first_page()  # waits for the pause the 429 set
        assert time.monotonic() - hit >= 0.95 and other.results
        assert (await retried).id == 3001


async def test_a_rate_limit_wait_counts_against_the_deadline(sandbox: Sandbox) -> None:
    limiter = LocalRateLimiter(rate=1, burst=1)
    async with client_for(sandbox, rate_limiter=limiter) as client:
        await client.loads.get(3001)
        with pytest.raises(APITimeoutError) as info:
            await client.loads.get(3001, timeout=Timeout(total=0.3))
    assert info.value.request_sent is False


async def test_a_rate_limit_wait_is_cancellable(sandbox: Sandbox) -> None:
    limiter = LocalRateLimiter(rate=0.5, burst=1)
    async with client_for(sandbox, rate_limiter=limiter) as client:
        await client.loads.get(3001)
        waiting = asyncio.ensure_future(client.loads.get(3001))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting


async def test_operation_limiters_apply_to_their_operation_only(sandbox: Sandbox) -> None:
    runs = LocalRateLimiter(rate=5, burst=1)
    async with client_for(sandbox, operation_rate_limiters={"loads.get": runs}) as client:
        await client.loads.get(3001)
        started = time.monotonic()
        await asyncio.gather(*(client.loads.list().first_page() for _ in range(5)))
        assert time.monotonic() - started < 0.5  # lists are not limited
        await asyncio.gather(*(client.loads.get(3001) for _ in range(3)))
        assert time.monotonic() - started >= 0.35  # three gets at 5/s after the first


def test_unknown_operation_names_and_bad_limiters_are_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"loads\.rnu"):
        AsyncImprovado(token="t", operation_rate_limiters={"loads.rnu": LocalRateLimiter(1)})
    with pytest.raises(ConfigurationError, match="rate_limiter"):
        AsyncImprovado(token="t", rate_limiter=object())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="rate"):
        LocalRateLimiter(rate=0)


async def test_a_shared_token_cache_means_one_mint_for_many_clients(sandbox: Sandbox) -> None:
    cache = InMemoryTokenCache()
    clients = [client_for(sandbox, token_cache=cache) for _ in range(4)]
    try:
        await asyncio.gather(*(c.loads.get(3001) for c in clients for _ in range(5)))
        assert sum(1 for r in sandbox.requests if r.path == "/api/v3/token") == 1
        sandbox.expire_tokens()
        await asyncio.gather(*(c.loads.get(3001) for c in clients))
        assert sum(1 for r in sandbox.requests if r.path == "/api/v3/token") == 2
    finally:
        for client in clients:
            await client.aclose()


async def test_rate_limit_error_still_raised_past_the_cap(sandbox: Sandbox) -> None:
    limiter = LocalRateLimiter(rate=100, burst=10)
    async with client_for(sandbox, rate_limiter=limiter, retry=0) as client:
        await client.loads.get(3001)
        sandbox.add_fault("GET", "/api/v3/loads/3001", status=429, retry_after=1, times=1)
        with pytest.raises(RateLimitError):
            await client.loads.get(3001)
