"""Read and total limits enforced by the per-loop watchdog, against a real loopback server.

Each test serves ``GET /api/v3/loads/{id}`` from a small ``aiohttp.web`` app on 127.0.0.1 whose
behaviour the test picks (slow headers, a slow but steady body, a body that stalls, ...). Time
bounds are generous (the CI machines are small and noisy) but always well short of the handler's
own delay, so a limit that did not fire, or fired late, fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from improvado_async import APITimeoutError, AsyncImprovado, RetryPolicy, Timeout
from improvado_async.models.loads import Load

Behaviour = Callable[[web.Request], Awaitable[web.StreamResponse]]

NO_RETRY = RetryPolicy(max_retries=0)


class LoopbackServer:
    """An aiohttp app on 127.0.0.1 serving loads with a behaviour the test chooses."""

    def __init__(self) -> None:
        self.behaviour: Behaviour = self.fast
        self.requests = 0
        self.arrived = asyncio.Event()  # set when a request reaches the handler
        self.stall_started: float | None = None  # monotonic time a stalling body stopped
        self._release = asyncio.Event()  # set at teardown: every pause ends at once
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/api/v3/loads/{load_id}", self._dispatch)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def pause(self, seconds: float) -> None:
        """Sleep in a handler, cut short when the server shuts down."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._release.wait(), seconds)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        self.arrived.set()
        return await self.behaviour(request)

    # -- behaviours -------------------------------------------------------------------------

    @staticmethod
    def load(request: web.Request) -> dict[str, object]:
        return {"id": int(request.match_info["load_id"]), "status": "success"}

    async def fast(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.load(request))

    def slow_headers(self, seconds: float) -> Behaviour:
        """The response (headers included) comes only after ``seconds``."""

        async def handler(request: web.Request) -> web.StreamResponse:
            await self.pause(seconds)
            return web.json_response(self.load(request))

        return handler

    def trickle(self, chunks: int, gap: float, *, stall_after: int | None = None) -> Behaviour:
        """Headers at once, then a JSON body in ``chunks`` pieces ``gap`` seconds apart.

        With ``stall_after``, the body stops for 3 s after that many pieces, then ends truncated.
        """

        async def handler(request: web.Request) -> web.StreamResponse:
            body = json.dumps({**self.load(request), "error_text": "x" * 200}).encode()
            size = -(-len(body) // chunks)
            pieces = [body[i : i + size] for i in range(0, len(body), size)]
            resp = web.StreamResponse(headers={"Content-Type": "application/json"})
            await resp.prepare(request)
            for index, piece in enumerate(pieces):
                if index:
                    await self.pause(gap)
                await resp.write(piece)
                if stall_after is not None and index + 1 == stall_after:
                    self.stall_started = time.monotonic()
                    await self.pause(3)
                    return resp
            await resp.write_eof()
            return resp

        return handler


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    srv = LoopbackServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def client(server: LoopbackServer) -> AsyncIterator[AsyncImprovado]:
    async with AsyncImprovado(token="t", base_url=server.base_url, retry=NO_RETRY) as c:
        yield c


def _watching(client: AsyncImprovado) -> int:
    watchdog = client._pipeline.sessions.watchdog
    assert watchdog is not None, "no watchdog: the session was never created"
    return watchdog.watching


def _assert_cancel_count_balanced() -> None:
    """The running task carries no stray cancel request (Python 3.11+ counts them)."""
    if sys.version_info >= (3, 11):
        task = asyncio.current_task()
        assert task is not None
        assert task.cancelling() == 0


async def test_headers_that_never_arrive_hit_the_read_limit(
    server: LoopbackServer, client: AsyncImprovado
) -> None:
    server.behaviour = server.slow_headers(2.0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="read limit") as info:
        await client.loads.get(1, timeout=Timeout(read=0.2))
    elapsed = time.monotonic() - started
    assert 0.19 <= elapsed <= 0.7, elapsed
    assert info.value.attempts == 1
    assert server.requests == 1
    _assert_cancel_count_balanced()
    assert _watching(client) == 0


async def test_steady_body_slower_than_the_read_limit_succeeds(
    server: LoopbackServer, client: AsyncImprovado
) -> None:
    # Each pause (0.1 s) is well under the read limit, the whole body (1.2 s) three times over it.
    server.behaviour = server.trickle(chunks=12, gap=0.1)
    started = time.monotonic()
    load = await client.loads.get(7, timeout=Timeout(read=0.4))
    elapsed = time.monotonic() - started
    assert isinstance(load, Load)
    assert load.id == 7 and load.status == "success"
    assert load.error_text == "x" * 200  # the whole body arrived, not a prefix
    assert elapsed >= 1.0, f"body arrived in {elapsed:.2f}s: not the slow stream meant"
    assert _watching(client) == 0


async def test_body_that_stalls_hits_the_read_limit(
    server: LoopbackServer, client: AsyncImprovado
) -> None:
    # Headers and the first chunk of the body, then nothing for 3 s.
    server.behaviour = server.trickle(chunks=4, gap=0.05, stall_after=1)
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="read limit"):
        await client.loads.get(1, timeout=Timeout(read=0.3))
    ended = time.monotonic()
    assert server.stall_started is not None, "the body never started"
    since_stall = ended - server.stall_started
    # Not before the limit has passed since the last chunk, and noticed soon after it.
    assert 0.29 <= since_stall <= 0.6, since_stall
    assert ended - started <= 0.8, ended - started
    _assert_cancel_count_balanced()
    assert _watching(client) == 0


async def test_stall_soon_after_the_headers_is_noticed_in_time(
    server: LoopbackServer, client: AsyncImprovado
) -> None:
    # Two chunks 20 ms apart right after the headers, then the body stops. deadlines.py
    # promises a pause is noticed within read / 4 of the limit: at most 0.625 s here. The
    # chunk that arrives after the headers must not stretch the allowed pause towards 2 x read.
    server.behaviour = server.trickle(chunks=4, gap=0.02, stall_after=2)
    with pytest.raises(APITimeoutError, match="read limit"):
        await client.loads.get(1, timeout=Timeout(read=0.5))
    ended = time.monotonic()
    assert server.stall_started is not None, "the body never started"
    since_stall = ended - server.stall_started
    assert 0.49 <= since_stall <= 0.8, f"a {since_stall:.3f}s pause went unnoticed (read=0.5)"
    _assert_cancel_count_balanced()
    assert _watching(client) == 0


async def test_total_limit_without_read_limit(
    server: LoopbackServer, client: AsyncImprovado
) -> None:
    server.behaviour = server.slow_headers(2.0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="total limit"):
        await client.loads.get(1, timeout=Timeout(total=0.3, read=None))
    elapsed = time.monotonic() - started
    assert 0.29 <= elapsed < 0.8, elapsed
    _assert_cancel_count_balanced()
    assert _watching(client) == 0


async def test_total_limit_bounds_the_retries(server: LoopbackServer) -> None:
    # Every attempt times out on its read limit and is retried; the total limit ends the call.
    server.behaviour = server.slow_headers(2.0)
    retry = RetryPolicy(max_retries=20, backoff_base=0.01, backoff_max=0.02)
    async with AsyncImprovado(token="t", base_url=server.base_url, retry=retry) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as info:
            await client.loads.get(1, timeout=Timeout(read=0.15, total=0.6))
        elapsed = time.monotonic() - started
        assert 0.55 <= elapsed < 1.1, elapsed
        assert server.requests >= 2, "no retry happened: the test measures nothing"
        assert info.value.attempts >= 2
        _assert_cancel_count_balanced()
        assert _watching(client) == 0


async def test_external_cancellation_is_not_a_timeout(
    server: LoopbackServer, client: AsyncImprovado
) -> None:
    server.behaviour = server.slow_headers(3.0)
    task = asyncio.create_task(client.loads.get(1, timeout=Timeout(read=5)))
    await asyncio.wait_for(server.arrived.wait(), 2)  # the request is on the wire, under watch
    await asyncio.sleep(0.1)
    assert _watching(client) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert _watching(client) == 0
    _assert_cancel_count_balanced()


async def test_outer_wait_for_raises_its_own_timeout(
    server: LoopbackServer, client: AsyncImprovado
) -> None:
    server.behaviour = server.slow_headers(3.0)
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError) as info:
        await asyncio.wait_for(client.loads.get(1, timeout=Timeout(read=5)), 0.2)
    assert not isinstance(info.value, APITimeoutError)
    assert time.monotonic() - started < 1.0
    assert _watching(client) == 0
    _assert_cancel_count_balanced()
    if sys.version_info >= (3, 11):
        # A later asyncio.timeout in the same task still turns its own expiry into TimeoutError.
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await asyncio.sleep(1)
        async with asyncio.timeout(1):
            await asyncio.sleep(0)
        _assert_cancel_count_balanced()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.timeout is Python 3.11+")
async def test_outer_asyncio_timeout_in_the_same_task(
    server: LoopbackServer, client: AsyncImprovado
) -> None:
    # Unlike wait_for on 3.11, asyncio.timeout cancels the calling task itself (as wait_for
    # does from 3.12): the SDK must let that cancellation through and not claim it.
    if sys.version_info < (3, 11):  # for type checkers; the test is skipped there
        return
    server.behaviour = server.slow_headers(3.0)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        async with asyncio.timeout(0.2):
            await client.loads.get(1, timeout=Timeout(read=5))
    assert not isinstance(info.value, APITimeoutError)
    assert time.monotonic() - started < 1.0
    _assert_cancel_count_balanced()
    assert _watching(client) == 0
    server.behaviour = server.fast
    assert (await client.loads.get(2, timeout=Timeout(read=5))).id == 2


async def test_client_recovers_after_a_timeout_and_close_cancels_the_timer(
    server: LoopbackServer,
) -> None:
    client = AsyncImprovado(token="t", base_url=server.base_url, retry=NO_RETRY)
    try:
        server.behaviour = server.slow_headers(2.0)
        with pytest.raises(APITimeoutError, match="read limit"):
            await client.loads.get(1, timeout=Timeout(read=0.2))
        assert _watching(client) == 0
        _assert_cancel_count_balanced()

        server.behaviour = server.fast
        load = await client.loads.get(3, timeout=Timeout(read=5))
        assert load.id == 3 and load.status == "success"
        # The default limits (client-wide and via with_options) are watched the same way.
        assert (await client.loads.get(4)).id == 4
        fast = client.with_options(timeout=Timeout(read=1.0))
        assert (await fast.loads.get(5)).id == 5
        assert _watching(client) == 0

        watchdog = client._pipeline.sessions.watchdog
        assert watchdog is not None
        # A finished attempt leaves the timer armed (it goes quiet by itself) ...
        assert watchdog._handle is not None
    finally:
        await client.aclose()
    # ... and closing the client cancels it, so nothing of the client stays on the loop.
    assert watchdog._handle is None
    assert watchdog.watching == 0


async def test_many_concurrent_calls_succeed_and_leave_no_watch(
    server: LoopbackServer, client: AsyncImprovado
) -> None:
    peak = 0

    async def busy(request: web.Request) -> web.StreamResponse:
        nonlocal peak
        peak = max(peak, _watching(client))
        await server.pause(0.05)
        return web.json_response(server.load(request))

    server.behaviour = busy
    ids = range(1, 51)
    loads = await asyncio.gather(*(client.loads.get(i, timeout=Timeout(read=5)) for i in ids))
    assert [load.id for load in loads] == list(ids)
    assert server.requests == 50
    assert peak > 1, "the calls never overlapped"
    assert _watching(client) == 0
