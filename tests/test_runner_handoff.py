"""The sync facade's runner: calling threads drive the loop themselves (leader/follower hand-off).

A call runs the runner's loop in the calling thread while no other thread does (it *leads*);
callers arriving meanwhile hand their calls to the leader and wait (they *follow*), and a leader
whose call is done hands the loop to a follower whose call is not. These tests pin down which
thread runs what, that leadership passes on, and what Ctrl-C, close() and idle time do.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from aiohttp import web

from improvado_sync import _runner
from improvado_sync._runner import Runner


@pytest.fixture(autouse=True)
def _ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt even when the suite runs with SIGINT ignored (background)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def runner() -> Iterator[Runner]:
    runner = Runner(name="improvado-test-runner")
    yield runner
    runner.close()


def ctrl_c() -> None:
    """A real SIGINT to the main thread (where pytest runs the test), as a terminal sends."""
    main = threading.main_thread().ident
    assert main is not None
    signal.pthread_kill(main, signal.SIGINT)


async def where(delay: float = 0.0) -> tuple[int, int]:
    """The threads that ran this coroutine before and after ``delay``."""
    before = threading.get_ident()
    await asyncio.sleep(delay)
    return before, threading.get_ident()


class Leader(threading.Thread):
    """A thread whose one call leads the loop: ``started`` is set once its coroutine runs."""

    def __init__(self, runner: Runner, delay: float) -> None:
        super().__init__()
        self.runner, self.delay = runner, delay
        self.started = threading.Event()
        self.result: tuple[int, int] | None = None
        self.error: BaseException | None = None

    async def _call(self) -> tuple[int, int]:
        self.started.set()
        return await where(self.delay)

    def run(self) -> None:
        try:
            self.result = self.runner.run(self._call())
        except BaseException as exc:  # checked by the test
            self.error = exc


def test_a_single_threaded_call_runs_in_the_calling_thread(runner: Runner) -> None:
    me = threading.get_ident()
    assert runner.run(where()) == (me, me)
    assert runner.run(where(0.01)) == (me, me)
    assert not any(t.name == "improvado-test-runner" for t in threading.enumerate())

    async def running_loop() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    assert runner.run(running_loop()) is runner.loop  # one loop, kept between calls
    assert asyncio._get_running_loop() is None  # and not left running in this thread


def test_a_follower_call_is_driven_by_the_leader_while_it_waits_on_its_own(
    runner: Runner,
) -> None:
    leader = Leader(runner, delay=1.0)
    leader.start()
    assert leader.started.wait(5)
    started = time.monotonic()
    ran_in = runner.run(where())  # while the leader is blocked on its own call
    assert time.monotonic() - started < 0.5
    leader.join()
    assert leader.error is None
    assert leader.result == (leader.ident, leader.ident)
    assert ran_in == (leader.ident, leader.ident)


def test_a_waiting_follower_takes_over_when_the_leader_is_done(runner: Runner) -> None:
    leader = Leader(runner, delay=0.2)
    leader.start()
    assert leader.started.wait(5)
    me = threading.get_ident()
    # Started by the leader's loop; after the leader's call ended this thread drives it.
    assert runner.run(where(0.6)) == (leader.ident, me)
    leader.join()
    assert leader.error is None and leader.result == (leader.ident, leader.ident)
    assert runner.run(where()) == (me, me)  # and leads its next call from the start


def test_threads_hand_the_loop_around_and_every_call_gets_its_own_result(runner: Runner) -> None:
    callers: set[int] = set()
    ran_in: set[int] = set()
    errors: list[BaseException] = []

    async def echo(value: int, delay: float) -> int:
        ran_in.add(threading.get_ident())
        await asyncio.sleep(delay)
        ran_in.add(threading.get_ident())
        return value

    def work(seed: int) -> None:
        callers.add(threading.get_ident())
        try:
            for i in range(40):
                value = seed * 1000 + i
                assert runner.run(echo(value, (seed + i) % 3 * 0.002)) == value
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert ran_in <= callers  # no thread but the callers ever ran the loop
    assert len(ran_in) > 1  # and it did change hands


def test_ctrl_c_in_the_leading_main_thread_cancels_only_its_own_call(runner: Runner) -> None:
    cancelled = threading.Event()

    async def long_call() -> str:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "not interrupted"

    results: list[object] = []

    def follower() -> None:
        results.append(runner.run(where(0.5)))

    thread = threading.Thread(target=follower)
    threading.Timer(0.1, thread.start).start()  # follows: the main thread leads by then
    timer = threading.Timer(0.3, ctrl_c)
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run(long_call())
    assert time.monotonic() - started < 1.5
    assert cancelled.is_set()  # the cancellation landed before KeyboardInterrupt was raised
    timer.join()
    thread.join(timeout=10)
    # The follower's call went on: started by the main thread, finished by its own thread.
    assert results == [(threading.get_ident(), thread.ident)]


def test_ctrl_c_in_a_following_main_thread_cancels_its_call(runner: Runner) -> None:
    leader = Leader(runner, delay=1.5)
    leader.start()
    assert leader.started.wait(5)
    cancelled = threading.Event()

    async def follower_call() -> str:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "not interrupted"

    timer = threading.Timer(0.2, ctrl_c)
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run(follower_call())
    assert time.monotonic() - started < 1.0
    assert cancelled.is_set()
    timer.join()
    leader.join()
    assert leader.error is None and leader.result == (leader.ident, leader.ident)
    me = threading.get_ident()
    assert runner.run(where()) == (me, me)


def test_close_runs_the_idle_loop_itself_to_clean_up(runner: Runner) -> None:
    closed: list[str] = []

    async def pages() -> AsyncIterator[int]:
        try:
            yield 1
            yield 2
        finally:
            closed.append("generator")

    async def start() -> AsyncIterator[int]:
        asyncio.get_running_loop().call_later(30, closed.append, "timer")  # pending, never due
        iterator = pages()
        await iterator.__anext__()  # abandoned after its first item
        return iterator

    iterator = runner.run(start())
    loop = runner.loop
    runner.close()  # nobody drives the loop now: close() does
    assert closed == ["generator"]
    assert loop.is_closed()
    del iterator
    me = threading.get_ident()
    assert runner.run(where()) == (me, me)  # a new loop
    assert runner.loop is not loop


def test_close_from_another_thread_cancels_the_leader_and_its_followers(runner: Runner) -> None:
    leader = Leader(runner, delay=5)
    leader.start()
    assert leader.started.wait(5)
    outcome: list[BaseException | None] = []

    def follow() -> None:
        try:
            runner.run(asyncio.sleep(5))
            outcome.append(None)
        except BaseException as exc:  # checked below
            outcome.append(exc)

    follower = threading.Thread(target=follow)
    follower.start()
    time.sleep(0.1)
    loop = runner.loop
    started = time.monotonic()
    runner.close()
    leader.join(timeout=5)
    follower.join(timeout=5)
    assert time.monotonic() - started < 2.0
    assert isinstance(leader.error, asyncio.CancelledError)
    assert len(outcome) == 1 and isinstance(outcome[0], asyncio.CancelledError)
    assert loop.is_closed()


def test_a_timer_due_while_idle_fires_before_the_next_call_starts(runner: Runner) -> None:
    fired: list[str] = []

    async def arm() -> None:
        asyncio.get_running_loop().call_later(0.05, fired.append, "timer")

    async def check() -> list[str]:
        return list(fired)

    runner.run(arm())
    time.sleep(0.2)  # nobody drives the loop: the timer is due but has not fired
    assert fired == []
    assert runner.run(check()) == ["timer"]


@pytest.fixture
def short_keep_alive_server() -> Iterator[tuple[str, list[object]]]:
    """An aiohttp server closing idle keep-alive connections after 50 ms; and its peers seen."""
    loop = asyncio.new_event_loop()
    peers: list[object] = []

    async def handle(request: web.Request) -> web.Response:
        assert request.transport is not None
        peers.append(request.transport.get_extra_info("peername"))
        await request.read()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/", handle)
    app_runner = web.AppRunner(app, keepalive_timeout=0.05, access_log=None)
    loop.run_until_complete(app_runner.setup())
    site = web.TCPSite(app_runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    host, port = app_runner.addresses[0][:2]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://{host}:{port}/", peers
    asyncio.run_coroutine_threadsafe(app_runner.cleanup(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    loop.close()


def test_a_keep_alive_connection_closed_while_idle_is_not_reused(
    runner: Runner, short_keep_alive_server: tuple[str, list[object]]
) -> None:
    url, peers = short_keep_alive_server

    async def new_session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    async def post(session: aiohttp.ClientSession) -> str:
        async with session.post(url, data=b"payload") as response:
            return await response.text()

    session = runner.run(new_session())
    try:
        assert runner.run(post(session)) == "ok"
        time.sleep(0.3)  # the server closes the idle connection; nobody drives the loop
        # A POST is not re-sent on a dropped connection: it must not be written to that one.
        assert runner.run(post(session)) == "ok"
    finally:
        runner.run(session.close())
    assert len(set(peers)) == 2


def test_without_the_idle_poll_that_post_would_fail(
    runner: Runner,
    short_keep_alive_server: tuple[str, list[object]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Guards the test above: it exercises the poll, not a lucky timing.
    monkeypatch.setattr(_runner, "_IDLE_POLL_AFTER", 1e9)
    url, _ = short_keep_alive_server

    async def new_session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    async def post(session: aiohttp.ClientSession) -> str:
        async with session.post(url, data=b"payload") as response:
            return await response.text()

    session = runner.run(new_session())
    try:
        assert runner.run(post(session)) == "ok"
        time.sleep(0.3)
        with pytest.raises(aiohttp.ClientError):
            runner.run(post(session))
    finally:
        runner.run(session.close())


def test_a_call_from_a_thread_running_another_loop_runs_on_a_helper_thread(
    runner: Runner,
) -> None:
    async def from_coroutine() -> tuple[int, tuple[int, int]]:
        with pytest.warns(RuntimeWarning, match="improvado_async"):
            first = runner.run(where())
        second = runner.run(where())  # warned once only
        assert first[0] != threading.get_ident() and second[0] != threading.get_ident()
        return threading.get_ident(), second

    runner._warned_running_loop = False
    me, (before, after) = asyncio.run(from_coroutine())
    assert me == threading.get_ident() and before == after != me


def test_contextvars_of_the_caller_reach_the_coroutine_whoever_drives(runner: Runner) -> None:
    import contextvars

    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

    async def read() -> str:
        return request_id.get()

    request_id.set("main")
    assert runner.run(read()) == "main"  # led by this thread

    leader = Leader(runner, delay=0.5)
    leader.start()
    assert leader.started.wait(5)
    assert runner.run(read()) == "main"  # driven by the leader's thread
    leader.join()
