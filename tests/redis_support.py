"""Support for the Redis tests: a real ``redis-server``, and the code their worker processes run.

Worker functions run in processes started with ``multiprocessing`` 'spawn', so they live in
this importable module, which imports nothing a worker does not need (no pytest, no sandbox):
eight workers importing the sandbox would cost seconds of CPU.

Without ``redis-server`` (Debian: ``apt-get install redis-server``) or redis-py the tests skip
with the reason, unless ``IMPROVADO_REQUIRE_REDIS=1`` (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

REQUIRE_ENV = "IMPROVADO_REQUIRE_REDIS"


def _unavailable(reason: str) -> None:
    import pytest

    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 requires the Redis tests to run")
    pytest.skip(reason)


def redis_server_binary() -> str:
    """The ``redis-server`` path; skips (or fails, see module docstring) when it cannot run."""
    path = shutil.which("redis-server")
    if path is None:
        _unavailable("redis-server is not installed (Debian: apt-get install redis-server)")
    try:
        import redis.asyncio  # noqa: F401
    except ImportError:
        _unavailable("redis-py is not installed (pip install -e '.[test]')")
    assert path is not None
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A ``redis-server`` on a free loopback port, its files in ``directory``.

    :meth:`stop` and :meth:`start` (or :meth:`restart`) mid-test keep the same port, so clients
    built from :attr:`url` reconnect to it.
    """

    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.directory = directory
        self.port = _free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        """Whether the server process is up."""
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        """Start it and wait until it answers PING."""
        log = self.directory / "redis.log"
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
            "--logfile",
            str(log),
        ]
        self._proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while not _pong(self.port):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                text = log.read_text() if log.exists() else ""
                raise RuntimeError(f"redis-server did not start on port {self.port}:\n{text}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after 5 s); idempotent."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()

    def restart(self) -> None:
        """Stop, then start on the same port (an empty database: nothing is saved)."""
        self.stop()
        self.start()


@contextlib.contextmanager
def running_redis(directory: Path) -> Iterator[RedisServer]:
    """A started :class:`RedisServer`, stopped on exit."""
    server = RedisServer(redis_server_binary(), directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# -- worker processes ---------------------------------------------------------------------------


def _client(settings: dict[str, Any], workspace_id: int, **options: Any) -> Any:
    from improvado_async import AsyncImprovado

    return AsyncImprovado(
        username=settings["username"],
        password=settings["password"],
        workspace_id=workspace_id,
        base_url=settings["base_url"],
        **options,
    )


async def _list_loads(client: Any, **options: Any) -> Any:
    return await client.request("GET", "/api/v3/loads", params={"page_size": 1}, **options)


def token_worker(settings: dict[str, Any], start: Any, results: Any) -> None:
    """``settings["calls"]`` calls to each workspace, 4 at a time, all processes sharing one
    :class:`RedisTokenCache`; puts ``{"ok", "errors"}`` on ``results``."""
    asyncio.run(_token_worker(settings, start, results))


async def _token_worker(settings: dict[str, Any], start: Any, results: Any) -> None:
    from improvado_async.contrib.redis import RedisTokenCache

    cache = RedisTokenCache(settings["redis_url"], prefix=settings["prefix"])
    clients = [_client(settings, ws, token_cache=cache) for ws in settings["workspaces"]]
    errors: list[str] = []
    ok = 0

    async def run(client: Any, calls: int) -> None:
        nonlocal ok
        for _ in range(calls):
            try:
                await _list_loads(client)
                ok += 1
            except Exception as exc:
                errors.append(repr(exc))

    await asyncio.to_thread(start.wait, 30)
    per_task = settings["calls"] // 4
    await asyncio.gather(*(run(c, per_task) for c in clients for _ in range(4)))
    for client in clients:
        await client.aclose()
    await cache.aclose()
    results.put({"pid": os.getpid(), "ok": ok, "errors": errors[:5]})


def limiter_worker(settings: dict[str, Any], start: Any, results: Any) -> None:
    """Calls as fast as a shared :class:`RedisRateLimiter` allows for ``settings["seconds"]``
    after ``start`` is set; puts ``{"ok", "errors", "round_trips", "permits", "pauses"}`` (times
    on this host's monotonic clock) on ``results``."""
    asyncio.run(_limiter_worker(settings, start, results))


async def _limiter_worker(settings: dict[str, Any], start: Any, results: Any) -> None:
    from improvado_async import APITimeoutError, Timeout
    from improvado_async.contrib.redis import RedisRateLimiter, RedisTokenCache

    class RecordingLimiter(RedisRateLimiter):
        """Notes when each permit is handed out (the request then goes straight to the wire)
        and when a pause was stored."""

        permits: list[float] = []
        pauses: list[float] = []

        async def acquire(self, deadline: float | None = None) -> None:
            await super().acquire(deadline)
            self.permits.append(time.monotonic())

        async def pause(self, seconds: float) -> None:
            await super().pause(seconds)
            self.pauses.append(time.monotonic())

    url, prefix = settings["redis_url"], settings["prefix"]
    limiter = RecordingLimiter(
        url, settings["key"], settings["rate"], settings["burst"], prefix=prefix
    )
    cache = RedisTokenCache(url, prefix=prefix)
    client = _client(settings, settings["workspace_id"], token_cache=cache, rate_limiter=limiter)
    await _list_loads(client)  # mints (once for the fleet) before the clock starts
    results.put({"ready": os.getpid()})
    await asyncio.to_thread(start.wait, 30)
    end = time.monotonic() + settings["seconds"]
    ok, errors = 0, []

    async def run() -> None:
        nonlocal ok
        while (left := end - time.monotonic()) > 0.01:
            try:
                # The call's deadline is the end of the run: no permit is waited for past it.
                await _list_loads(client, timeout=Timeout(total=left))
                ok += 1
            except APITimeoutError:
                return
            except Exception as exc:
                errors.append(repr(exc))

    await asyncio.gather(*(run() for _ in range(settings["concurrency"])))
    await client.aclose()
    await limiter.aclose()
    await cache.aclose()
    results.put(
        {
            "pid": os.getpid(),
            "ok": ok,
            "errors": errors[:5],
            "round_trips": limiter.round_trips,
            "permits": limiter.permits,
            "pauses": limiter.pauses,
        }
    )


def receiver_worker(settings: dict[str, Any], stop: Any, results: Any) -> None:
    """A :class:`WebhookReceiver` on a free port sharing a :class:`RedisIdempotencyStore`; its
    handler appends ``start``/``fail``/``done`` lines (JSON) to ``settings["record"]``. Puts
    ``{"port"}`` on ``results`` once listening, serves until ``stop`` is set."""
    asyncio.run(_receiver_worker(settings, stop, results))


async def _receiver_worker(settings: dict[str, Any], stop: Any, results: Any) -> None:
    from aiohttp import web

    from improvado_async.contrib.redis import RedisIdempotencyStore
    from improvado_async.webhooks import WebhookEvent, WebhookReceiver

    record = Path(settings["record"])
    store = RedisIdempotencyStore(settings["redis_url"], prefix=settings["prefix"])
    receiver = WebhookReceiver(settings["secret"], store=store)

    def note(event: WebhookEvent, what: str) -> None:
        line = json.dumps({"event": event.id, "what": what, "pid": os.getpid()}) + "\n"
        with record.open("a") as out:  # one short O_APPEND write: whole lines across processes
            out.write(line)

    @receiver.on("*")
    async def handle(event: WebhookEvent) -> None:
        note(event, "start")
        await asyncio.sleep(settings["handler_seconds"])
        marker = record.with_name(f"failed-{event.id}")
        if event.data.get("fail_first") and not marker.exists():
            marker.touch()
            note(event, "fail")
            raise RuntimeError("the first attempt fails")
        note(event, "done")

    runner = web.AppRunner(receiver.app, access_log=None, handle_signals=False)
    await runner.setup()
    sock = socket.create_server(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    results.put({"port": sock.getsockname()[1]})
    await asyncio.to_thread(stop.wait, 60)
    await runner.cleanup()
    await store.aclose()
