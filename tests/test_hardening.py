"""Hostile servers and careless callers (issue 14): each test failed on the client before the fix.

Every server here is a small ``aiohttp.web`` app on 127.0.0.1 whose answers the test chooses.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import logging
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from improvado_async import (
    APITimeoutError,
    AsyncImprovado,
    AuthenticationError,
    ConfigurationError,
    RedirectError,
    ResponseDecodeError,
    ResponseTooLargeError,
    RetryPolicy,
    ServerError,
    Timeout,
    ValidationError,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

USERNAME, PASSWORD, TOKEN = "agency-user", "Pa55-word-xyz", "tok-live-abcdef123456"
BASIC = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
SESSION_ID = "sess0123456789abcdef"


class Server:
    """A loopback app: ``routes`` maps ``METHOD /path`` to a handler; every request is kept."""

    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = routes
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> Server:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, shutdown_timeout=0.05)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _, _ in self.seen if (m, p) == (method, path))

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append((request.method, request.path, dict(request.headers), body))
        handler = self.routes.get(f"{request.method} {request.path}")
        if handler is None:
            return web.json_response({"details": "Not found."}, status=404)
        return await handler(request)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[dict[str, Handler]], Awaitable[Server]]]:
    servers: list[Server] = []

    async def start(routes: dict[str, Handler]) -> Server:
        server = await Server(routes).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


def load(load_id: int = 7) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"id": load_id, "status": "success"})

    return handler


def redirect(status: int, location: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})

    return handler


def client_for(server: Server, **options: object) -> AsyncImprovado:
    kwargs: dict[str, object] = {"token": TOKEN, "workspace_id": 1, "base_url": server.base_url}
    kwargs.update(options)
    return AsyncImprovado(**kwargs)  # type: ignore[arg-type]


# -- 1. redirects ---------------------------------------------------------------------------


async def test_same_origin_get_redirect_is_followed_once_logged(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]], caplog: pytest.LogCaptureFixture
) -> None:
    server = await serve(
        {"GET /api/v3/loads/7": redirect(301, "/api/v3/loads/7/"), "GET /api/v3/loads/7/": load()}
    )
    caplog.set_level(logging.INFO, logger="improvado")
    async with client_for(server) as client:
        assert (await client.loads.get(7)).id == 7
        assert (await client.loads.get(7)).id == 7
    followed = [r for r in server.seen if r[1] == "/api/v3/loads/7/"]
    assert len(followed) == 2 and all(r[2]["Authorization"] == f"Bearer {TOKEN}" for r in followed)
    hints = [r for r in caplog.records if "redirected" in r.getMessage()]
    assert len(hints) == 1 and hints[0].levelno == logging.INFO  # once per path


async def test_cross_origin_redirect_is_refused_and_nothing_reaches_the_other_origin(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    other = await serve({"GET /steal": load()})
    target = other.base_url.replace("http://", f"http://user:{PASSWORD}@") + "/steal?token=abc"
    server = await serve({"GET /api/v3/loads/7": redirect(302, target)})
    async with client_for(server) as client:
        with pytest.raises(RedirectError) as info:
            await client.loads.get(7)
    assert other.seen == []
    err = info.value
    assert err.status == 302 and err.location is not None
    assert other.base_url in err.location
    text = f"{err} {err.location}"
    assert PASSWORD not in text and "abc" not in text and "user:" not in text


async def test_post_answered_307_is_not_resent(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    server = await serve({"POST /api/v3/loads": redirect(307, "/api/v3/loads/elsewhere")})
    async with client_for(server) as client:
        with pytest.raises(RedirectError) as info:
            await client.loads.create(data_table_id=1, destination_connection_id=2)
    assert info.value.status == 307
    assert [(m, p) for m, p, _, _ in server.seen] == [("POST", "/api/v3/loads")]


async def test_redirect_loop_stops_after_three_hops(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    server = await serve(
        {
            "GET /api/v3/loads/7": redirect(302, "/api/v3/loads/7/"),
            "GET /api/v3/loads/7/": redirect(302, "/api/v3/loads/7"),
        }
    )
    async with client_for(server) as client:
        with pytest.raises(RedirectError):
            await client.loads.get(7)
    assert len(server.seen) == 4  # the request and three followed hops


# -- 2. response size -----------------------------------------------------------------------


async def test_a_small_gzip_bomb_is_refused_while_inflating(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    inflated = b'{"id": 7, "pad": "' + b"a" * (8 * 1024 * 1024) + b'"}'
    compressed = gzip.compress(inflated)

    async def bomb(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=compressed,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    server = await serve({"GET /api/v3/loads/7": bomb})
    assert len(compressed) < 64 * 1024
    async with client_for(server, max_response_bytes=1024 * 1024) as client:
        with pytest.raises(ResponseTooLargeError) as info:
            await client.loads.get(7)
    assert info.value.limit == 1024 * 1024 and info.value.status == 200


async def test_a_body_over_the_cap_is_refused_by_its_length(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    async def big(request: web.Request) -> web.StreamResponse:
        return web.json_response({"id": 7, "pad": "x" * 200_000})

    server = await serve({"GET /api/v3/loads/7": big})
    async with client_for(server, max_response_bytes=100_000) as client:
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes=100000"):
            await client.loads.get(7)
    async with client_for(server) as client:  # the default cap (32 MiB) lets it through
        assert (await client.loads.get(7)).id == 7


def test_max_response_bytes_must_be_positive() -> None:
    with pytest.raises(ConfigurationError, match="max_response_bytes"):
        AsyncImprovado(token=TOKEN, max_response_bytes=0)


# -- 3. hostile JSON ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 400, 500])
async def test_deeply_nested_json_is_a_typed_error(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]], status: int
) -> None:
    async def nested(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"[" * 200_000, status=status, content_type="application/json")

    server = await serve({"GET /api/v3/loads/7": nested})
    async with client_for(server, retry=0) as client:
        with pytest.raises((ResponseDecodeError, ServerError, Exception)) as info:
            await client.loads.get(7)
    assert not isinstance(info.value, RecursionError)
    expected = ResponseDecodeError if status == 200 else type(info.value)
    assert isinstance(info.value, expected)
    assert getattr(info.value, "status", None) == status


# -- 5. token storms ------------------------------------------------------------------------


def token_endpoint(status: int, delay: float = 0.0) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(delay)
        if status == 200:
            return web.json_response({"token": TOKEN})
        return web.json_response({"details": "no"}, status=status)

    return handler


def basic_client(server: Server, **options: object) -> AsyncImprovado:
    kwargs: dict[str, object] = {
        "username": USERNAME,
        "password": PASSWORD,
        "workspace_id": 1,
        "base_url": server.base_url,
    }
    kwargs.update(options)
    return AsyncImprovado(**kwargs)  # type: ignore[arg-type]


async def test_a_wrong_password_costs_one_mint_for_500_callers(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    server = await serve({"POST /api/v3/token": token_endpoint(401, delay=0.05)})
    async with basic_client(server) as client:
        results = await asyncio.gather(
            *(client.loads.get(7) for _ in range(500)), return_exceptions=True
        )
    assert all(isinstance(r, AuthenticationError) for r in results)
    assert server.count("POST", "/api/v3/token") == 1


async def test_a_failing_token_endpoint_is_tried_once_per_retry_not_per_caller(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    server = await serve({"POST /api/v3/token": token_endpoint(503)})
    policy = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02)
    async with basic_client(server, retry=policy) as client:
        results = await asyncio.gather(
            *(client.loads.get(7) for _ in range(40)), return_exceptions=True
        )
    assert all(isinstance(r, ServerError) and r.during_token_mint for r in results)
    assert server.count("POST", "/api/v3/token") == 3  # one mint with its own two retries
    assert server.count("GET", "/api/v3/loads/7") == 0


# -- 6. deadlines ---------------------------------------------------------------------------


async def test_total_timeout_bounds_the_token_mint(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    server = await serve({"POST /api/v3/token": token_endpoint(200, delay=5.0)})
    async with basic_client(server, timeout=Timeout(total=0.5)) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await client.loads.get(7)
        assert time.monotonic() - started < 2.5


async def test_waiting_for_a_pooled_connection_is_not_sent_and_a_post_is_retried(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    async def slow_create(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.5)
        return web.json_response({"id": 9})

    server = await serve({"POST /api/v3/loads": slow_create})
    limits = Timeout(read=5.0, pool=0.2)
    async with client_for(server, max_connections=1, timeout=limits, retry=0) as client:
        first = asyncio.ensure_future(
            client.loads.create(data_table_id=1, destination_connection_id=2)
        )
        await asyncio.sleep(0.05)
        with pytest.raises(APITimeoutError, match="pool") as info:
            await client.loads.create(data_table_id=1, destination_connection_id=2)
        assert info.value.request_sent is False
        assert (await first).id == 9
    assert server.count("POST", "/api/v3/loads") == 1


# -- 8. secrets beyond logs -----------------------------------------------------------------


def _everything_about(exc: BaseException) -> str:
    """The exception as error trackers see it: every SDK and aiohttp frame with its locals
    (this test's own frame holds the credentials it passed in, so it is left out), the chain."""
    rendered = traceback.TracebackException.from_exception(exc, capture_locals=True)
    frames = [frame for frame in rendered.stack if frame.filename != __file__]
    assert any("improvado_async" in frame.filename for frame in frames)
    parts = [repr(exc), str(exc)]
    parts += [f"{frame.filename}:{frame.lineno} {frame.locals}" for frame in frames]
    cause = exc.__cause__ or exc.__context__
    while cause is not None:
        parts += [repr(cause), str(cause), repr(getattr(cause, "request_info", None))]
        cause = cause.__cause__ or cause.__context__
    return "\n".join(parts)


@pytest.mark.parametrize("credentials", ["token", "basic", "cookie"])
async def test_no_secret_in_tracebacks_with_locals_or_exception_chains(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]], credentials: str
) -> None:
    async def rejected(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"details": "no"},
            status=403,
            headers={"Set-Cookie": f"dts_session_id={SESSION_ID}-new; Path=/"},
        )

    async def hang_up(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    server = await serve(
        {
            "GET /api/v3/loads/7": rejected,
            "GET /api/v3/loads/8": hang_up,
            "POST /api/v3/token": token_endpoint(200),
            "GET /api/v3/workspaces": rejected,
        }
    )
    options: dict[str, object] = {
        "token": {"token": TOKEN, "workspace_id": 1},
        "basic": {"username": USERNAME, "password": PASSWORD, "workspace_id": 1},
        "cookie": {"session_id": SESSION_ID, "workspace_id": 1},
    }[credentials]  # type: ignore[assignment]
    failures: list[BaseException] = []
    async with AsyncImprovado(base_url=server.base_url, retry=0, **options) as client:  # type: ignore[arg-type]
        calls = [client.loads.get(7), client.loads.get(8)]
        if credentials == "basic":
            calls.append(client.workspaces.list().first_page())
        for call in calls:
            try:
                await call
            except Exception as exc:
                failures.append(exc)
    assert len(failures) == len(calls)
    for exc in failures:
        text = _everything_about(exc)
        for secret in (TOKEN, PASSWORD, BASIC, SESSION_ID, BASIC.split()[1]):
            assert secret not in text, f"{secret[:4]}... leaked via {type(exc).__name__}"


# -- 9. input checks ------------------------------------------------------------------------


@pytest.mark.parametrize("name", [".", ".."])
async def test_dot_segments_are_refused_as_names(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]], name: str
) -> None:
    server = await serve({})
    async with client_for(server) as client:
        with pytest.raises(ValidationError) as info:
            await client.datasource_connections.delete(name, 5)
    assert info.value.field == "datasource_name"
    assert server.seen == []


async def test_an_int_subclass_cannot_change_the_path(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    class Sneaky(int):
        def __str__(self) -> str:
            return "../../roles"

        __repr__ = int.__repr__

    server = await serve({"GET /api/v3/loads/7": load()})
    async with client_for(server) as client:
        assert (await client.loads.get(Sneaky(7))).id == 7
    assert [p for _, p, _, _ in server.seen] == ["/api/v3/loads/7"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"token": "abc\r\nX-Evil: 1"}, "token"),
        ({"session_id": "abc; admin=1", "workspace_id": 1}, "session_id"),
        ({"session_id": "abc\nx", "workspace_id": 1}, "session_id"),
        ({"username": "a:b", "password": "p"}, "username"),
        ({"username": "a", "password": "p\r\nq"}, "password"),
    ],
)
def test_header_breaking_credentials_are_refused(options: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigurationError, match=field) as info:
        AsyncImprovado(base_url="http://127.0.0.1:1", **options)  # type: ignore[arg-type]
    for value in options.values():
        if isinstance(value, str) and len(value) > 2:
            assert value not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:80@evil.example/hook",
        "http://localhost@evil.example/hook",
        "http://evil.example/hook",
        "https://user:pw@evil.example/hook",
        "https://",
    ],
)
async def test_webhook_urls_must_be_https_or_really_loopback(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]], url: str
) -> None:
    server = await serve({})
    async with client_for(server) as client:
        with pytest.raises(ValidationError) as info:
            await client.webhook_endpoints.create(url=url, event_types=["load_completed"])
    assert info.value.field == "url"
    assert server.seen == []


# -- 11. bodiless requests ------------------------------------------------------------------


async def test_a_request_without_a_body_sends_no_content_type(
    serve: Callable[[dict[str, Handler]], Awaitable[Server]],
) -> None:
    async def strict(request: web.Request) -> web.StreamResponse:
        if "Content-Type" in request.headers and not await request.read():
            return web.json_response({"details": "unsupported"}, status=415)
        return web.json_response({"id": 7, "status": "running"})

    server = await serve({"PUT /api/v3/loads/7/run": strict, "PUT /api/v3/loads/7/pause": strict})
    async with client_for(server) as client:
        assert (await client.loads.run(7)).id == 7
        assert (await client.loads.pause(7)).id == 7
        await client.loads.run(7, date_from="2026-01-01", date_to="2026-01-31")
    with_body = [h for m, p, h, b in server.seen if b]
    assert with_body and with_body[0]["Content-Type"] == "application/json"
    assert all("Content-Type" not in h for _, _, h, b in server.seen if not b)
