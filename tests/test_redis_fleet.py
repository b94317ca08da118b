"""Fleet scale on Redis (issue 16): tokens, a rate limit and webhook de-duplication shared by many
processes through ``improvado_async.contrib.redis``, against a real ``redis-server``.

The fleet tests start real processes ('spawn'): the sandbox runs in a thread of this process,
the clients (or webhook receivers) in the others. Without ``redis-server`` every test here
skips, unless ``IMPROVADO_REQUIRE_REDIS=1`` (see ``tests/redis_support.py``).
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import logging
import multiprocessing
import os
import pickle
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from improvado_async import APITimeoutError, AsyncImprovado, ConfigurationError, TokenCache
from improvado_async.sandbox import Sandbox
from improvado_async.webhooks import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    ClaimResult,
    WebhookReceiver,
    sign,
)
from tests import redis_support
from tests.redis_support import RedisServer

redis_contrib = pytest.importorskip(
    "improvado_async.contrib.redis",
    reason="redis-py is not installed (pip install -e '.[test]')",
)
RedisIdempotencyStore = redis_contrib.RedisIdempotencyStore
RedisRateLimiter = redis_contrib.RedisRateLimiter
RedisTokenCache = redis_contrib.RedisTokenCache
RedisClient = redis_contrib.aioredis.Redis
StoreError = redis_contrib.StoreError

T = TypeVar("T")
SPAWN = multiprocessing.get_context("spawn")
WEBHOOK_SECRET = "whsec-fleet"


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the module; tests keep apart by key prefix, and never stop it."""
    with redis_support.running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own, which it may stop and restart."""
    with redis_support.running_redis(tmp_path) as server:
        yield server


@pytest.fixture
def prefix() -> str:
    """A key prefix no other test uses."""
    return f"t-{uuid.uuid4().hex[:8]}:"


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The shared server's URL."""
    return redis_server.url


@pytest.fixture
async def raw(redis_url: str) -> AsyncIterator[Any]:
    """A plain redis-py client, to look at what the stores wrote."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_url)
    yield client
    await _close(client)


async def _close(client: Any) -> None:
    """Close a redis-py client (``aclose`` since 5.0.1, ``close`` before)."""
    await (getattr(client, "aclose", None) or client.close)()


def _sandbox_client(sandbox: Sandbox, **options: Any) -> AsyncImprovado:
    return AsyncImprovado(
        username=sandbox.username,
        password=sandbox.password,
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
        **options,
    )


async def _list_loads(client: AsyncImprovado) -> Any:
    return await client.request("GET", "/api/v3/loads", params={"page_size": 1})


def _join(processes: list[Any], timeout: float) -> None:
    """Wait for every process (bounded); kill any left and fail."""
    deadline = time.monotonic() + timeout
    for proc in processes:
        proc.join(max(0.1, deadline - time.monotonic()))
    alive = [p for p in processes if p.is_alive()]
    for proc in alive:
        proc.kill()
        proc.join(5)
    assert not alive, f"{len(alive)} worker process(es) did not finish within {timeout} s"
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]


def _drain(queue: Any, count: int, timeout: float) -> list[dict[str, Any]]:
    return [queue.get(timeout=timeout) for _ in range(count)]


# -- configuration --------------------------------------------------------------------------------


def test_importing_without_redis_py_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("redis", "redis.asyncio", "redis.asyncio.retry", "redis.backoff"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "improvado_async.contrib.redis")
    with pytest.raises(ImportError, match=r"pip install 'redis>=5\.0'"):
        importlib.import_module("improvado_async.contrib.redis")


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (lambda: RedisTokenCache(42), "redis_or_url"),
        (lambda: RedisTokenCache("http://127.0.0.1:6379"), "redis_or_url"),
        (lambda: RedisTokenCache(_sync_redis()), "redis.asyncio.Redis"),
        (lambda: RedisTokenCache("redis://h", on_store_error="ignore"), "on_store_error"),
        (lambda: RedisTokenCache("redis://h", encrypt=bytes), "encrypt and decrypt"),
        (lambda: RedisTokenCache("redis://h", lock_timeout=0), "lock_timeout"),
        (lambda: RedisTokenCache("redis://h", prefix=None), "prefix"),
        (lambda: RedisRateLimiter("redis://h", "k", 0, 1), "rate"),
        (lambda: RedisRateLimiter("redis://h", "k", 10, 0), "burst"),
        (lambda: RedisRateLimiter("redis://h", "", 10, 1), "key"),
        (lambda: RedisRateLimiter("redis://h", "k", 10, 1, lease=-1), "lease"),
        (lambda: RedisIdempotencyStore("redis://h", ttl=0), "ttl"),
        (lambda: RedisIdempotencyStore("redis://h", retry_interval=0), "retry_interval"),
    ],
)
def test_bad_settings_raise_a_configuration_error_naming_them(build: Any, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        build()


def _sync_redis() -> Any:
    import redis

    return redis.Redis()


async def test_a_down_redis_in_raise_mode_hides_the_password() -> None:
    # Port 1 on loopback refuses connections: the failure is immediate.
    cache = RedisTokenCache("redis://:s3cret-pw@127.0.0.1:1/0", on_store_error="raise")
    assert "s3cret-pw" not in repr(cache)
    assert isinstance(cache, TokenCache)
    with pytest.raises(StoreError) as caught:
        await cache.get("key")
    assert "s3cret-pw" not in str(caught.value)
    assert caught.value.store == "RedisTokenCache" and caught.value.operation == "GET"
    assert isinstance(caught.value.__cause__, Exception)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.store, copy.operation, str(copy)) == ("RedisTokenCache", "GET", str(caught.value))
    await cache.aclose()


# -- token cache ----------------------------------------------------------------------------------


async def test_token_cache_stores_the_token_under_the_documented_key_with_its_ttl(
    redis_url: str, prefix: str, raw: Any
) -> None:
    cache = RedisTokenCache(redis_url, prefix=prefix)
    await cache.set("abc123", "tok-1", 30.0)
    assert cache.token_key("abc123") == f"{prefix}token:abc123"
    assert await raw.get(f"{prefix}token:abc123") == b"tok-1"
    assert 29_000 < await raw.pttl(f"{prefix}token:abc123") <= 30_000
    assert await cache.get("abc123") == "tok-1"
    assert "tok-1" not in repr(await cache.get("abc123"))  # a Secret: redacted repr

    await cache.invalidate("abc123", "some-other-token")  # not the stored one: kept
    assert await cache.get("abc123") == "tok-1"
    await cache.invalidate("abc123", "tok-1")
    assert await cache.get("abc123") is None
    assert await raw.exists(f"{prefix}token:abc123") == 0
    await cache.aclose()


def _toy_cipher() -> tuple[Any, Any]:
    """A non-deterministic reversible transform (stands in for Fernet in the tests)."""

    def encrypt(data: bytes) -> bytes:
        nonce = os.urandom(4)
        return base64.b64encode(nonce + bytes(b ^ nonce[i % 4] for i, b in enumerate(data)))

    def decrypt(data: bytes) -> bytes:
        blob = base64.b64decode(data, validate=True)
        nonce, body = blob[:4], blob[4:]
        if len(nonce) < 4:
            raise ValueError("not ours")
        return bytes(b ^ nonce[i % 4] for i, b in enumerate(body))

    return encrypt, decrypt


async def test_token_cache_stores_only_ciphertext_when_given_a_cipher(
    redis_url: str, prefix: str, raw: Any
) -> None:
    encrypt, decrypt = _toy_cipher()
    cache = RedisTokenCache(redis_url, prefix=prefix, encrypt=encrypt, decrypt=decrypt)
    token = "tok-secret-4242"
    await cache.set("k", token, 60)
    stored = await raw.get(f"{prefix}token:k")
    assert token.encode() not in stored and token.encode() not in base64.b64decode(stored)
    assert await cache.get("k") == token
    await cache.invalidate("k", "another")  # ciphertexts differ; the plaintext decides
    assert await cache.get("k") == token
    await cache.invalidate("k", token)
    assert await raw.exists(f"{prefix}token:k") == 0

    await raw.set(f"{prefix}token:k", b"garbage that does not decrypt")
    assert await cache.get("k") is None  # unusable: the client mints a new token
    await cache.aclose()


async def test_the_mint_lock_is_held_by_one_cache_at_a_time(
    redis_url: str, prefix: str, raw: Any
) -> None:
    first = RedisTokenCache(redis_url, prefix=prefix)
    second = RedisTokenCache(redis_url, prefix=prefix)  # as in another process
    order: list[str] = []
    inside = asyncio.Event()

    async def hold() -> None:
        async with first.lock("k"):
            order.append("first in")
            inside.set()
            assert await raw.get(f"{prefix}token-lock:k") is not None
            await asyncio.sleep(0.2)
            order.append("first out")

    async def wait_then_enter() -> None:
        await inside.wait()
        async with second.lock("k"):
            order.append("second in")

    await asyncio.wait_for(asyncio.gather(hold(), wait_then_enter()), 10)
    assert order == ["first in", "first out", "second in"]
    assert await raw.exists(f"{prefix}token-lock:k") == 0
    await first.aclose()
    await second.aclose()


async def test_a_lock_left_by_a_dead_process_expires_and_a_stuck_one_is_waited_out(
    redis_url: str, prefix: str, raw: Any, caplog: pytest.LogCaptureFixture
) -> None:
    cache = RedisTokenCache(redis_url, prefix=prefix, lock_timeout=0.3)
    await raw.set(f"{prefix}token-lock:k", b"dead-process", px=100)
    async with cache.lock("k"):  # the dead holder's lock expired after 100 ms
        assert await raw.get(f"{prefix}token-lock:k") != b"dead-process"

    await raw.set(f"{prefix}token-lock:k", b"stuck-process", px=60_000)
    with caplog.at_level(logging.WARNING, logger="improvado.redis"):
        async with cache.lock("k"):  # waited lock_timeout, then minting without it
            pass
    assert "minting without it" in caplog.text
    assert await raw.get(f"{prefix}token-lock:k") == b"stuck-process"  # not ours: kept
    await cache.aclose()


# -- rate limiter ---------------------------------------------------------------------------------


async def test_limiters_sharing_a_key_never_exceed_rate_times_time_plus_burst(
    redis_url: str, prefix: str, raw: Any
) -> None:
    rate, burst, seconds = 100.0, 10, 1.0
    limiters = [RedisRateLimiter(redis_url, "shared", rate, burst, prefix=prefix) for _ in range(4)]
    granted: list[float] = []
    end = time.monotonic() + seconds

    async def take(limiter: Any) -> None:
        while True:
            try:
                await limiter.acquire(end)
            except APITimeoutError as exc:
                assert exc.request_sent is False
                return
            granted.append(time.monotonic())

    started = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(take(lim) for lim in limiters for _ in range(8))), 10)
    assert len(granted) <= rate * (time.monotonic() - started) + burst
    assert len(granted) >= 0.5 * (rate * seconds + burst)  # generous: a loaded machine
    round_trips = sum(lim.round_trips for lim in limiters)
    assert round_trips < len(granted)  # leases: several permits per round trip
    assert await raw.hexists(f"{prefix}ratelimit:shared", "tat")
    for limiter in limiters:
        await limiter.aclose()


async def test_a_permit_past_the_deadline_raises_at_once_and_waiting_is_cancellable(
    redis_url: str, prefix: str
) -> None:
    limiter = RedisRateLimiter(redis_url, "slow", 1, 1, prefix=prefix)
    await limiter.acquire()  # the only permit of this second
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as caught:
        await limiter.acquire(time.monotonic() + 0.3)
    assert caught.value.request_sent is False
    assert time.monotonic() - started < 0.25  # not slept until the deadline: known at once

    waiter = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0.05)
    assert not waiter.done()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.wait_for(limiter.acquire(), 5)  # the limiter still works after a cancel
    await limiter.aclose()


async def test_a_pause_stops_every_limiter_sharing_the_key_on_the_redis_clock(
    redis_url: str, prefix: str, raw: Any
) -> None:
    here = RedisRateLimiter(redis_url, "paused", 1000, 10, prefix=prefix)
    there = RedisRateLimiter(redis_url, "paused", 1000, 10, prefix=prefix)
    await there.acquire()  # holds a lease from before the pause
    seconds, micros = await raw.time()
    await here.pause(0.5)
    until = int(await raw.hget(f"{prefix}ratelimit:paused", "pause"))
    redis_now = seconds * 1_000_000 + micros
    assert 0.5e6 <= until - redis_now < 0.6e6  # stored on Redis TIME, not a local clock

    started = time.monotonic()
    await asyncio.wait_for(there.acquire(), 5)  # its lease of before: at most `lease` old
    await asyncio.wait_for(there.acquire(), 5)
    await asyncio.wait_for(there.acquire(), 5)
    # Any permit held from before the pause is spent or dropped within `lease` (50 ms): then
    # the process waits out the pause. Lower bound only (a busy machine only adds time).
    assert time.monotonic() - started >= 0.35
    await here.pause(0.5)
    with pytest.raises(APITimeoutError):  # a deadline inside a pause fails at once
        await here.acquire(time.monotonic() + 0.1)
    await here.aclose()
    await there.aclose()


class _SlowRedis(RedisClient):
    """A Redis 30 ms away: every command waits before it is sent."""

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        await asyncio.sleep(0.03)
        return await super().execute_command(*args, **options)


async def test_a_redis_slower_than_the_lease_still_hands_out_permits(
    redis_url: str, prefix: str
) -> None:
    slow = _SlowRedis.from_url(redis_url)
    limiter = RedisRateLimiter(slow, "far", 1000, 10, prefix=prefix, lease=0.01)
    for _ in range(3):  # each lease arrives later than `lease` after it was asked for
        await asyncio.wait_for(limiter.acquire(), 5)
    await _close(slow)


def test_a_finished_round_trip_is_not_awaited_again(redis_url: str, prefix: str) -> None:
    failures: list[BaseException] = []

    async def scenario() -> None:
        limiter = RedisRateLimiter(redis_url, "spin", 1000, 10, prefix=prefix)
        finished = asyncio.get_running_loop().create_future()
        finished.set_result(None)
        limiter._refill = finished  # a round trip whose done-callback has not run yet
        await asyncio.wait_for(limiter.acquire(), 5)
        await limiter.aclose()

    def run() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:
            failures.append(exc)

    # In a thread: a loop that spins without yielding would never let a timeout fire.
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "acquire() spun on a finished round trip"
    assert failures == []


# -- idempotency store ----------------------------------------------------------------------------


async def test_idempotency_store_claims_completes_and_releases_keys(
    redis_url: str, prefix: str, raw: Any
) -> None:
    store = RedisIdempotencyStore(redis_url, prefix=prefix, ttl=3600)
    name = f"{prefix}webhook:event:e1"
    assert store.redis_key("event:e1") == name
    assert await store.claim("event:e1", 30) is ClaimResult.CLAIMED
    assert await raw.get(name) == b"in_progress"
    assert 29_000 < await raw.pttl(name) <= 30_000
    assert await store.claim("event:e1", 30) is ClaimResult.IN_PROGRESS
    await store.complete("event:e1")
    assert await raw.get(name) == b"done"
    assert 3_599_000 < await raw.pttl(name) <= 3_600_000
    assert await store.claim("event:e1", 30) is ClaimResult.DONE
    await store.release("event:e1")
    assert await store.claim("event:e1", 0.05) is ClaimResult.CLAIMED
    await asyncio.sleep(0.1)  # the lease of a process that died runs out
    assert await store.claim("event:e1", 30) is ClaimResult.CLAIMED
    await store.aclose()


# -- Redis failing mid-run ------------------------------------------------------------------------


def _store_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "improvado.redis" and r.levelno == logging.WARNING
    ]


async def test_calls_go_on_with_one_warning_per_store_while_redis_is_down(
    sandbox: Sandbox, own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    cache = RedisTokenCache(own_redis.url, retry_interval=0.3)
    limiter = RedisRateLimiter(own_redis.url, "api", 1000, 50, retry_interval=0.3)
    caplog.set_level(logging.INFO, logger="improvado.redis")
    async with _sandbox_client(sandbox, token_cache=cache, rate_limiter=limiter) as client:
        for _ in range(5):
            await _list_loads(client)
        own_redis.stop()
        sandbox.expire_tokens()  # the next call re-mints: the token cache is needed now
        for _ in range(40):  # spans several retry intervals: Redis is retried, still down
            await _list_loads(client)
            await asyncio.sleep(0.01)
        warnings = _store_warnings(caplog)
        assert len(warnings) == 2, warnings  # one per store, for the whole outage
        assert {w.split(":")[0] for w in warnings} == {"RedisTokenCache", "RedisRateLimiter"}
        assert cache.degraded and limiter.degraded

        own_redis.start()  # back (empty) on the same port
        await asyncio.sleep(0.35)
        sandbox.expire_tokens()
        await _list_loads(client)
        assert not cache.degraded and not limiter.degraded
        assert len(await cache.redis.keys("improvado:token:*")) == 1  # shared again
    assert "answers again" in caplog.text
    assert len(_store_warnings(caplog)) == 2
    await cache.aclose()
    await limiter.aclose()


async def test_a_redis_restart_mid_run_fails_no_call(
    sandbox: Sandbox, own_redis: RedisServer
) -> None:
    cache = RedisTokenCache(own_redis.url, retry_interval=0.2)
    limiter = RedisRateLimiter(own_redis.url, "api", 2000, 50, retry_interval=0.2)
    async with _sandbox_client(sandbox, token_cache=cache, rate_limiter=limiter) as client:
        done = asyncio.Event()
        calls = 0

        async def keep_calling() -> None:
            nonlocal calls
            while not done.is_set():
                await _list_loads(client)
                calls += 1

        workers = [asyncio.ensure_future(keep_calling()) for _ in range(4)]
        await asyncio.sleep(0.2)
        await asyncio.to_thread(own_redis.restart)
        sandbox.expire_tokens()
        await asyncio.sleep(0.5)
        done.set()
        await asyncio.wait_for(asyncio.gather(*workers), 10)  # re-raises any failed call
    assert calls > 20
    await cache.aclose()
    await limiter.aclose()


async def test_raise_mode_raises_store_error_from_calls_and_receivers_answer_503(
    sandbox: Sandbox, own_redis: RedisServer
) -> None:
    import redis.exceptions

    limiter = RedisRateLimiter(own_redis.url, "api", 1000, 10, on_store_error="raise")
    cache = RedisTokenCache(own_redis.url, on_store_error="raise")
    store = RedisIdempotencyStore(own_redis.url, on_store_error="raise")
    async with _sandbox_client(sandbox, rate_limiter=limiter) as client:
        await _list_loads(client)
        own_redis.stop()
        with pytest.raises(StoreError) as caught:
            await _list_loads(client)
    assert isinstance(caught.value.__cause__, redis.exceptions.ConnectionError)
    assert caught.value.store == "RedisRateLimiter"
    with pytest.raises(StoreError):
        await cache.get("k")
    with pytest.raises(StoreError):
        await store.claim("event:1", 30)

    receiver = WebhookReceiver(WEBHOOK_SECRET, store=store)
    body = json.dumps({"id": "evt-503", "type": "load.succeeded", "data": {}}).encode()
    headers = {SIGNATURE_HEADER: sign(WEBHOOK_SECRET, body)}
    async with (
        TestServer(receiver.app, host="127.0.0.1") as server,
        aiohttp.ClientSession() as session,
        session.post(server.make_url("/"), data=body, headers=headers) as resp,
    ):
        assert resp.status == 503  # Improvado retries the delivery later
        assert (await resp.json())["error"] == "store_unavailable"
    for item in (limiter, cache, store):
        await item.aclose()


# -- a sandbox that records arrival times --------------------------------------------------------


class ArrivalSandbox(Sandbox):
    """The sandbox, also recording ``[time.monotonic(), method, path, status]`` per request as it
    arrives (the journal has no times). Time is the test process's monotonic clock."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrivals: list[list[Any]] = []

    def build_app(self) -> web.Application:
        """The sandbox's application with the arrival stamp as its outermost middleware."""
        app = super().build_app()
        app.middlewares.insert(0, self._stamp)
        return app

    @web.middleware
    async def _stamp(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        entry: list[Any] = [time.monotonic(), request.method, request.path, None]
        self.arrivals.append(entry)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            entry[3] = exc.status
            raise
        entry[3] = response.status
        return response


class ThreadedSandbox:
    """An :class:`ArrivalSandbox` served from its own event-loop thread, for tests whose clients
    run in other processes. Touch its state only through :meth:`call` and :meth:`sync`."""

    def __init__(self, **kwargs: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.sandbox: ArrivalSandbox = self.call(self._started(kwargs))

    @staticmethod
    async def _started(kwargs: dict[str, Any]) -> ArrivalSandbox:
        sandbox = ArrivalSandbox(**kwargs)
        await sandbox.start()
        return sandbox

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run ``coro`` on the sandbox loop."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def sync(self, fn: Callable[[], T]) -> T:
        """Run ``fn()`` on the sandbox loop."""

        async def run() -> T:
            return fn()

        return self.call(run())

    def close(self) -> None:
        """Stop the sandbox and its thread."""
        try:
            self.call(self.sandbox.stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()


# -- fleets of processes --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def threaded_sandbox_with_arrivals() -> Iterator[ThreadedSandbox]:
    """A sandbox in a thread of this process, for client processes to call."""
    sandbox = ThreadedSandbox()
    try:
        yield sandbox
    finally:
        sandbox.close()


def _settings(ts: ThreadedSandbox, redis_url: str, **more: Any) -> dict[str, Any]:
    sb = ts.sandbox
    return {
        "base_url": sb.base_url,
        "username": sb.username,
        "password": sb.password,
        "redis_url": redis_url,
        "prefix": f"fleet-{uuid.uuid4().hex[:8]}:",
        **more,
    }


@pytest.mark.slow
def test_eight_processes_mint_once_per_workspace_and_once_more_after_expiry(
    threaded_sandbox_with_arrivals: ThreadedSandbox, redis_url: str
) -> None:
    ts = threaded_sandbox_with_arrivals
    sb = ts.sandbox
    ts.sync(sb.clear_requests)
    workspaces = [sb.workspace_id, sb.other_workspace_id]
    settings = _settings(ts, redis_url, workspaces=workspaces, calls=200)
    start, results = SPAWN.Event(), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=redis_support.token_worker, args=(settings, start, results))
        for _ in range(8)
    ]
    for proc in workers:
        proc.start()
    total = 8 * len(workspaces) * 200
    begun = ts.sync(lambda: len(sb.arrivals))  # other tests' requests came before
    try:
        start.set()
        deadline = time.monotonic() + 60
        while ts.sync(lambda: len(sb.arrivals)) - begun < total // 2:  # the middle of the run
            assert time.monotonic() < deadline, "the fleet made no progress"
            time.sleep(0.02)
        ts.sync(sb.expire_tokens)
        reports = _drain(results, len(workers), 60)
    finally:
        _join(workers, 30)

    assert [r["errors"] for r in reports] == [[]] * 8
    assert sum(r["ok"] for r in reports) == total
    mints = ts.sync(
        lambda: [r.json["workspace_id"] for r in sb.requests if r.path == "/api/v3/token"]
    )
    # One mint per workspace at the cold start, one per workspace after the expiry: 2 + 2.
    assert sorted(mints) == sorted(workspaces * 2), mints
    unauthorized = ts.sync(lambda: sum(1 for r in sb.requests if r.status == 401))
    assert unauthorized >= 1  # the expiry did hit calls mid-run


RATE, BURST, WINDOW = 200.0, 20, 5.0
PAUSE_AT, RUN_FOR, RETRY_AFTER = 5.3, 8.6, 2
# A lease's permits are spent within lease (0.05 s) + horizon (0.05 s) of the pause; the rest is
# slack for an event loop stalled by a busy machine.
DRAIN = 0.2


@pytest.fixture(scope="module")
def limited_fleet(
    threaded_sandbox_with_arrivals: ThreadedSandbox, redis_server: RedisServer
) -> dict[str, Any]:
    """8 processes sharing RedisRateLimiter(rate=200, burst=20): a 5 s window, then one
    injected 429 Retry-After: 2. Returns the arrivals (sandbox clock) and the worker reports."""
    ts = threaded_sandbox_with_arrivals
    sb = ts.sandbox
    settings = _settings(
        ts,
        redis_server.url,
        workspace_id=sb.workspace_id,
        key="api",
        rate=RATE,
        burst=BURST,
        seconds=RUN_FOR,
        concurrency=8,
    )
    start, results = SPAWN.Event(), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=redis_support.limiter_worker, args=(settings, start, results))
        for _ in range(8)
    ]
    for proc in workers:
        proc.start()
    try:
        assert len(_drain(results, len(workers), 60)) == 8  # every worker minted and is ready
        time.sleep(BURST / RATE + 0.05)  # the warm-up calls' permits flow back into the bucket
        begun = ts.sync(lambda: len(sb.arrivals))
        t0 = time.monotonic()
        start.set()
        time.sleep(max(0.0, t0 + PAUSE_AT - time.monotonic()))
        ts.sync(
            lambda: sb.add_fault(
                "GET", "/api/v3/loads*", status=429, retry_after=RETRY_AFTER, times=1
            )
        )
        reports = _drain(results, len(workers), RUN_FOR + 30)
    finally:
        _join(workers, 30)
    arrivals = ts.sync(lambda: [tuple(a) for a in sb.arrivals[begun:]])
    ts.sync(sb.clear_faults)
    return {"t0": t0, "arrivals": arrivals, "reports": reports}


@pytest.mark.slow
def test_eight_processes_share_one_rate_limit(limited_fleet: dict[str, Any]) -> None:
    t0, arrivals = limited_fleet["t0"], limited_fleet["arrivals"]
    in_window = [a for a in arrivals if t0 <= a[0] < t0 + WINDOW]
    limit = RATE * WINDOW + BURST
    assert len(in_window) <= limit
    assert len(in_window) >= 0.9 * limit, f"{len(in_window)} requests in {WINDOW} s"
    reports = limited_fleet["reports"]
    assert [r["errors"] for r in reports] == [[]] * 8
    calls = sum(r["ok"] for r in reports)
    assert sum(r["round_trips"] for r in reports) < calls  # leases, not a round trip per call


@pytest.mark.slow
def test_one_429_pauses_every_process_for_its_retry_after(limited_fleet: dict[str, Any]) -> None:
    arrivals, reports = limited_fleet["arrivals"], limited_fleet["reports"]
    throttled = [a[0] for a in arrivals if a[3] == 429]
    assert len(throttled) == 1
    answered_429 = throttled[0]
    paused = [t for r in reports for t in r["pauses"]]
    assert len(paused) == 1  # the process that got the 429 stored the fleet's pause
    stored = paused[0]
    # No process takes a permit from then until the Retry-After has passed, except from a lease
    # in hand when the pause was stored (at most lease + horizon = 0.1 s). Monotonic clocks are
    # one clock across the processes of a host.
    permits = [t for r in reports for t in r["permits"]]
    sent = [t for t in permits if stored + DRAIN < t < answered_429 + RETRY_AFTER]
    assert sent == [], f"{len(sent)} permits taken during the pause"
    arrived = [a for a in arrivals if stored + DRAIN + 0.4 < a[0] < answered_429 + RETRY_AFTER]
    assert arrived == [], f"{len(arrived)} requests arrived during the pause"
    resumed = [a for a in arrivals if answered_429 + RETRY_AFTER <= a[0]]
    assert len(resumed) > 50  # and the fleet goes on afterwards


@pytest.mark.slow
async def test_four_receivers_handle_a_delivery_once(redis_url: str, tmp_path: Path) -> None:
    record = tmp_path / "handled.jsonl"
    settings = {
        "redis_url": redis_url,
        "prefix": f"hooks-{uuid.uuid4().hex[:8]}:",
        "secret": WEBHOOK_SECRET,
        "record": str(record),
        "handler_seconds": 0.5,
    }
    stop, results = SPAWN.Event(), SPAWN.Queue()
    receivers = [
        SPAWN.Process(target=redis_support.receiver_worker, args=(settings, stop, results))
        for _ in range(4)
    ]
    for proc in receivers:
        proc.start()
    try:
        ready = await asyncio.to_thread(_drain, results, 4, 60)
        urls = [f"http://127.0.0.1:{r['port']}/" for r in ready]
        async with aiohttp.ClientSession() as session:

            async def deliver(event: dict[str, Any]) -> list[tuple[int, str]]:
                body = json.dumps(event).encode()
                headers = {
                    SIGNATURE_HEADER: sign(WEBHOOK_SECRET, body),
                    IDEMPOTENCY_HEADER: f"key-{event['id']}",
                }

                async def post(url: str) -> tuple[int, str]:
                    async with session.post(url, data=body, headers=headers) as resp:
                        answer = await resp.json()
                        return resp.status, answer.get("status") or answer.get("error")

                return await asyncio.gather(*(post(url) for url in urls))

            ok_event = {"id": "evt-once", "type": "load.succeeded", "data": {}}
            first = await deliver(ok_event)
            again = await deliver(ok_event)

            flaky = {"id": "evt-flaky", "type": "load.failed", "data": {"fail_first": True}}
            failed = await deliver(flaky)
            retried = await deliver(flaky)
            after = await deliver(flaky)
    finally:
        stop.set()
        await asyncio.to_thread(_join, receivers, 30)

    assert sorted(first) == [
        (200, "ok"),
        (503, "in_progress"),
        (503, "in_progress"),
        (503, "in_progress"),
    ]
    assert again == [(200, "duplicate")] * 4
    assert sorted(failed) == [(500, "handler_failed")] + [(503, "in_progress")] * 3
    assert sorted(retried) == [(200, "ok")] + [(503, "in_progress")] * 3
    assert after == [(200, "duplicate")] * 4
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [e["what"] for e in lines if e["event"] == "evt-once"] == ["start", "done"]
    assert [e["what"] for e in lines if e["event"] == "evt-flaky"] == [
        "start",
        "fail",
        "start",
        "done",
    ]
