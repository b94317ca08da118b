"""The sync facade's runner: what an interruption leaves, and how a waiting thread is woken.

A call drives the runner's loop in the calling thread; a thread whose call another thread drives
is woken through a pipe of its own (see ``improvado_sync._runner``; the hand-off between threads
is tested in ``test_runner_handoff.py``). These tests pin down what users rely on: a call always
returns its own result (never an earlier, interrupted call's), and no pipe outlives the thread or
the interrupted call it served.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

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


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def answer(value: str, delay: float = 0.0) -> str:
    await asyncio.sleep(delay)
    return value


def ctrl_c() -> None:
    """A real SIGINT to the main thread (where pytest runs the test), as a terminal sends."""
    main = threading.main_thread().ident
    assert main is not None
    signal.pthread_kill(main, signal.SIGINT)


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")


def test_each_call_returns_its_own_result_after_an_interrupted_call(runner: Runner) -> None:
    assert runner.run(answer("warm")) == "warm"
    timer = threading.Timer(0.1, ctrl_c)  # Ctrl-C while the call is waiting
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run(answer("interrupted", delay=2.0))
    assert time.monotonic() - started < 1.5  # cancelled, not waited for
    timer.join()
    # The interrupted call's wake-up must not be taken for these calls' results.
    assert runner.run(answer("next")) == "next"
    assert runner.run(answer("slow", delay=0.05)) == "slow"
    assert runner.run(answer("last")) == "last"


def test_a_late_wake_up_from_an_abandoned_call_is_never_taken_for_the_next_result(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A coroutine that outlasts the grace period after Ctrl-C: its done signal comes after the
    # caller gave up waiting, while the thread is already blocked in its next call.
    monkeypatch.setattr("improvado_sync._runner._CANCEL_GRACE", 0.2)

    async def stubborn() -> str:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            await asyncio.sleep(0.5)
        return "late"

    timer = threading.Timer(0.05, ctrl_c)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        runner.run(stubborn())
    timer.join()
    # Still waiting when the stubborn call's signal arrives (about 0.3 s from now).
    assert runner.run(answer("next", delay=0.8)) == "next"
    assert runner.run(answer("after")) == "after"


@needs_proc
def test_wake_pipes_are_closed_with_their_threads(runner: Runner) -> None:
    runner.run(answer("start the loop thread"))
    gc.collect()
    before = open_fds()

    def calls() -> None:
        for i in range(5):
            assert runner.run(answer(str(i))) == str(i)

    threads = [threading.Thread(target=calls) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gc.collect()
    assert open_fds() == before


@needs_proc
def test_an_interrupted_calls_pipe_is_closed_once_its_task_has_ended(runner: Runner) -> None:
    runner.run(answer("warm"))
    gc.collect()
    before = open_fds()
    timer = threading.Timer(0.05, ctrl_c)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        runner.run(answer("interrupted", delay=2.0))
    timer.join()
    runner.run(answer("after"))  # a fresh pipe for this thread: one pair more than before
    gc.collect()
    assert open_fds() <= before + 2
    assert open_fds() >= before  # the thread's current pipe is open and in use


def test_the_sync_client_imports_and_runs_where_the_platform_has_no_fork_hook() -> None:
    """Windows has no ``os.register_at_fork``: importing the facade must not need it."""
    import subprocess
    import sys

    script = (
        "import os\n"
        "del os.register_at_fork, os.fork\n"
        "from improvado_sync import Improvado\n"
        "from improvado_async.testing import SandboxThread, client_kwargs\n"
        "with SandboxThread() as sb, Improvado(**client_kwargs(sb)) as c:\n"
        "    print(c.workspaces.get(sb.workspace_id).id == sb.workspace_id)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
