"""Network options against real loopback servers: a forward-proxy process, TLS, own sessions.

The proxy is ``tests/_proxy.py`` run as a subprocess (it logs every request line it receives);
TLS uses a throwaway certificate authority from ``trustme`` and the sandbox served over HTTPS.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import select
import socket
import ssl
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest
import trustme
from aiohttp import web

import improvado_async._transport.session as session_module
from improvado_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncImprovado,
    ConfigurationError,
    Timeout,
    WrongEventLoopError,
)
from improvado_async.sandbox import Sandbox
from improvado_async.testing import SandboxThread, client_kwargs
from improvado_sync import Improvado

PROXY_SCRIPT = Path(__file__).with_name("_proxy.py")
PROXY_USER = "proxy-user"
PROXY_PASSWORD = "Pr0xy-S3cret!"
WRONG_PASSWORD = "Wr0ng-S3cret!"
_ENV_PROXY_NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


# -- the proxy process -----------------------------------------------------------------------


class ProxyProcess:
    """A running ``tests/_proxy.py``: its port, its URL and the request lines it logged."""

    def __init__(self, port: int, log: Path, process: subprocess.Popen[str]) -> None:
        self.port = port
        self.log = log
        self.process = process

    def url(self, user: str | None = None, password: str | None = None) -> str:
        """``http://[user:password@]127.0.0.1:<port>``."""
        auth = "" if user is None else f"{user}:{password}@"
        return f"http://{auth}127.0.0.1:{self.port}"

    def entries(self) -> list[dict[str, Any]]:
        """Every request line seen so far (the proxy logs before it answers)."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def _start_proxy(log: Path, auth: str | None) -> ProxyProcess:
    args = [sys.executable, str(PROXY_SCRIPT), "--port", "0", "--log", str(log)]
    if auth is not None:
        args += ["--auth", auth]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 20)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("PORT "):
        process.kill()
        process.wait()
        raise RuntimeError(f"the proxy did not start (printed {line!r})")
    return ProxyProcess(int(line.split()[1]), log, process)


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[ProxyProcess]:
    """A forward proxy on 127.0.0.1 that requires ``PROXY_USER:PROXY_PASSWORD``."""
    running = _start_proxy(tmp_path / "proxy.jsonl", f"{PROXY_USER}:{PROXY_PASSWORD}")
    try:
        yield running
    finally:
        _stop(running.process)


@pytest.fixture
def open_proxy(tmp_path: Path) -> Iterator[ProxyProcess]:
    """A forward proxy on 127.0.0.1 that asks for no credentials."""
    running = _start_proxy(tmp_path / "open-proxy.jsonl", None)
    try:
        yield running
    finally:
        _stop(running.process)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No proxy variables (either case) and an empty netrc, whatever the developer's shell has."""
    for name in _ENV_PROXY_NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    empty = tmp_path / "netrc"
    empty.write_text("")
    monkeypatch.setenv("NETRC", str(empty))
    return monkeypatch


def _free_port() -> int:
    """A loopback port nothing listens on (connecting to it is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _journal_lines(sandbox: Sandbox) -> list[tuple[str, str, dict[str, str]]]:
    return [(r.method, r.path, r.query) for r in sandbox.requests]


def _proxied_lines(proxy: ProxyProcess) -> list[tuple[str, str, dict[str, str]]]:
    lines = []
    for entry in proxy.entries():
        url = urlsplit(entry["target"])
        lines.append((entry["method"], url.path, dict(parse_qsl(url.query))))
    return lines


async def _short_session(client: AsyncImprovado) -> None:
    """A mint, workspace and agency reads, a 404 and a write: every kind of call."""
    await client.loads.list()
    await client.loads.get(3001)
    await client.workspaces.list()
    with pytest.raises(APIStatusError):
        await client.loads.get(999_999)
    await client.request("PUT", "/api/v3/loads/3001/pause")


# -- proxy= ----------------------------------------------------------------------------------


async def test_proxy_sees_every_request_of_a_session(sandbox: Sandbox, proxy: ProxyProcess) -> None:
    url = proxy.url(PROXY_USER, PROXY_PASSWORD)
    async with AsyncImprovado(**client_kwargs(sandbox, proxy=url)) as client:
        await _short_session(client)
    journal = _journal_lines(sandbox)
    assert len(journal) == 6  # the token mint, then the five calls
    assert _proxied_lines(proxy) == journal
    assert {e["auth"] for e in proxy.entries()} == {"ok"}
    # The proxy's credentials went to the proxy only.
    assert all(r.header("Proxy-Authorization") is None for r in sandbox.requests)


def test_sync_client_goes_through_the_proxy(
    threaded_sandbox: SandboxThread, proxy: ProxyProcess
) -> None:
    url = proxy.url(PROXY_USER, PROXY_PASSWORD)
    with Improvado(**client_kwargs(threaded_sandbox, proxy=url)) as client:
        client.loads.get(3001)
    journal = threaded_sandbox.sync(lambda: _journal_lines(threaded_sandbox.sandbox))
    assert [m for m, _, _ in journal] == ["POST", "GET"]
    assert _proxied_lines(proxy) == journal


# -- trust_env= ------------------------------------------------------------------------------


async def test_trust_env_uses_http_proxy_from_the_environment(
    sandbox: Sandbox, proxy: ProxyProcess, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", proxy.url(PROXY_USER, PROXY_PASSWORD))
    async with AsyncImprovado(**client_kwargs(sandbox, trust_env=True)) as client:
        await _short_session(client)
    assert len(sandbox.requests) == 6
    assert _proxied_lines(proxy) == _journal_lines(sandbox)


async def test_no_proxy_bypasses_the_environment_proxy(
    sandbox: Sandbox, open_proxy: ProxyProcess, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", open_proxy.url())
    clean_env.setenv("NO_PROXY", "127.0.0.1")
    async with AsyncImprovado(**client_kwargs(sandbox, trust_env=True)) as client:
        await _short_session(client)
    assert len(sandbox.requests) == 6
    assert open_proxy.entries() == []


async def test_environment_proxy_is_ignored_by_default(
    sandbox: Sandbox, open_proxy: ProxyProcess, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", open_proxy.url())
    clean_env.setenv("http_proxy", open_proxy.url())
    async with AsyncImprovado(**client_kwargs(sandbox)) as client:  # trust_env=False
        await _short_session(client)
    assert len(sandbox.requests) == 6
    assert open_proxy.entries() == []


async def test_explicit_proxy_wins_over_the_environment_and_no_proxy(
    sandbox: Sandbox, proxy: ProxyProcess, open_proxy: ProxyProcess, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", open_proxy.url())
    clean_env.setenv("NO_PROXY", "127.0.0.1")
    url = proxy.url(PROXY_USER, PROXY_PASSWORD)
    async with AsyncImprovado(**client_kwargs(sandbox, proxy=url, trust_env=True)) as client:
        await client.loads.get(3001)
    assert _proxied_lines(proxy) == _journal_lines(sandbox)
    assert open_proxy.entries() == []


async def test_environment_is_read_once_per_client(
    sandbox: Sandbox, open_proxy: ProxyProcess, clean_env: pytest.MonkeyPatch
) -> None:
    async with AsyncImprovado(**client_kwargs(sandbox, trust_env=True)) as client:
        await client.loads.get(3001)
        clean_env.setenv("HTTP_PROXY", open_proxy.url())
        await client.loads.get(3001)
    assert len(sandbox.requests) == 3
    assert open_proxy.entries() == []


async def test_trust_env_with_a_netrc_entry_for_the_api_host_keeps_the_sdk_auth(
    sandbox: Sandbox, clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / "netrc-with-entry"
    netrc.write_text("machine 127.0.0.1\n  login netrc-user\n  password netrc-pass\n")
    netrc.chmod(0o600)
    clean_env.setenv("NETRC", str(netrc))
    async with AsyncImprovado(**client_kwargs(sandbox, trust_env=True)) as client:
        await client.loads.get(3001)
    assert sandbox.requests[-1].status == 200


# -- proxy credentials stay secret -----------------------------------------------------------


def _secret_forms(user: str, password: str) -> list[str]:
    """The password as written, and the Basic header value that carries it."""
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    return [password, basic]


def _exception_texts(exc: BaseException) -> list[str]:
    """Message, repr and the whole printed traceback (chained causes included)."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    cause = exc.__cause__
    while cause is not None:
        texts += [str(cause), repr(cause)]
        cause = cause.__cause__
    return texts


async def _failure(client: AsyncImprovado) -> BaseException:
    with pytest.raises(Exception) as info:
        await client.loads.get(3001)
    return info.value


async def test_proxy_credentials_in_no_log_error_or_repr(
    sandbox: Sandbox, proxy: ProxyProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="improvado")
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    good = proxy.url(PROXY_USER, PROXY_PASSWORD)
    wrong = proxy.url(PROXY_USER, WRONG_PASSWORD)
    refused = f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{_free_port()}"
    texts: list[str] = []
    async with AsyncImprovado(**client_kwargs(sandbox, proxy=good)) as client:
        await _short_session(client)
        texts.append(repr(client))
    async with AsyncImprovado(**client_kwargs(sandbox, proxy=wrong)) as client:
        rejected = await _failure(client)
        texts.append(repr(client))
    async with AsyncImprovado(**client_kwargs(sandbox, proxy=refused)) as client:
        unreachable = await _failure(client)
    assert isinstance(rejected, APIStatusError) and rejected.status == 407
    assert isinstance(unreachable, APIConnectionError) and not unreachable.request_sent
    texts += _exception_texts(rejected) + _exception_texts(unreachable)
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.__dict__) for record in caplog.records]
    assert any("407" in t for t in texts) and caplog.records  # something was scanned
    for secret in _secret_forms(PROXY_USER, PROXY_PASSWORD) + _secret_forms(
        PROXY_USER, WRONG_PASSWORD
    ):
        assert not [t for t in texts if secret in t]


def test_proxy_credentials_not_in_sync_repr_or_bad_proxy_error() -> None:
    url = f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:3128"
    client = Improvado(token="t", base_url="http://127.0.0.1:1", proxy=url)
    try:
        assert PROXY_PASSWORD not in repr(client)
    finally:
        client.close()
    with pytest.raises(ConfigurationError) as info:
        AsyncImprovado(token="t", proxy=f"socks5://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:1")
    assert PROXY_PASSWORD not in str(info.value) and "http://" in str(info.value)


# -- TLS with a test certificate authority ---------------------------------------------------


class Tls:
    """A throwaway CA, a server context for 127.0.0.1 and a client context trusting the CA."""

    def __init__(self) -> None:
        ca = trustme.CA()
        self.server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(self.server)
        self.client = ssl.create_default_context()
        ca.configure_trust(self.client)


@pytest.fixture(scope="module")
def tls() -> Tls:
    """One CA for the module (generating keys takes a moment)."""
    return Tls()


@pytest.fixture
async def https_sandbox(tls: Tls) -> AsyncIterator[Sandbox]:
    """The sandbox over HTTPS with a certificate of the test CA."""
    async with Sandbox(time_scale=0.01, ssl_context=tls.server) as sb:
        yield sb


async def test_sandbox_serves_https_with_an_ssl_context(https_sandbox: Sandbox, tls: Tls) -> None:
    assert https_sandbox.base_url == f"https://127.0.0.1:{https_sandbox.port}"
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{https_sandbox.base_url}/api/v3/datasources", ssl=tls.client) as resp,
    ):
        assert resp.status == 401  # reached the API over TLS (and it wants credentials)
    assert [r.path for r in https_sandbox.requests] == ["/api/v3/datasources"]


async def test_default_client_rejects_an_unknown_certificate_authority(
    https_sandbox: Sandbox,
) -> None:
    async with AsyncImprovado(**client_kwargs(https_sandbox)) as client:
        error = await _failure(client)
    assert isinstance(error, APIConnectionError)
    assert "certificate verify failed" in str(error).lower()
    assert error.request_sent is False
    assert https_sandbox.requests == []


async def test_ssl_context_with_the_ca_works(https_sandbox: Sandbox, tls: Tls) -> None:
    async with AsyncImprovado(**client_kwargs(https_sandbox, ssl=tls.client)) as client:
        load = await client.loads.get(3001)
    assert load.id == 3001
    assert [r.path for r in https_sandbox.requests] == ["/api/v3/token", "/api/v3/loads/3001"]


def test_sync_client_with_the_ca_works(tls: Tls) -> None:
    with (
        SandboxThread(time_scale=0.01, ssl_context=tls.server) as served,
        Improvado(**client_kwargs(served, ssl=tls.client)) as client,
    ):
        assert served.base_url.startswith("https://")
        assert client.loads.get(3001).id == 3001


async def test_ssl_false_works_and_warns_once(
    https_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_module, "_warned_unverified", False)  # once per process
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            async with AsyncImprovado(**client_kwargs(https_sandbox, ssl=False)) as client:
                assert (await client.loads.get(3001)).id == 3001
    unverified = [w for w in caught if "not verified" in str(w.message)]
    assert len(unverified) == 1
    assert unverified[0].category is UserWarning


async def test_https_through_a_proxy_tunnels_with_connect(
    https_sandbox: Sandbox, proxy: ProxyProcess, tls: Tls
) -> None:
    url = proxy.url(PROXY_USER, PROXY_PASSWORD)
    kwargs = client_kwargs(https_sandbox, proxy=url, ssl=tls.client)
    async with AsyncImprovado(**kwargs) as client:
        await client.loads.list()
        await client.loads.get(3001)
    entries = proxy.entries()
    # The proxy sees one CONNECT per connection, never the requests inside the tunnel.
    assert entries and {e["method"] for e in entries} == {"CONNECT"}
    assert {e["target"] for e in entries} == {f"127.0.0.1:{https_sandbox.port}"}
    assert len(https_sandbox.requests) == 3


async def test_https_proxy_rejection_keeps_the_credentials_secret(
    https_sandbox: Sandbox, proxy: ProxyProcess, tls: Tls
) -> None:
    url = proxy.url(PROXY_USER, WRONG_PASSWORD)
    async with AsyncImprovado(**client_kwargs(https_sandbox, proxy=url, ssl=tls.client)) as c:
        error = await _failure(c)
    assert isinstance(error, APIConnectionError)
    texts = _exception_texts(error)
    for secret in _secret_forms(PROXY_USER, WRONG_PASSWORD):
        assert not [t for t in texts if secret in t]


# -- session= and limit_per_host= ------------------------------------------------------------


async def test_own_session_is_used_and_left_open(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession(headers={"X-Team": "analytics"}) as own:
        client = AsyncImprovado(**client_kwargs(sandbox, session=own))
        await client.loads.get(3001)
        await client.aclose()
        assert not own.closed
        async with own.get(f"{sandbox.base_url}/api/v3/datasources") as resp:
            assert resp.status == 401  # still usable by its owner
    sent = sandbox.requests[:2]
    assert [r.path for r in sent] == ["/api/v3/token", "/api/v3/loads/3001"]
    assert all(r.header("X-Team") == "analytics" for r in sent)
    assert sent[1].header("Authorization") is not None


def test_session_of_another_loop_raises_wrong_event_loop() -> None:
    other = asyncio.new_event_loop()

    async def make() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    own = other.run_until_complete(make())

    async def use() -> None:
        async with Sandbox() as sb:
            async with AsyncImprovado(**client_kwargs(sb, session=own)) as client:
                with pytest.raises(WrongEventLoopError, match="session="):
                    await client.loads.get(3001)
            assert sb.requests == []

    try:
        asyncio.run(use())
        assert not own.closed
    finally:
        other.run_until_complete(own.close())
        other.close()


async def test_own_session_with_raise_for_status_still_gives_status_errors(
    sandbox: Sandbox,
) -> None:
    async with (
        aiohttp.ClientSession(raise_for_status=True) as own,
        AsyncImprovado(**client_kwargs(sandbox, session=own)) as client,
    ):
        with pytest.raises(APIStatusError) as info:
            await client.loads.get(999_999)
    assert info.value.status == 404


@pytest.mark.parametrize(
    "option",
    [{"proxy": "http://127.0.0.1:9"}, {"trust_env": True}, {"ssl": False}, {"limit_per_host": 2}],
)
async def test_network_options_cannot_be_combined_with_an_own_session(
    sandbox: Sandbox, option: dict[str, object]
) -> None:
    async with aiohttp.ClientSession() as own:
        with pytest.raises(ConfigurationError, match="session="):
            AsyncImprovado(**client_kwargs(sandbox, session=own, **option))
    assert sandbox.requests == []


async def test_a_certificate_that_does_not_verify_is_not_retried(
    https_sandbox: Sandbox,
) -> None:
    async with AsyncImprovado(**client_kwargs(https_sandbox, retry=3)) as client:
        with pytest.raises(APIConnectionError, match="did not verify") as info:
            await client.loads.get(3001)
    assert info.value.retryable is False and info.value.attempts == 1


async def test_own_sessions_connector_limit_bounds_requests_in_flight() -> None:
    sb = CountingSandbox(time_scale=0.01)
    async with sb:
        sb.add_fault("GET", "/api/v3/loads/*", status=None, latency=0.2)
        connector = aiohttp.TCPConnector(limit_per_host=1)
        async with (
            aiohttp.ClientSession(connector=connector) as own,
            AsyncImprovado(**client_kwargs(sb, session=own)) as client,
        ):
            await client.loads.list()
            sb.peak = 0
            await asyncio.gather(*(client.loads.get(3001) for _ in range(3)))
    assert sb.peak == 1


def test_sync_client_cannot_send_through_an_async_session(
    threaded_sandbox: SandboxThread,
) -> None:
    # The sync client runs its own event loop, so no session of the caller's can belong to it.
    loop = asyncio.new_event_loop()

    async def make() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    own = loop.run_until_complete(make())
    try:
        with (
            Improvado(**client_kwargs(threaded_sandbox, session=own)) as client,
            pytest.raises(WrongEventLoopError),
        ):
            client.loads.get(3001)
    finally:
        loop.run_until_complete(own.close())
        loop.close()


class CountingSandbox(Sandbox):
    """A sandbox that counts the requests it is handling at once."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.active = 0
        self.peak = 0

    def build_app(self) -> web.Application:
        """The usual app, with the counter outermost."""
        app = super().build_app()
        app.middlewares.insert(0, self._count)
        return app

    @web.middleware
    async def _count(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            return await handler(request)
        finally:
            self.active -= 1


async def _four_slow_gets(limit_per_host: int | None) -> tuple[int, float]:
    """Peak concurrency seen by the server, and the seconds four concurrent GETs took."""
    latency = 0.2
    sb = CountingSandbox(time_scale=0.01)
    async with sb:
        sb.add_fault("GET", "/api/v3/loads/*", status=None, latency=latency)
        async with AsyncImprovado(**client_kwargs(sb, limit_per_host=limit_per_host)) as client:
            await client.loads.list()  # the token mint out of the way
            sb.peak = 0
            started = time.monotonic()
            await asyncio.gather(*(client.loads.get(3001) for _ in range(4)))
            return sb.peak, time.monotonic() - started


async def test_limit_per_host_serialises_requests() -> None:
    peak, elapsed = await _four_slow_gets(limit_per_host=1)
    assert peak == 1
    assert elapsed >= 4 * 0.2 * 0.9
    unlimited_peak, _ = await _four_slow_gets(limit_per_host=None)
    assert unlimited_peak > 1  # the same calls do overlap without the limit


async def test_limit_per_host_queue_timeout_is_not_reported_as_sent() -> None:
    async with Sandbox(time_scale=0.01) as sb:
        sb.add_fault("GET", "/api/v3/loads/*", status=None, latency=0.6)
        kwargs = client_kwargs(sb, limit_per_host=1, timeout=Timeout(read=1.0))
        async with AsyncImprovado(**kwargs) as client:
            await client.loads.list()
            results = await asyncio.gather(
                *(client.loads.get(3001) for _ in range(3)), return_exceptions=True
            )
        received = sum(1 for r in sb.requests if r.path == "/api/v3/loads/3001")
    claimed: list[object] = [r for r in results if not isinstance(r, BaseException)]
    claimed += [r for r in results if isinstance(r, APIConnectionError) and r.request_sent]
    assert len(claimed) <= received


async def test_call_waiting_behind_limit_per_host_gives_up_on_the_pool_timeout() -> None:
    async with Sandbox(time_scale=0.01) as sb:
        sb.add_fault("GET", "/api/v3/loads/*", status=None, latency=0.5)
        kwargs = client_kwargs(sb, limit_per_host=1, timeout=Timeout(pool=0.1))
        async with AsyncImprovado(**kwargs) as client:
            await client.loads.list()
            results = await asyncio.gather(
                *(client.loads.get(3001) for _ in range(2)), return_exceptions=True
            )
        received = sum(1 for r in sb.requests if r.path == "/api/v3/loads/3001")
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and received == 1
    assert isinstance(errors[0], APITimeoutError) and errors[0].request_sent is False
    assert "pool" in str(errors[0])
