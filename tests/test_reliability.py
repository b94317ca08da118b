"""Reliability: Ctrl-C during sync calls, loop-thread shutdown, a fault-injection soak, secrets.

The subprocess tests talk to a sandbox served from this process (``SandboxThread``), so the
sandbox's request journal shows what the interrupted or exiting process left behind.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import improvado_async._transport.logging as sdk_logging
from improvado_async import (
    APIConnectionError,
    AsyncImprovado,
    AuthenticationError,
    ImprovadoError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    ServerError,
)
from improvado_async.sandbox import Sandbox
from improvado_async.sandbox.journal import RecordedRequest
from improvado_async.testing import SandboxThread
from improvado_sync import Improvado
from improvado_sync._runner import default_runner

LATENCY = 5.0  # seconds the sandbox holds GET /api/v3/loads in the interrupt/exit tests
NOISE = ("Exception ignored", "Task was destroyed", "Event loop is closed", "Unclosed", "Error")


@pytest.fixture
def sandbox_thread() -> Iterator[SandboxThread]:
    with SandboxThread(time_scale=0.01) as st:
        yield st


def _requests(st: SandboxThread) -> list[RecordedRequest]:
    return st.sync(lambda: list(st.sandbox.requests))


def _script(body: str, st: SandboxThread) -> str:
    header = (
        "import os, signal, sys, threading, time\n"
        # What Python installs at start-up unless SIGINT is ignored (as it is in a job started
        # in the background): Ctrl-C must raise KeyboardInterrupt here however the suite runs.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from improvado_sync import Improvado\n"
        f"TOKEN = {st.sync(st.sandbox.mint_token)!r}\n"
        f"BASE_URL = {st.base_url!r}\n"
        f"LATENCY = {LATENCY!r}\n"
    )
    return header + textwrap.dedent(body)


def _spawn(code: str, *flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *flags, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _interrupt_when_request_arrives(proc: subprocess.Popen[str], st: SandboxThread) -> None:
    """Wait for the child's GET /api/v3/loads to reach the sandbox, then press Ctrl-C."""
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "calling"
    deadline = time.monotonic() + 10
    while not any(r.path == "/api/v3/loads" for r in _requests(st)):
        assert time.monotonic() < deadline, "the request never reached the sandbox"
        time.sleep(0.01)
    time.sleep(0.3)  # the call has been blocked for ~0.5 s
    proc.send_signal(signal.SIGINT)


# -- 1. Ctrl-C during a sync call ---------------------------------------------------------------


@pytest.mark.slow
def test_ctrl_c_cancels_the_request_and_raises_keyboard_interrupt(
    sandbox_thread: SandboxThread,
) -> None:
    st = sandbox_thread
    st.sync(lambda: st.sandbox.add_fault("GET", "/api/v3/loads", latency=LATENCY, status=None))
    code = _script(
        """
        client = Improvado(token=TOKEN, base_url=BASE_URL, retry=0)
        connector = None
        print("calling", flush=True)
        started = time.monotonic()
        try:
            client.loads.list().first_page()
        except KeyboardInterrupt:
            # Read at once, from this thread: the cancellation must already have landed.
            connector = client.async_client._pipeline.sessions._session.connector
            acquired = len(connector._acquired)
            print(f"interrupted after {time.monotonic() - started:.2f}", flush=True)
            print(f"acquired {acquired}", flush=True)
        else:
            print("no KeyboardInterrupt")
            sys.exit(1)
        print(f"next call {client.loads.get(3001).id}", flush=True)
        print(f"acquired {len(connector._acquired)}", flush=True)
        # Stay alive past the sandbox's latency: a request still attached would be answered.
        time.sleep(max(0.0, started + LATENCY + 0.7 - time.monotonic()))
        client.close()
        print("done", flush=True)
        """,
        st,
    )
    proc = _spawn(code)
    _interrupt_when_request_arrives(proc, st)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert err == ""
    lines = ["calling", *out.splitlines()]
    assert lines[2:] == ["acquired 0", "next call 3001", "acquired 0", "done"], out
    interrupted_after = float(lines[1].split()[-1])
    assert interrupted_after < 2.0, f"KeyboardInterrupt only after {interrupted_after:.2f}s"
    # The server saw the connection closed before it could answer (status None), although the
    # client process was still alive when the latency elapsed.
    listed = [r for r in _requests(st) if r.method == "GET" and r.path == "/api/v3/loads"]
    assert [r.status for r in listed] == [None]


@pytest.mark.slow
def test_uncaught_ctrl_c_exits_with_only_the_keyboard_interrupt_traceback(
    sandbox_thread: SandboxThread,
) -> None:
    st = sandbox_thread
    st.sync(lambda: st.sandbox.add_fault("GET", "/api/v3/loads", latency=LATENCY, status=None))
    code = _script(
        """
        client = Improvado(token=TOKEN, base_url=BASE_URL, retry=0)
        print("calling", flush=True)
        client.loads.list().first_page()
        """,
        st,
    )
    started = time.monotonic()
    proc = _spawn(code)
    _interrupt_when_request_arrives(proc, st)
    _, err = proc.communicate(timeout=60)
    elapsed = time.monotonic() - started
    assert proc.returncode == -signal.SIGINT, err
    assert elapsed < LATENCY - 1.0
    assert err.rstrip().endswith("KeyboardInterrupt"), err
    assert err.count("Traceback") == 1 and not any(word in err for word in NOISE), err


# -- 2. close() and interpreter exit stop the loop thread ---------------------------------------


def _loop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "improvado-sync" and t.is_alive()]


def test_close_and_runner_close_leave_no_loop_thread(sandbox_thread: SandboxThread) -> None:
    token = sandbox_thread.sync(sandbox_thread.sandbox.mint_token)
    client = Improvado(token=token, base_url=sandbox_thread.base_url, retry=0)
    assert client.loads.get(3001).id == 3001
    assert _loop_threads() == []  # the calling thread drove the loop itself: no thread hop
    client.close()
    default_runner().close()
    assert _loop_threads() == []
    default_runner().close()  # idempotent
    with Improvado(token=token, base_url=sandbox_thread.base_url, retry=0) as again:
        assert again.loads.get(3001).id == 3001  # a later call drives a new loop
    default_runner().close()
    assert _loop_threads() == []


def test_runner_close_cancels_a_call_in_flight_from_another_thread(
    sandbox_thread: SandboxThread,
) -> None:
    st = sandbox_thread
    st.sync(lambda: st.sandbox.add_fault("GET", "/api/v3/loads", latency=LATENCY, status=None))
    client = Improvado(token=st.sync(st.sandbox.mint_token), base_url=st.base_url, retry=0)
    outcome: list[BaseException | None] = []

    def call() -> None:
        try:
            client.loads.list().first_page()
            outcome.append(None)
        except BaseException as exc:  # reported through the list
            outcome.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    deadline = time.monotonic() + 10
    while not any(r.path == "/api/v3/loads" for r in _requests(st)):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    started = time.monotonic()
    default_runner().close()
    worker.join(timeout=10)
    assert time.monotonic() - started < 2.0
    assert len(outcome) == 1 and isinstance(outcome[0], asyncio.CancelledError)
    assert _loop_threads() == []


_EXIT_SCRIPTS = {
    "after-calls": """
        client = Improvado(token=TOKEN, base_url=BASE_URL, retry=0)
        client.loads.get(3001)
        client.loads.list().first_page()
        """,
    "abandoned-iterator": """
        client = Improvado(token=TOKEN, base_url=BASE_URL, retry=0)
        items = iter(client.loads.list(page_size=1))
        next(items)
        """,
    "daemon-thread-mid-call": """
        client = Improvado(token=TOKEN, base_url=BASE_URL, retry=0)
        client.loads.get(3001)
        call = lambda: client.loads.list().first_page()
        threading.Thread(target=call, daemon=True).start()
        time.sleep(0.3)
        """,
}


@pytest.mark.parametrize("scenario", sorted(_EXIT_SCRIPTS))
@pytest.mark.parametrize("flags", [(), ("-W", "default")], ids=["plain", "warnings"])
def test_exit_without_close_is_prompt_and_quiet(
    sandbox_thread: SandboxThread, scenario: str, flags: tuple[str, ...]
) -> None:
    st = sandbox_thread
    if scenario == "daemon-thread-mid-call":  # its list call is still in flight at exit
        st.sync(lambda: st.sandbox.add_fault("GET", "/api/v3/loads", latency=LATENCY, status=None))
    # An atexit hook registered before improvado_sync is imported runs after the SDK's own.
    prologue = (
        "import atexit, threading\n"
        "atexit.register(lambda: print('loop threads after exit:', "
        "[t.name for t in threading.enumerate() if t.name == 'improvado-sync' and t.is_alive()]"
        ", flush=True))\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, *flags, "-c", prologue + _script(_EXIT_SCRIPTS[scenario], st)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout == "loop threads after exit: []\n"
    limit = LATENCY + 3.0 if scenario == "abandoned-iterator" else LATENCY - 1.0
    assert elapsed < limit, f"exit took {elapsed:.2f}s"
    if flags:
        # Only the documented warning for the unclosed client (and its socket) is allowed.
        assert "Traceback" not in result.stderr
        assert not any(word in result.stderr for word in NOISE), result.stderr
    else:
        assert result.stderr == ""


# -- 3. Soak on loopback ------------------------------------------------------------------------

SOAK_CALLS = 10_000
SOAK_CONCURRENCY = 50
SOAK_BATCH = 1_000  # the journal is harvested and cleared between batches (it scans linearly)
SOAK_CREATE_EVERY = 10  # one call in ten is a POST loads.create


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
@pytest.mark.slow
async def test_soak_mixed_calls_with_injected_faults() -> None:
    fds_start = _open_fds()
    retries = _Counter()
    retry_logger = logging.getLogger("improvado.retry")
    retry_logger.addHandler(retries)
    level = retry_logger.level
    retry_logger.setLevel(logging.INFO)
    try:
        async with Sandbox(time_scale=0.01, seed=20240611) as sandbox:
            figures = await _soak(sandbox, retries)
        for _ in range(100):  # the listening socket closes asynchronously
            if _open_fds() <= fds_start + 2:
                break
            await asyncio.sleep(0.02)
        figures["fds at start / after the sandbox stopped"] = f"{fds_start} / {_open_fds()}"
        print("\nsoak figures:")
        for name, value in figures.items():
            print(f"  {name}: {value}")
        assert _open_fds() <= fds_start + 2
    finally:
        retry_logger.removeHandler(retries)
        retry_logger.setLevel(level)


async def _soak(sandbox: Sandbox, retries: _Counter) -> dict[str, Any]:
    workspace = sandbox.workspace_id
    load_ids = [load.id for load in sandbox.state.loads(workspace)][:20]
    table = sandbox.state.data_tables(workspace)[0].id
    destination = next(
        c.id for c in sandbox.state.destination_connections(workspace) if c.status == "active"
    )
    rules = []
    for method in ("GET", "PUT"):
        rules += [
            sandbox.add_fault(
                method, "/api/v3/loads*", status=429, retry_after=0, probability=0.08
            ),
            sandbox.add_fault(method, "/api/v3/loads*", status=503, probability=0.07),
            sandbox.add_fault(method, "/api/v3/loads*", drop=True, probability=0.06),
        ]
    rules += [
        sandbox.add_fault("POST", "/api/v3/loads", status=429, retry_after=0, probability=0.10),
        sandbox.add_fault("POST", "/api/v3/loads", status=503, probability=0.05),
        sandbox.add_fault("POST", "/api/v3/loads", drop=True, probability=0.05),
    ]
    fds_before = _open_fds()
    tasks_before = asyncio.all_tasks()
    journal: list[RecordedRequest] = []
    creates: dict[str, BaseException | None] = {}
    failures: list[tuple[int, BaseException]] = []
    started = time.monotonic()
    client = AsyncImprovado(
        token=sandbox.mint_token(),
        base_url=sandbox.base_url,
        retry=RetryPolicy(max_retries=10, backoff_base=0.001, backoff_max=0.01),
        max_connections=SOAK_CONCURRENCY,
    )
    async with client:

        async def one(i: int) -> None:
            load_id = load_ids[i % len(load_ids)]
            kind = i % SOAK_CREATE_EVERY
            try:
                if kind == 0:
                    tag = f"soak_{i}"
                    creates[tag] = None
                    try:
                        await client.loads.create(
                            data_table_id=table,
                            destination_connection_id=destination,
                            destination_table=tag,
                        )
                    except (ServerError, APIConnectionError) as exc:
                        creates[tag] = exc  # a POST is not replayed after it may have landed
                elif kind in (1, 2, 3):
                    await client.loads.get(load_id)
                elif kind in (4, 5):
                    await client.loads.list(page_size=5).first_page()
                elif kind == 6:
                    await client.loads.update(load_id, run_policy="manual")
                elif kind == 7:
                    await client.loads.pause(load_id)
                else:
                    await client.loads.unpause(load_id)
            except Exception as exc:  # collected for the assertion below
                failures.append((i, exc))

        async def worker(queue: collections.deque[int]) -> None:
            while queue:
                await one(queue.popleft())

        for first in range(0, SOAK_CALLS, SOAK_BATCH):
            queue = collections.deque(range(first, min(first + SOAK_BATCH, SOAK_CALLS)))
            await asyncio.gather(*(worker(queue) for _ in range(SOAK_CONCURRENCY)))
            journal += sandbox.requests
            sandbox.clear_requests()
        elapsed = time.monotonic() - started
        connector = client._pipeline.sessions.get().connector
        assert connector is not None
        assert not connector._acquired, "connections still acquired after every call returned"
    assert connector.closed
    assert failures == [], failures[:5]

    # No POST was duplicated: a create call only re-sent after a 429 (connect errors never reach
    # the sandbox), reached 2xx at most once, and exactly when the call returned a load.
    posts: dict[str, list[int | None]] = collections.defaultdict(list)
    for entry in journal:
        if entry.method == "POST" and entry.path == "/api/v3/loads":
            posts[entry.json["destination_table"]].append(entry.status)
    assert set(posts) == set(creates)
    for tag, statuses in posts.items():
        assert all(status == 429 for status in statuses[:-1]), (tag, statuses)
        if creates[tag] is None:
            assert statuses[-1] == 201, (tag, statuses)
        else:
            assert statuses[-1] in (503, None), (tag, statuses, creates[tag])
    returned = sum(1 for outcome in creates.values() if outcome is None)
    created_2xx = sum(1 for statuses in posts.values() if statuses[-1] == 201)
    in_state = [
        load
        for load in sandbox.state.loads(workspace)
        if (load.destination_table or "").startswith("soak_")
    ]
    assert created_2xx == returned == len(in_state)

    # Afterwards: no task of the client or of the server's connections left, fds back.
    for _ in range(150):
        leftover = asyncio.all_tasks() - tasks_before
        if not leftover and _open_fds() <= fds_before + 2:
            break
        await asyncio.sleep(0.02)
    assert asyncio.all_tasks() - tasks_before == set()
    fds_after = _open_fds()
    assert fds_after <= fds_before + 2, f"{fds_before} fds before, {fds_after} after"

    injected = sum(rule.hits for rule in rules)
    assert all(rule.hits for rule in rules), [rule.hits for rule in rules]
    by_status = collections.Counter(entry.status for entry in journal)
    return {
        "calls": SOAK_CALLS,
        "creates (returned / failed without replay)": f"{returned} / {len(creates) - returned}",
        "requests on the wire": len(journal),
        "faults injected (429 / 503 / drop)": (
            f"{injected} ({by_status[429]} / {by_status[503]} / {by_status[None]})"
        ),
        # aiohttp itself also re-sends a GET/PUT once when a reused keep-alive connection was
        # dropped; those do not go through the SDK's policy and are not counted here.
        "retries by the SDK's policy": retries.count,
        "elapsed": f"{elapsed:.1f}s ({SOAK_CALLS / elapsed:.0f} calls/s)",
        "fds before / after the client": f"{fds_before} / {fds_after}",
    }


# -- 4. Secrets never leak ----------------------------------------------------------------------


async def test_secrets_never_reach_repr_logs_errors_or_output(
    sandbox: Sandbox,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # IMPROVADO_LOG=debug, as a fresh process would read it: a stderr handler on "improvado".
    monkeypatch.setenv("IMPROVADO_LOG", "debug")
    monkeypatch.setattr(sdk_logging, "_configured", False)
    sdk_logger = logging.getLogger("improvado")
    handlers, level = list(sdk_logger.handlers), sdk_logger.level
    caplog.set_level(logging.DEBUG)  # every logger: improvado, aiohttp, asyncio
    texts: list[str] = []
    secrets: set[str] = {sandbox.password}
    try:
        await _exercise_secret_paths(sandbox, texts, secrets)
    finally:
        for handler in sdk_logger.handlers:
            if handler not in handlers:
                sdk_logger.removeHandler(handler)
        sdk_logger.setLevel(level)

    # Every credential that went over the wire counts as a secret too.
    for entry in sandbox.requests:
        authorization = entry.header("Authorization")
        if authorization:
            secrets.add(authorization.split(" ", 1)[1])
        cookie = entry.header("Cookie")
        if cookie:
            secrets.add(cookie.split("=", 1)[1])
    basic = base64.b64encode(f"{sandbox.username}:{sandbox.password}".encode()).decode()
    assert basic in secrets and len(secrets) >= 6, "the scenario did not exercise every credential"

    for record in caplog.records:
        texts += [record.getMessage(), str(record.msg), repr(record.args)]
        if record.exc_info and record.exc_info[1] is not None:
            texts += _exception_texts(record.exc_info[1])
    captured = capsys.readouterr()
    assert "improvado.transport DEBUG" in captured.err, "IMPROVADO_LOG=debug printed nothing"
    texts += [captured.out, captured.err]
    assert len(caplog.records) > 10
    leaks = [(secret, text) for text in texts for secret in secrets if secret in text]
    assert leaks == []


def _exception_texts(exc: BaseException) -> list[str]:
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args)]
        current = current.__cause__ or current.__context__
    return texts


async def _exercise_secret_paths(sandbox: Sandbox, texts: list[str], secrets: set[str]) -> None:
    def error_of(exc_info: pytest.ExceptionInfo[BaseException]) -> None:
        texts.extend(_exception_texts(exc_info.value))

    retry = RetryPolicy(max_retries=2, backoff_base=0.001)
    async with AsyncImprovado(
        username=sandbox.username,
        password=sandbox.password,
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
        retry=retry,
    ) as client:
        page = await client.loads.list().first_page()  # mints a token (Basic)
        texts += [repr(client), str(client), repr(client.loads), repr(client.auth), repr(page)]
        texts += [repr(client._pipeline.auth), repr(client._credentials), repr(client.retry)]
        token = await client.auth.create_token(workspace_id=sandbox.workspace_id)
        secrets.add(token.token)
        texts += [repr(token), str(token)]

        sandbox.expire_tokens()  # 401 -> a new token is minted and the call replayed
        load = await client.loads.get(3001)
        texts += [repr(load), str(load)]

        sandbox.add_fault("GET", "/api/v3/loads/3001", status=429, retry_after=0, times=1)
        await client.loads.get(3001)  # retried after the 429
        no_retry = client.with_options(retry=0)
        texts.append(repr(no_retry))
        sandbox.add_fault("GET", "/api/v3/loads/3001", status=429, retry_after=0, times=1)
        with pytest.raises(RateLimitError) as rate_limited:
            await no_retry.loads.get(3001)
        error_of(rate_limited)
        sandbox.add_fault("GET", "/api/v3/loads/3001", status=500, times=3)
        with pytest.raises(ServerError) as server_error:
            await client.loads.get(3001)
        error_of(server_error)
        sandbox.add_fault(
            "GET", "/api/v3/loads/3001", status=200, body="<html>oops</html>", times=1
        )
        with pytest.raises(ResponseDecodeError) as not_json:
            await client.loads.get(3001)
        error_of(not_json)

        endpoint = await client.webhook_endpoints.create(
            url="https://hooks.example/secret-test", event_types=["load_completed"]
        )
        assert endpoint.secret
        secrets.add(endpoint.secret)
        texts += [repr(endpoint), str(endpoint), repr(client.webhook_endpoints)]
        regenerated = await client.webhook_endpoints.regenerate_secret(endpoint.id)
        assert regenerated.secret and regenerated.secret != endpoint.secret
        secrets.add(regenerated.secret)
        texts += [repr(regenerated), str(regenerated)]
        # A body that does not fit the model while carrying the secret.
        sandbox.add_fault(
            "GET",
            f"/api/v3/webhook_endpoints/{endpoint.id}/",
            status=200,
            body={"id": "not-a-number", "secret": regenerated.secret},
            times=1,
        )
        with pytest.raises(ResponseDecodeError) as mismatch:
            await client.webhook_endpoints.get(endpoint.id)
        error_of(mismatch)

    async with AsyncImprovado(
        username=sandbox.username,
        password="Wr0ng-Pa55word!",
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
        retry=0,
    ) as bad_password:
        secrets.add("Wr0ng-Pa55word!")
        with pytest.raises(AuthenticationError) as bad_basic:
            await bad_password.loads.list().first_page()
        error_of(bad_basic)
        texts += [repr(bad_password), str(bad_password)]

    bogus_token = "bogus-token-0123456789abcdef"
    secrets.add(bogus_token)
    async with AsyncImprovado(token=bogus_token, base_url=sandbox.base_url, retry=0) as bad:
        with pytest.raises(AuthenticationError) as bad_bearer:
            await bad.loads.get(3001)
        error_of(bad_bearer)
        texts += [repr(bad), repr(bad.loads)]

    session_id = sandbox.create_session()
    secrets.add(session_id)
    async with AsyncImprovado(
        session_id=session_id, workspace_id=sandbox.workspace_id, base_url=sandbox.base_url
    ) as cookie_client:
        await cookie_client.loads.get(3001)
        texts += [repr(cookie_client), str(cookie_client), repr(cookie_client._credentials)]
    bogus_session = "bogus-session-fedcba9876543210"
    secrets.add(bogus_session)
    async with AsyncImprovado(
        session_id=bogus_session,
        workspace_id=sandbox.workspace_id,
        base_url=sandbox.base_url,
        retry=0,
    ) as bad_cookie:
        with pytest.raises(ImprovadoError) as cookie_rejected:
            await bad_cookie.loads.get(3001)
        error_of(cookie_rejected)

    def blocking() -> list[str]:
        with Improvado(
            username=sandbox.username,
            password=sandbox.password,
            workspace_id=sandbox.workspace_id,
            base_url=sandbox.base_url,
        ) as sync_client:
            return [repr(sync_client), str(sync_client), repr(sync_client.loads)]

    texts += await asyncio.to_thread(blocking)


async def test_undecodable_success_body_does_not_leak_its_secret(sandbox: Sandbox) -> None:
    secret = "whsec-0123456789abcdef"
    truncated = '{"id": 7, "url": "https://hooks.example/x", "secret": "' + secret + '"'
    sandbox.add_fault("POST", "/api/v3/webhook_endpoints/", status=201, body=truncated)
    async with AsyncImprovado(
        token=sandbox.mint_token(), base_url=sandbox.base_url, retry=0
    ) as client:
        with pytest.raises(ResponseDecodeError) as info:
            await client.webhook_endpoints.create(
                url="https://hooks.example/x", event_types=["load_completed"]
            )
    assert secret not in str(info.value) and secret not in repr(info.value)
