"""The sync facade's runner: calling threads drive the loop themselves (leader/follower hand-off).

A call runs the runner's loop in the calling thread while no other thread does (it *leads*);
callers arriving meanwhile hand their calls to the leader and wait (they *follow*), and a leader
whose call is done hands the loop to a follower whose call is not. These tests pin down which
thread runs what, that leadership passes on, and what Ctrl-C, close() and idle time do.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from improvado_sync import _runner
from improvado_sync._runner import Runner


@pytest.fixture(autouse=True)
def _ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt even when the suite runs with SIGINT ignored (background)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


try:
    import uvloop
except ImportError:  # Windows, PyPy: the runner is tested on asyncio's loop only
    uvloop = None  # type: ignore[assignment]

LOOP_KINDS = [
    "asyncio",
    pytest.param(
        "uvloop", marks=pytest.mark.skipif(uvloop is None, reason="uvloop is not installed")
    ),
]


@pytest.fixture(params=LOOP_KINDS)
def runner(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runner]:
    """A runner on asyncio's own loop (iterated by the calling thread one iteration at a time),
    and on uvloop (run with ``run_forever``, as any other kind of loop)."""
    if request.param == "uvloop":
        monkeypatch.setattr(asyncio, "new_event_loop", uvloop.new_event_loop)
    runner = Runner(name="improvado-test-runner")
    if request.param == "uvloop":
        assert isinstance(runner.loop, uvloop.Loop)
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
    """A thread whose one call leads the loop until ``gate`` is set (or ``limit`` seconds).

    ``started`` is set once its coroutine runs; ``result`` is where it ran, before and after.
    """

    def __init__(self, runner: Runner, limit: float = 10.0) -> None:
        super().__init__()
        self.runner, self.limit = runner, limit
        self.started = threading.Event()
        self.gate = threading.Event()
        self.result: tuple[int, int] | None = None
        self.error: BaseException | None = None

    async def _call(self) -> tuple[int, int]:
        self.started.set()
        before = threading.get_ident()
        await wait_for(self.gate, self.limit)
        return before, threading.get_ident()

    def run(self) -> None:
        try:
            self.result = self.runner.run(self._call())
        except BaseException as exc:  # checked by the test
            self.error = exc


async def wait_for(event: threading.Event, limit: float) -> None:
    """Wait on the loop until another thread sets ``event`` (at most ``limit`` seconds)."""
    deadline = time.monotonic() + limit
    while not event.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(0.005)


def test_a_single_threaded_call_runs_in_the_calling_thread(runner: Runner) -> None:
    me = threading.get_ident()
    assert runner.run(where()) == (me, me)
    assert runner.run(where(0.01)) == (me, me)
    assert not any(t.name == "improvado-test-runner" for t in threading.enumerate())

    async def running_loop() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    assert runner.run(running_loop()) is runner.loop  # one loop, kept between calls
    assert asyncio._get_running_loop() is None  # and not left running in this thread


def test_a_call_sees_the_loop_running_and_leaves_the_thread_as_it_found_it(
    runner: Runner,
) -> None:
    def firstiter(agen: object) -> None:
        return None

    def finalizer(agen: object) -> None:
        return None

    async def inside() -> tuple[asyncio.AbstractEventLoop, bool, tuple[object, ...]]:
        loop = asyncio.get_running_loop()
        return loop, loop.is_running(), tuple(sys.get_asyncgen_hooks())

    previous = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(firstiter, finalizer)
    try:
        loop, running, hooks = runner.run(inside())
        after = tuple(sys.get_asyncgen_hooks())
    finally:
        sys.set_asyncgen_hooks(*previous)
    assert loop is runner.loop and running
    assert firstiter not in hooks  # the loop's own hooks, which finalize its async generators
    assert after == (firstiter, finalizer)  # the thread's own hooks are back
    assert asyncio._get_running_loop() is None
    assert not runner.loop.is_running()


def test_callbacks_ready_before_a_call_run_before_its_first_step(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_runner, "_IDLE_POLL_AFTER", 60.0)  # the call starts without an idle poll
    order: list[str] = []

    async def step() -> None:
        order.append("first step")

    runner.run(asyncio.sleep(0))
    runner.loop.call_soon(order.append, "ready before")
    runner.run(step())
    assert order == ["ready before", "first step"]


@pytest.mark.parametrize("waiting", [False, True], ids=["nothing-ready", "callback-ready"])
def test_a_calls_first_step_runs_in_its_own_task_with_the_callers_context(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, waiting: bool
) -> None:
    # Started without an idle poll, a led call's first step runs before the loop polls: in a
    # task created with that step (Python 3.12+, nothing else ready) or scheduled and run at
    # once; either way it is the call's own task, running on the loop in the caller's context.
    monkeypatch.setattr(_runner, "_IDLE_POLL_AFTER", 60.0)
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id")
    seen: list[object] = []

    async def first_step() -> str:
        task = asyncio.current_task()
        seen.extend([task is not None and not task.done(), asyncio.get_running_loop()])
        seen.append(request_id.get())
        request_id.set("changed inside")
        await asyncio.sleep(0)
        return request_id.get()

    runner.run(asyncio.sleep(0))
    if waiting:
        runner.loop.call_soon(seen.append, "ready before")
    token = request_id.set("from the caller")
    try:
        assert runner.run(first_step()) == "changed inside"
        assert request_id.get() == "from the caller"  # the coroutine ran in a copy
    finally:
        request_id.reset(token)
    assert seen == (["ready before"] if waiting else []) + [True, runner.loop, "from the caller"]


def test_a_task_factory_set_on_the_loop_makes_every_calls_task(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Also when the call would start eagerly (Python 3.12+): the factory is not bypassed.
    monkeypatch.setattr(_runner, "_IDLE_POLL_AFTER", 60.0)
    made: list[str] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        made.append(coro.__qualname__)
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def current_name() -> str:
        task = asyncio.current_task()
        assert task is not None
        return str(getattr(task.get_coro(), "__qualname__", None))

    runner.run(asyncio.sleep(0))
    runner.loop.set_task_factory(factory)
    assert runner.run(current_name()) == "_run_and_signal"
    assert runner.run(asyncio.sleep(0, "done")) == "done"
    assert made == ["_run_and_signal", "_run_and_signal"]


@pytest.mark.skipif(sys.version_info < (3, 13), reason="run_forever has no halves before 3.13")
def test_a_loop_that_extends_run_forevers_halves_has_them_run_for_each_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    class Integrated(asyncio.SelectorEventLoop):  # as a loop integrating a GUI's loop does
        def _run_forever_setup(self) -> None:
            calls.append("setup")
            super()._run_forever_setup()  # type: ignore[misc]  # 3.13+

        def _run_forever_cleanup(self) -> None:
            super()._run_forever_cleanup()  # type: ignore[misc]  # 3.13+
            calls.append("cleanup")

    monkeypatch.setattr(asyncio, "new_event_loop", Integrated)
    runner = Runner(name="improvado-test-runner")
    try:
        assert runner.run(asyncio.sleep(0, "one")) == "one"
        assert runner.run(asyncio.sleep(0.01, "two")) == "two"
    finally:
        runner.close()
    assert calls[:4] == ["setup", "cleanup", "setup", "cleanup"]


def test_loop_stop_from_a_call_neither_ends_it_nor_leaves_the_loop_spinning(
    runner: Runner, request: pytest.FixtureRequest
) -> None:
    if request.node.callspec.params["runner"] != "asyncio":
        pytest.skip("counts the polls of asyncio's selector")
    polls: list[float | None] = []
    selector = runner.loop._selector  # type: ignore[attr-defined]
    select = selector.select

    def counted(timeout: float | None = None) -> Any:
        polls.append(timeout)
        return select(timeout)

    async def stop_then_wait() -> str:
        asyncio.get_running_loop().stop()
        await asyncio.sleep(0.2)
        return "done"

    selector.select = counted
    assert runner.run(stop_then_wait()) == "done"
    assert runner.run(asyncio.sleep(0.1, "next")) == "next"
    # A stop left pending would make every poll return at once: thousands in 0.3 s.
    assert len(polls) < 50, f"{len(polls)} polls, {polls.count(0)} of them not waiting"


def test_a_follower_call_is_driven_by_the_leader_while_it_waits_on_its_own(
    runner: Runner,
) -> None:
    leader = Leader(runner)
    leader.start()
    assert leader.started.wait(5)
    ran_in = runner.run(where())  # while the leader is still blocked on its own call
    assert leader.is_alive() and leader.result is None
    leader.gate.set()
    leader.join()
    assert leader.error is None
    assert leader.result == (leader.ident, leader.ident)
    assert ran_in == (leader.ident, leader.ident)


def test_a_waiting_follower_takes_over_when_the_leader_is_done(runner: Runner) -> None:
    leader = Leader(runner)
    leader.start()
    assert leader.started.wait(5)

    async def follower_call() -> tuple[int, int]:
        before = threading.get_ident()
        leader.gate.set()  # the leader's call ends now: its thread hands the loop over
        await asyncio.sleep(0.3)
        return before, threading.get_ident()

    me = threading.get_ident()
    # Started by the leader's loop; after the leader's call ended this thread drives it.
    assert runner.run(follower_call()) == (leader.ident, me)
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
    leading = threading.Event()
    cancelled = threading.Event()
    following = threading.Event()
    results: list[object] = []

    async def long_call() -> str:
        leading.set()
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "not interrupted"

    async def follower_call() -> tuple[int, int]:
        before = threading.get_ident()
        following.set()
        await asyncio.sleep(0.5)
        return before, threading.get_ident()

    def follower() -> None:
        results.append(runner.run(follower_call()))

    thread = threading.Thread(target=follower)

    def press_ctrl_c() -> None:
        assert leading.wait(5)
        thread.start()  # follows: the main thread leads
        assert following.wait(5)  # its call has started on the main thread's loop
        ctrl_c()

    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    with pytest.raises(KeyboardInterrupt):
        runner.run(long_call())
    assert cancelled.is_set()  # the cancellation landed before KeyboardInterrupt was raised
    presser.join()
    thread.join(timeout=10)
    # The follower's call went on: started by the main thread, finished by its own thread.
    assert results == [(threading.get_ident(), thread.ident)]


def test_ctrl_c_in_a_following_main_thread_cancels_its_call(runner: Runner) -> None:
    leader = Leader(runner)
    leader.start()
    assert leader.started.wait(5)
    following = threading.Event()
    cancelled = threading.Event()

    async def follower_call() -> str:
        following.set()
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "not interrupted"

    def press_ctrl_c() -> None:
        assert following.wait(5)
        ctrl_c()

    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run(follower_call())
    assert time.monotonic() - started < 3.0  # not the 5 s of the call
    assert cancelled.is_set()
    presser.join()
    assert leader.is_alive() and leader.result is None  # still leading its own call
    leader.gate.set()
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
    leader = Leader(runner)
    leader.start()
    assert leader.started.wait(5)
    following = threading.Event()
    outcome: list[BaseException | None] = []

    async def follower_call() -> None:
        following.set()
        await asyncio.sleep(5)

    def follow() -> None:
        try:
            runner.run(follower_call())
            outcome.append(None)
        except BaseException as exc:  # checked below
            outcome.append(exc)

    follower = threading.Thread(target=follow)
    follower.start()
    assert following.wait(5)
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


class KeepAliveServer:
    """An HTTP/1.1 server closing a keep-alive connection after 50 ms without a request.

    ``closed`` is set each time it has closed an idle connection; ``peers`` lists the client
    address of every request.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.peers: list[object] = []
        self.closed = threading.Event()
        self._server = self.loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0)
        )
        host, port = self._server.sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}/"
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 0.05)
                except asyncio.TimeoutError:
                    break  # idle: close the keep-alive connection
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                self.peers.append(writer.get_extra_info("peername"))
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()
            self.closed.set()

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def keep_alive_server() -> Iterator[KeepAliveServer]:
    server = KeepAliveServer()
    yield server
    server.stop()


def _post_twice_with_an_idle_pause(runner: Runner, server: KeepAliveServer) -> str:
    """POST, wait until the server closed the idle connection, POST again on the same session."""

    async def new_session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    async def post(session: aiohttp.ClientSession) -> str:
        async with session.post(server.url, data=b"payload") as response:
            return await response.text()

    session = runner.run(new_session())
    try:
        assert runner.run(post(session)) == "ok"
        # Nobody drives the client's loop meanwhile: the connection's end is not seen yet.
        assert server.closed.wait(5)
        time.sleep(0.05)
        return runner.run(post(session))
    finally:
        runner.run(session.close())


def test_a_keep_alive_connection_closed_while_idle_is_not_reused(
    runner: Runner, keep_alive_server: KeepAliveServer
) -> None:
    # A POST is not re-sent on a dropped connection: it must not be written to that one.
    assert _post_twice_with_an_idle_pause(runner, keep_alive_server) == "ok"
    assert len(set(keep_alive_server.peers)) == 2


def test_without_the_idle_poll_that_post_would_fail(
    runner: Runner, keep_alive_server: KeepAliveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guards the test above: it exercises the poll, not a lucky timing.
    monkeypatch.setattr(_runner, "_IDLE_POLL_AFTER", 1e9)
    with pytest.raises(aiohttp.ClientError):
        _post_twice_with_an_idle_pause(runner, keep_alive_server)


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

    leader = Leader(runner)
    leader.start()
    assert leader.started.wait(5)
    assert runner.run(read()) == "main"  # driven by the leader's thread
    leader.gate.set()
    leader.join()
    assert leader.error is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_while_the_main_thread_leads_gets_plain_ctrl_c_back(
    runner: Runner,
) -> None:
    leading = threading.Event()
    done = threading.Event()
    child: dict[str, bytes] = {}

    async def long_call() -> None:
        leading.set()
        await wait_for(done, 10)

    def fork() -> None:
        try:
            assert leading.wait(5)  # the main thread's SIGINT handler is the runner's now
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # child
                try:
                    plain = signal.getsignal(signal.SIGINT) is signal.default_int_handler
                    no_wakeup_fd = signal.set_wakeup_fd(-1) == -1
                    os.write(write, b"ok" if plain and no_wakeup_fd else b"bad")
                finally:
                    os._exit(0)
            os.close(write)
            os.waitpid(pid, 0)
            child["answer"] = os.read(read, 10)
            os.close(read)
        finally:
            done.set()

    forker = threading.Thread(target=fork)
    forker.start()
    runner.run(long_call())
    forker.join()
    assert child["answer"] == b"ok"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored here too


def _call_from_another_thread(runner: Runner) -> list[tuple[int, int]]:
    """A call from a new (daemon) thread; its result, or [] if it did not end within 5 s."""
    result: list[tuple[int, int]] = []
    thread = threading.Thread(target=lambda: result.append(runner.run(where())), daemon=True)
    thread.start()
    thread.join(timeout=5)
    return result


def test_ctrl_c_before_the_leader_takes_charge_leaves_the_loop_to_others(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    drive = _runner._Driver._drive

    def interrupted_on_entry(
        self: _runner._Driver,
        call: _runner._Call[object],
        deadline: float | None = None,
        *,
        start: bool = False,
    ) -> None:
        if start:  # as if Ctrl-C landed when the call into _drive checked for signals
            raise KeyboardInterrupt
        drive(self, call, deadline, start=start)

    runner.run(where())  # the loop exists
    monkeypatch.setattr(_runner._Driver, "_drive", interrupted_on_entry)
    with pytest.raises(KeyboardInterrupt):
        runner.run(where())  # its coroutine is closed: no "never awaited" warning either
    monkeypatch.undo()
    assert _call_from_another_thread(runner), "the loop was left to a leader that never led"


def test_ctrl_c_before_a_follower_takes_charge_withdraws_its_call(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader = Leader(runner)
    leader.start()
    assert leader.started.wait(5)
    ran: list[str] = []

    async def withdrawn() -> None:
        ran.append("started")
        await asyncio.sleep(5)
        ran.append("finished")

    def interrupted_on_entry(*args: object) -> None:
        raise KeyboardInterrupt  # as if Ctrl-C landed when the call into _follow checked

    monkeypatch.setattr(_runner._Driver, "_follow", interrupted_on_entry)
    with pytest.raises(KeyboardInterrupt):
        runner.run(withdrawn())
    monkeypatch.undo()
    leader.gate.set()
    leader.join()
    assert leader.error is None
    # The leader did not hand the loop to the withdrawn call (nobody would have driven it).
    assert _call_from_another_thread(runner), "the loop was handed to a withdrawn call"
    assert "finished" not in ran  # cancelled on the loop (before or after it started)


def test_ctrl_c_while_a_follower_call_is_still_queued_ends_it_before_it_runs(
    runner: Runner,
) -> None:
    blocking = threading.Event()

    async def blocks_the_loop() -> None:
        blocking.set()
        time.sleep(0.5)  # the loop runs nothing else meanwhile: the follower's call stays queued

    leader = threading.Thread(target=runner.run, args=(blocks_the_loop(),))
    leader.start()
    assert blocking.wait(5)
    ran: list[str] = []

    async def queued() -> None:
        ran.append("started")

    timer = threading.Timer(0.2, ctrl_c)
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run(queued())
    # Started and cancelled back to back once the loop was free: the call ended there and
    # then (a task cancelled before its first step never runs its coroutine's body).
    assert time.monotonic() - started < 2.5  # not the 5 s grace
    assert ran == []
    timer.join()
    leader.join()
