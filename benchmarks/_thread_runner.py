"""The sync facade's previous runner, kept for the benchmarks to compare against (not shipped).

Until issue 18, ``improvado_sync._runner.Runner`` ran every call on a private event loop in a
daemon thread: the calling thread handed the coroutine over (a queue and a pipe the loop
watches) and slept on a pipe of its own until the loop thread woke it. This is that code, as it
was, renamed ``LoopThreadRunner``, without the process-wide default instance (and so without its
fork and exit hooks): a benchmark creates one and closes it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import select
import threading
import warnings
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Generic, TypeVar, cast

__all__ = ["LoopThreadRunner"]

T = TypeVar("T")

_CANCEL_GRACE = 5.0

# Loops inherited across a fork: never closed or collected in the child, because closing one
# unregisters descriptors from the epoll instance the child shares with the parent.
_INHERITED: list[object] = []


class LoopThreadRunner:
    """Runs coroutines on a private loop thread and hands back their results."""

    def __init__(self, name: str = "improvado-sync-bench") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._submitter: _Submitter | None = None  # hands calls to the loop; None when stopped
        self._thread: threading.Thread | None = None
        self._thread_ident: int | None = None  # of the loop thread: calling from it deadlocks
        self._warned_running_loop = False
        self._exited = False  # set at interpreter exit: no new loop thread can run any more

    def __repr__(self) -> str:
        state = "running" if self._thread is not None and self._thread.is_alive() else "idle"
        return f"<LoopThreadRunner {self._name} {state}>"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The runner's loop, started on first use."""
        return self._started().loop

    def _started(self) -> _Submitter:
        """The running loop's submitter, starting the loop thread if needed."""
        with self._lock:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                if self._exited:
                    # A thread started now (e.g. by a finalizer during interpreter teardown)
                    # would never run, and waiting for it would hang the exit.
                    raise RuntimeError(
                        "improvado_sync cannot run calls: the interpreter is exiting"
                    )
                self._start_locked()
            assert self._submitter is not None
            return self._submitter

    def _start_locked(self) -> None:
        loop = asyncio.new_event_loop()
        submitter = _Submitter(loop)
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            submitter.attach()
            loop.call_soon(ready.set)
            loop.run_forever()

        thread = threading.Thread(target=serve, name=self._name, daemon=True)
        thread.start()
        ready.wait()
        self._loop, self._thread, self._thread_ident = loop, thread, thread.ident
        self._submitter = submitter

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the runner's loop and block until it finishes.

        Ctrl-C (KeyboardInterrupt) while waiting cancels the coroutine before re-raising.
        """
        submitter = self._submitter
        if submitter is None:  # not started yet (or closed, or reset in a forked child)
            try:
                submitter = self._started()
            except BaseException:
                coro.close()
                raise
        loop = submitter.loop
        if threading.get_ident() == self._thread_ident:
            coro.close()
            raise RuntimeError(
                "improvado_sync was called from its own event-loop thread (e.g. inside a handler "
                "running on that loop); this would deadlock. Use improvado_async there instead."
            )
        if not self._warned_running_loop and asyncio._get_running_loop() is not None:
            self._warn_inside_running_loop()
        # Not run_coroutine_threadsafe: cancelling its concurrent future completes that future at
        # once, while the task on the loop is still unwinding (its request still holding a
        # connection). Here the waker is signalled as the coroutine's very last step.
        waker = _thread_waker()
        call: _Call[T] = _Call()

        def start() -> None:
            call.task = loop.create_task(_run_and_signal(coro, call, waker))

        submitter.submit(start)
        try:
            waker.wait()
        except BaseException:

            def cancel() -> None:
                if call.task is not None:
                    call.task.cancel()
                else:  # defensive: start() failed, so there is nothing to unwind
                    coro.close()
                    call.error = asyncio.CancelledError()
                    call.finished = True
                    waker.signal(None)

            # Ctrl-C (or another async exception) while waiting: cancel the coroutine and wait
            # for the cancellation to land, so the request is really abandoned before re-raising.
            consumed = False
            try:
                with contextlib.suppress(RuntimeError):  # the loop was closed meanwhile
                    if not call.finished:
                        loop.call_soon_threadsafe(cancel)
                        consumed = waker.wait(timeout=_CANCEL_GRACE)
            finally:
                if not consumed:  # its signal may be pending or still to come: never reuse it
                    _abandon_thread_waker(waker)
            raise
        return call.outcome()

    def iterate(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        """A sync iterator over an async iterator; closing it (or breaking out) closes both."""
        try:
            while True:
                try:
                    item = self.run(_anext(iterator))
                except StopAsyncIteration:
                    return
                yield item
        finally:
            # At interpreter exit the loop is gone for good: the generator is simply dropped.
            if isinstance(iterator, AsyncGenerator) and not self._exited:
                self.run(iterator.aclose())

    def close(self) -> None:
        """Stop the loop thread (idempotent). A later call starts a new one.

        Calls still running on the loop (from other threads) are cancelled and unwound first, and
        unfinished async generators (abandoned paginators) are closed, so nothing is left pending
        on the closed loop. At interpreter exit only daemon threads can still be waiting; they are
        left blocked (Python stops them) instead of being woken up to print a traceback.
        """
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = self._thread_ident = self._submitter = None
        if loop is None or thread is None or not thread.is_alive():
            return
        if thread is threading.current_thread():
            loop.stop()
            return
        if not self._exited:
            with contextlib.suppress(Exception):  # the loop is stopping already, or a hung cleanup
                asyncio.run_coroutine_threadsafe(_drain(), loop).result(timeout=_CANCEL_GRACE)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=_CANCEL_GRACE)
        if not thread.is_alive():
            loop.close()

    def _reset_after_fork(self) -> None:
        # The loop thread does not exist in the child; start afresh there on first use.
        if self._loop is not None:
            _INHERITED.append(self._loop)
        self._lock = threading.Lock()
        if self._submitter is not None:
            _INHERITED.append(self._submitter)  # its pipe is shared with the parent's loop
        self._loop = None
        self._submitter = None
        self._thread = None
        self._thread_ident = None

    def _warn_inside_running_loop(self) -> None:
        self._warned_running_loop = True
        warnings.warn(
            "improvado_sync.Improvado is blocking this thread's running event loop; in async code "
            "(Jupyter, aiohttp, FastAPI) use improvado_async.AsyncImprovado instead",
            RuntimeWarning,
            stacklevel=4,
        )


class _Submitter:
    """Hands callbacks to the loop thread: a queue, and a pipe the loop watches to wake up.

    ``loop.call_soon_threadsafe`` does the same through the loop's own self-pipe, whose reader
    ends every wake-up by catching a ``BlockingIOError``; this reader reads once and drains the
    queue (measured: 52,000 instructions per bare hop instead of 71,000). Platforms whose loops
    cannot watch a pipe (Windows) use ``call_soon_threadsafe``.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._queue: collections.deque[Callable[[], object]] = collections.deque()
        self._pipe: tuple[int, int] | None = None
        if os.name == "posix":
            read_fd, write_fd = os.pipe()
            os.set_blocking(read_fd, False)
            os.set_blocking(write_fd, False)
            self._pipe = (read_fd, write_fd)

    def attach(self) -> None:
        """Start watching the pipe (on the loop thread, before the loop runs)."""
        if self._pipe is not None:
            self.loop.add_reader(self._pipe[0], self._drain)

    def submit(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` on the loop thread soon (thread-safe)."""
        if self._pipe is None:
            self.loop.call_soon_threadsafe(callback)
            return
        self._queue.append(callback)
        # A full pipe means wake-ups are pending already: the loop drains the queue anyway.
        with contextlib.suppress(BlockingIOError):
            os.write(self._pipe[1], b"\0")

    def _drain(self) -> None:
        assert self._pipe is not None
        with contextlib.suppress(BlockingIOError):
            os.read(self._pipe[0], 4096)
        queue = self._queue
        while queue:
            callback = queue.popleft()
            try:
                callback()
            except Exception as exc:  # as the loop does for a failing callback: log, go on
                self.loop.call_exception_handler(
                    {"message": "improvado_sync runner callback failed", "exception": exc}
                )

    def __del__(
        self,
        _close: Callable[[int], None] = os.close,
        _suppress: type[contextlib.suppress] = contextlib.suppress,
    ) -> None:
        # Only when no thread can submit any more (each submitting thread holds a reference).
        for fd in self._pipe or ():
            with _suppress(OSError):
                _close(fd)


class _Call(Generic[T]):
    """What one ``Runner.run`` call hands from the loop thread to the calling thread."""

    __slots__ = ("error", "finished", "task", "value")

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None
        self.value: T | None = None
        self.error: BaseException | None = None
        self.finished = False

    def outcome(self) -> T:
        """The coroutine's return value, or its exception raised in the calling thread."""
        error = self.error
        if error is not None:
            self.error = None  # no reference cycle through the traceback
            raise error
        return cast(T, self.value)  # set: the coroutine returned


async def _run_and_signal(
    coro: Coroutine[Any, Any, T], call: _Call[T], waker: _PipeWaker | _LockWaker
) -> None:
    """Run ``coro`` and wake the caller as the last step (no extra loop iteration before it).

    Every exception, cancellation included, is handed to the calling thread, which raises it; the
    task itself always ends normally, so nothing is logged as "never retrieved" and a
    KeyboardInterrupt raised inside the coroutine cannot stop the runner's loop.
    """
    try:
        call.value = await coro
    except BaseException as exc:  # handed over, raised by the caller
        call.error = exc
    finally:
        call.finished = True
        waker.signal(None)


class _PipeWaker:
    """Wakes one blocked calling thread from the loop thread, through a pipe of its own.

    A pipe, not a lock or an Event: ``os.write`` releases the GIL before it wakes the reader, so
    the woken thread runs at once instead of waking, finding the GIL held and sleeping again.
    Measured on 2 cores (client pinned to one): 2 context switches per call instead of 5-6, and
    the bare hop 38 µs instead of 75-87 µs.
    """

    def __init__(self) -> None:
        self._read_fd, self._write_fd = os.pipe()

    def signal(self, _: object) -> None:
        """Wake the waiting thread (called on the loop thread, e.g. as a done callback)."""
        os.write(self._write_fd, b"\0")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until signalled; False if ``timeout`` passed first."""
        if timeout is not None:
            ready, _, _ = select.select([self._read_fd], [], [], timeout)
            if not ready:
                return False
        os.read(self._read_fd, 1)
        return True

    def __del__(
        self,
        _close: Callable[[int], None] = os.close,
        _suppress: type[contextlib.suppress] = contextlib.suppress,
    ) -> None:
        # Only once nothing can signal any more: a done callback holds a reference until it ran.
        # (Bound at definition: module globals may be gone at interpreter exit.)
        for fd in (self._read_fd, self._write_fd):
            with _suppress(OSError):
                _close(fd)


class _LockWaker:
    """The same contract on platforms without ``select`` on pipes (Windows): a bare lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()

    def signal(self, _: object) -> None:
        """Wake the waiting thread."""
        self._lock.release()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until signalled; False if ``timeout`` passed first."""
        return self._lock.acquire(timeout=-1 if timeout is None else timeout)


_Waker = _PipeWaker if os.name == "posix" else _LockWaker
_wakers = threading.local()


def _thread_waker() -> _PipeWaker | _LockWaker:
    """The calling thread's waker (one per thread, reused by every call it makes)."""
    waker: _PipeWaker | _LockWaker | None = getattr(_wakers, "waker", None)
    if waker is None:
        waker = _wakers.waker = _Waker()
    return waker


def _abandon_thread_waker(waker: _PipeWaker | _LockWaker) -> None:
    """A waker whose signal is still due is never waited on again: the thread gets a new one."""
    if getattr(_wakers, "waker", None) is waker:
        _wakers.waker = None


async def _anext(iterator: AsyncIterator[T]) -> T:
    return await iterator.__anext__()


async def _drain() -> None:
    """Cancel every other task of the running loop, wait for them, close async generators."""
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=_CANCEL_GRACE)
    await asyncio.get_running_loop().shutdown_asyncgens()
