"""(9) Fleet rate limit on Redis: client CPU per call at concurrency 64, with and without a limiter.

``client.loads.get`` against the minimal aiohttp server (separate process, other core), 64
requests in flight, in three variants: no limiter (the reference), ``RedisRateLimiter`` against a
local ``redis-server`` (started here on the server core, nothing saved), and ``LocalRateLimiter``
for context. The rates are high enough never to throttle, so the figures are the cost of asking:
the Redis limiter takes leases of many permits per round trip (one Lua script call), so its cost
per call stays small. Target: Redis limiter CPU per call <= 1.3x no limiter.

Needs ``redis-server`` on the PATH and redis-py (in the ``bench`` extra).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from improvado_async import AsyncImprovado, LocalRateLimiter

from ._harness import (
    SERVER_CORE,
    Measure,
    Segment,
    ServerProcess,
    check,
    drive,
    interleaved,
    parse_args,
    pin_client,
    print_checks,
    print_table,
    summarise,
    write_result,
)

NAME = "redis_limiter"
REFERENCE = "no limiter"
REDIS = "RedisRateLimiter"
LOCAL = "LocalRateLimiter"
METRICS = ("cpu_us_per_op", "ops_per_s", "permits_per_round_trip")
CONCURRENCY = 64
TARGET = 1.3
#: Far above what one client reaches: the limiter never makes a call wait.
RATE, BURST = 1_000_000.0, 10_000


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway ``redis-server`` on a free loopback port (pinned to the server core)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit(
            "redis_limiter: redis-server is not installed (apt-get install redis-server)"
        )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as directory:
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", directory, "--logfile", ""]
        if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:  # as ServerProcess does
            command = ["taskset", "-c", str(SERVER_CORE), *command]
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        try:
            _wait_for_pong(port)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _wait_for_pong(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.01)
    raise RuntimeError(f"redis-server did not answer on port {port}")


async def bench(runs: int, quick: bool) -> dict[str, Any]:
    """Run the variants interleaved; return the results payload."""
    from improvado_async.contrib.redis import RedisRateLimiter

    total = 1000 if quick else 3000
    with ServerProcess("minimal") as server, redis_server() as redis_url:
        base_url, load_id = server["base_url"], server["load_id"]
        redis_limiter = RedisRateLimiter(redis_url, "bench", RATE, BURST)
        options: dict[str, dict[str, Any]] = {
            REFERENCE: {},
            REDIS: {"rate_limiter": redis_limiter},
            LOCAL: {"rate_limiter": LocalRateLimiter(RATE, BURST)},
        }
        async with contextlib.AsyncExitStack() as stack:
            calls: dict[str, Callable[[], Awaitable[object]]] = {}
            for variant, extra in options.items():
                client = await stack.enter_async_context(
                    AsyncImprovado(token="bench-token", base_url=base_url, **extra)
                )
                calls[variant] = _get_load(client, load_id)
            for call in calls.values():
                await drive(call, 4 * CONCURRENCY, CONCURRENCY)
            segments: list[Segment] = []
            for run, variant in interleaved(runs, list(calls)):
                trips = redis_limiter.round_trips
                with Measure(variant, run, total) as m:
                    await drive(calls[variant], total, CONCURRENCY)
                assert m.segment is not None
                used = redis_limiter.round_trips - trips
                m.segment.extra = {
                    "permits_per_round_trip": total / used if variant == REDIS and used else 0.0
                }
                segments.append(m.segment)
        await redis_limiter.aclose()
    summary = summarise(segments, REFERENCE, METRICS)
    print_table(f"client cost at concurrency {CONCURRENCY}", summary, METRICS)
    checks = [
        check(
            "RedisRateLimiter / no limiter, client CPU per call",
            summary["ratios"][REDIS]["cpu_us_per_op"],
            "<=",
            TARGET,
        )
    ]
    print_checks(checks)
    return {
        "server": "minimal aiohttp.web, local redis-server",
        "concurrency": CONCURRENCY,
        "requests_per_run": total,
        "rate": RATE,
        "burst": BURST,
        **summary,
        "checks": checks,
        "segments": segments,
    }


def _get_load(client: AsyncImprovado, load_id: int) -> Callable[[], Awaitable[object]]:
    """``client.loads.get(load_id)`` as a no-argument call."""

    async def call() -> object:
        return await client.loads.get(load_id)

    return call


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    args = parse_args(__doc__ or NAME, argv)
    pin_client()
    payload = asyncio.run(bench(args.runs, args.quick))
    write_result(NAME, args, payload)


if __name__ == "__main__":
    main()
