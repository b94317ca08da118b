"""A private event loop in a daemon thread that runs the async client's coroutines for sync code.

One runner serves every sync client of the process. It starts lazily, is thread-safe, refuses to
be called from its own thread (that would deadlock), resets itself in a forked child and stops at
interpreter exit.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
import warnings
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

__all__ = ["Runner", "default_runner"]

T = TypeVar("T")

_CANCEL_GRACE = 5.0

# Loops inherited across a fork: never closed or collected in the child, because closing one
# unregisters descriptors from the epoll instance the child shares with the parent.
_INHERITED: list[object] = []


class Runner:
    """Runs coroutines on a private loop thread and hands back their results."""

    def __init__(self, name: str = "improvado-sync") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._warned_running_loop = False
        self._exited = False  # set at interpreter exit: no new loop thread can run any more

    def __repr__(self) -> str:
        state = "running" if self._thread is not None and self._thread.is_alive() else "idle"
        return f"<Runner {self._name} {state}>"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The runner's loop, started on first use."""
        with self._lock:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                if self._exited:
                    # A thread started now (e.g. by a finalizer during interpreter teardown)
                    # would never run, and waiting for it would hang the exit.
                    raise RuntimeError(
                        "improvado_sync cannot run calls: the interpreter is exiting"
                    )
                self._start_locked()
            assert self._loop is not None
            return self._loop

    def _start_locked(self) -> None:
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()

        thread = threading.Thread(target=serve, name=self._name, daemon=True)
        thread.start()
        ready.wait()
        self._loop, self._thread = loop, thread

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the runner's loop and block until it finishes.

        Ctrl-C (KeyboardInterrupt) while waiting cancels the coroutine before re-raising.
        """
        try:
            loop = self.loop
        except BaseException:
            coro.close()
            raise
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError(
                "improvado_sync was called from its own event-loop thread (e.g. inside a handler "
                "running on that loop); this would deadlock. Use improvado_async there instead."
            )
        self._warn_if_inside_running_loop()
        # Not run_coroutine_threadsafe: cancelling its concurrent future completes that future at
        # once, while the task on the loop is still unwinding (its request still holding a
        # connection). Here ``finished`` is set only when the task itself is done.
        finished = threading.Event()
        tasks: list[asyncio.Task[T]] = []

        def start() -> None:
            task = loop.create_task(coro)
            task.add_done_callback(lambda _: finished.set())
            tasks.append(task)

        def cancel() -> None:
            if tasks:
                tasks[0].cancel()
            else:  # defensive: start() failed, so there is nothing to unwind
                coro.close()
                finished.set()

        loop.call_soon_threadsafe(start)
        try:
            finished.wait()
        except BaseException:
            # Ctrl-C (or another async exception) while waiting: cancel the coroutine and wait
            # for the cancellation to land, so the request is really abandoned before re-raising.
            with contextlib.suppress(RuntimeError):  # the loop was closed meanwhile
                loop.call_soon_threadsafe(cancel)
                finished.wait(timeout=_CANCEL_GRACE)
            if tasks and tasks[0].done() and not tasks[0].cancelled():
                tasks[0].exception()  # retrieved: no "exception was never retrieved" log
            raise
        return tasks[0].result()

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
            self._loop = self._thread = None
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
        self._loop = None
        self._thread = None

    def _warn_if_inside_running_loop(self) -> None:
        if self._warned_running_loop:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self._warned_running_loop = True
        warnings.warn(
            "improvado_sync.Improvado is blocking this thread's running event loop; in async code "
            "(Jupyter, aiohttp, FastAPI) use improvado_async.AsyncImprovado instead",
            RuntimeWarning,
            stacklevel=4,
        )


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


_default: Runner | None = None
_default_lock = threading.Lock()


def default_runner() -> Runner:
    """The process-wide runner shared by sync clients."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Runner()
        return _default


def _after_fork_in_child() -> None:
    global _default_lock
    _default_lock = threading.Lock()
    if _default is not None:
        _default._reset_after_fork()


def _shutdown() -> None:
    if _default is not None:
        _default._exited = True
        _default.close()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_shutdown)
