"""The event loop behind the sync facade, driven by the threads that call it.

One runner serves every sync client of the process, and it owns one event loop (with the aiohttp
session and the watchdog bound to it). No thread is dedicated to that loop: a call drives it in
the calling thread until its own result is ready, so a single-threaded script never hands work to
another thread. asyncio's own loop is iterated directly (``_run_once``, entered and left as
``run_forever`` does), with the call's first step run before the first poll for I/O (on Python
3.12+ as its task is created, when nothing else is ready): a call pays one loop entry and no
extra iteration. Any other kind of loop (uvloop) runs ``run_forever`` until
the call's last step stops it. Concurrent callers share the loop through a leader/follower
hand-off:

* the first caller becomes the *leader* and runs the loop until its own call has finished;
* a caller arriving while another thread leads is a *follower*: it hands its call to the loop
  (a queue and a pipe the loop watches), and sleeps until the call has finished;
* a leader whose call has finished hands leadership to a follower whose call has not, which
  wakes up and drives the loop from then on.

When no call is in progress nothing runs the loop: what arrives meanwhile (a keep-alive
connection closed by the server, a due timer) is handled when the next call starts, before it
sends anything. Ctrl-C in a leading main thread cancels its call and waits for the cancellation
to land before ``KeyboardInterrupt`` is raised; the loop itself is never interrupted halfway
through another thread's work. A thread that runs an event loop of its own (Jupyter) cannot
drive this one: its calls run on a short-lived helper thread. Calling from a coroutine on the
runner's own loop would deadlock and raises ``RuntimeError``. A forked child starts afresh;
interpreter exit closes the loop without waiting for anything.

The coroutine of a call runs in a copy of the calling thread's context (``contextvars``),
whichever thread drives it.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import contextvars
import os
import select
import signal
import sys
import threading
import time
import warnings
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Generic, TypeVar, cast

try:  # the C functions behind ``signal.getsignal``/``signal.signal``, without the enum wrapping
    from _signal import getsignal as _getsignal  # type: ignore[import-not-found]
    from _signal import signal as _setsignal
except ImportError:  # pragma: no cover - not CPython
    _getsignal, _setsignal = signal.getsignal, signal.signal

__all__ = ["Runner", "default_runner"]

T = TypeVar("T")

#: How long an interrupted or cancelled call may take to unwind before it is abandoned.
_CANCEL_GRACE = 5.0

#: A loop idle for longer than this first handles what arrived meanwhile before a new call starts.
_IDLE_POLL_AFTER = 0.001

_SIGINT = int(signal.SIGINT)
_default_int_handler = signal.default_int_handler
_set_wakeup_fd = signal.set_wakeup_fd
_get_ident = threading.get_ident
_main = [threading.main_thread().ident]  # the thread that runs Python signal handlers

# Loops inherited across a fork: never closed or collected in the child, because closing one
# unregisters descriptors from the epoll instance the child shares with the parent.
_INHERITED: list[object] = []


# What Driver.run did with a call: undone if interrupted before the call was led or followed.
_NONE, _LEADING, _FOLLOWING = object(), object(), object()


class _DriverClosed(Exception):
    """Raised by ``_Driver.run`` before it took the coroutine: the runner was closed meanwhile."""


class Runner:
    """Runs coroutines of sync callers on one event loop, driven by the callers themselves."""

    def __init__(self, name: str = "improvado-sync") -> None:
        self._name = name  # of helper threads (callers that run an event loop of their own)
        self._lock = threading.Lock()
        self._driver: _Driver | None = None  # the loop and who drives it; None when closed
        self._warned_running_loop = False
        self._exited = False  # set at interpreter exit: no call can run any more

    def __repr__(self) -> str:
        driver = self._driver
        state = "closed" if driver is None else "driven" if driver.leader is not None else "idle"
        return f"<Runner {self._name} {state}>"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The runner's loop, created on first use."""
        return self._started().loop

    def _started(self) -> _Driver:
        """The current driver, creating it (and its loop) if needed."""
        with self._lock:
            driver = self._driver
            if driver is None or driver.closed:
                if self._exited:
                    # Modules are being torn down: a call now (e.g. from a finalizer) would run
                    # on a half-dismantled interpreter, or wait for threads that no longer run.
                    raise RuntimeError(
                        "improvado_sync cannot run calls: the interpreter is exiting"
                    )
                driver = self._driver = _Driver()
            return driver

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the runner's loop and block until it finishes.

        Ctrl-C (KeyboardInterrupt) while waiting cancels the coroutine before re-raising.
        """
        if asyncio._get_running_loop() is not None:
            driver = self._driver
            if driver is not None and asyncio._get_running_loop() is driver.loop:
                coro.close()
                raise RuntimeError(
                    "improvado_sync was called from a coroutine running on its own event loop "
                    "(e.g. inside a handler running on that loop); this would deadlock. Use "
                    "improvado_async there instead."
                )
            if not self._warned_running_loop:
                self._warn_inside_running_loop()
            return self._run_in_helper_thread(coro)
        while True:
            driver = self._driver
            if driver is None or driver.closed:
                try:
                    driver = self._started()
                except BaseException:
                    coro.close()
                    raise
            try:
                return driver.run(coro)
            except _DriverClosed:  # closed between the two lines above: use a new loop
                continue

    def _run_in_helper_thread(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` from a helper thread: this thread's own running loop blocks meanwhile."""
        box: _Relay[T] = _Relay()
        waker = _thread_waker()

        def helper() -> None:
            try:
                box.value = self.run(_tracked(coro, box))
            except BaseException as exc:  # handed over, raised by the caller
                box.error = exc
            finally:
                box.finished = True
                waker.signal()

        context = contextvars.copy_context()
        thread = threading.Thread(target=context.run, args=(helper,), name=self._name)
        thread.daemon = True
        thread.start()
        try:
            waker.wait()
            while not box.finished:  # woken by a signal a withdrawn call left behind
                waker.wait()
        except BaseException:
            # Ctrl-C while waiting: cancel the call and wait for the cancellation to land.
            try:
                if not box.finished:
                    box.cancel()
                    deadline = time.monotonic() + _CANCEL_GRACE
                    while not box.finished and waker.wait(max(0.0, deadline - time.monotonic())):
                        pass
            finally:
                _abandon_thread_waker(waker)  # its signal may be pending or still to come
            raise
        return box.outcome()

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
                driver = self._driver
                if driver is not None and asyncio._get_running_loop() is driver.loop:
                    # Collected by the thread driving the loop (inside it): close it on the loop.
                    driver.loop.create_task(iterator.aclose())
                else:
                    self.run(iterator.aclose())

    def close(self) -> None:
        """Close the loop (idempotent). A later call creates a new one.

        Calls still running on the loop (from other threads) are cancelled and unwound first, and
        unfinished async generators (abandoned paginators) are closed, so nothing is left pending
        on the closed loop. When another thread is driving a call that does not unwind, that
        thread closes the loop once it is done. At interpreter exit nothing is waited for: only
        daemon threads can still be in a call, and they are left blocked (Python stops them)
        instead of being woken up to print a traceback.
        """
        with self._lock:
            driver, self._driver = self._driver, None
        if driver is None:
            return
        running = asyncio._get_running_loop()
        if running is None:
            driver.close(exiting=self._exited)
        elif running is driver.loop:
            # From a coroutine on the loop: the thread driving it closes it when it is done.
            driver.close_when_idle()
        else:  # this thread runs an event loop of its own: close from a helper thread
            thread = threading.Thread(target=driver.close, args=(self._exited,), name=self._name)
            thread.daemon = True
            thread.start()
            thread.join()

    def _reset_after_fork(self) -> None:
        # No thread of the parent exists in the child, and the loop's selector and pipes are
        # shared with the parent: start afresh on first use.
        if self._driver is not None:
            _INHERITED.append(self._driver)
        self._lock = threading.Lock()
        self._driver = None

    def _warn_inside_running_loop(self) -> None:
        self._warned_running_loop = True
        warnings.warn(
            "improvado_sync.Improvado is blocking this thread's running event loop; in async code "
            "(Jupyter, aiohttp, FastAPI) use improvado_async.AsyncImprovado instead",
            RuntimeWarning,
            stacklevel=4,
        )


class _Driver:
    """One event loop, and the leader/follower protocol of the threads that drive it.

    ``leader`` is the call whose thread may run the loop (or to which leadership was just handed
    and whose thread is waking up); only that thread touches the loop, apart from the thread-safe
    submitter. ``followers`` are the calls of threads waiting for another thread to drive them.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.submitter = _Submitter(self.loop)
        self.submitter.attach()
        self.lock = threading.Lock()
        self.leader: _Call[Any] | None = None
        self.followers: dict[_Call[Any], None] = {}  # insertion-ordered
        self.closed = False  # no new calls: they go to a new driver
        self._close_when_idle = False  # the last leader closes the loop
        self._idle_since = time.monotonic()
        self._interruptible: _Call[Any] | None = None  # the main thread's call while it leads
        # How a drive ends once its call finished, expired or was interrupted: asyncio's own
        # loop is run one iteration at a time and checks after each; any other loop (uvloop)
        # runs ``run_forever``, which ``loop.stop`` ends.
        self._stepping = _steppable(self.loop)
        self._halt: Callable[[], object] = _ignore if self._stepping else self.loop.stop
        lean = _lean_entry(self.loop)
        self._enter_loop: Callable[[Any], Any] = _enter_loop if lean else _setup_loop
        self._leave_loop: Callable[[Any, Any], None] = _leave_loop if lean else _cleanup_loop

    def run(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        closing: bool = False,
        deadline: float | None = None,
    ) -> T:
        """Run ``coro`` as leader or follower; raises ``_DriverClosed`` when closed (unless
        ``closing``: the close's own call). With a ``deadline`` (``time.monotonic()``) the call
        is abandoned when it passes, and ``TimeoutError`` raised."""
        call: _Call[T] = _Call(coro, self.loop)
        waker: _PipeWaker | _LockWaker | None = None
        role = _NONE
        try:
            with self.lock:
                if self.closed and not closing:
                    raise _DriverClosed
                if self.leader is None:
                    self.leader = call
                    role = _LEADING
                else:
                    waker = _thread_waker()
                    call.context = contextvars.copy_context()
                    call.notify = waker.signal
                    role = _FOLLOWING  # before queueing: undone on the loop's side from here
                    # Queued under the lock: a call registered before a close is queued before
                    # its drain. The loop is woken after it (os.write lets other threads run,
                    # and they would find the lock held).
                    self.submitter.enqueue(call.start)
                    self.followers[call] = None
            if waker is None:
                self._drive(call, deadline, start=True)
                return call.outcome()
            return self._follow(call, waker, deadline)
        except _DriverClosed:
            raise  # nothing was done: the caller retries with the coroutine
        except BaseException:
            # Ctrl-C before _drive or _follow took charge (an interrupt lands at any function
            # call): undo what was done here, or the loop would be left without a leader or
            # handed to a call nobody waits for, and every other caller would wait forever.
            if not call.owned:
                self._undo(call, role, waker)
            raise

    def _undo(self, call: _Call[Any], role: object, waker: _PipeWaker | _LockWaker | None) -> None:
        """Withdraw a call interrupted before it was led or followed."""
        call.notify = _ignore
        if role is _FOLLOWING:  # queued: cancelled on the loop, after its start
            with contextlib.suppress(RuntimeError):  # the loop was closed
                self.submitter.submit(call.cancel)
            self._leave(call)
            if waker is not None:  # a hand-over signal may be due to it
                _abandon_thread_waker(waker)
            return
        call.cancel()  # not started: closes the coroutine
        if role is _LEADING:
            self._release()

    def _drive(
        self, call: _Call[Any], deadline: float | None = None, *, start: bool = False
    ) -> None:
        """Run the loop in this thread, which leads, until ``call`` finished; then hand over.

        ``start``: create the call's task first. With a ``deadline`` (on the loop's clock) the
        call is abandoned when it passes. Ctrl-C while leading in the main thread cancels the
        call, waits up to ``_CANCEL_GRACE`` for the cancellation to land, and raises
        ``KeyboardInterrupt``; so does any exception raised out of the loop.
        """
        loop = self.loop
        swapped = False
        wakeup_fd: int | None = None  # the previous one, while ours is set
        timer: asyncio.TimerHandle | None = None
        interrupt: BaseException | None = None
        try:
            call.owned = True  # from here on, this method unwinds the call (see run)
            call.notify = self._halt  # the coroutine's last step ends the drive
            if _getsignal(_SIGINT) is _default_int_handler and _get_ident() == _main[0]:
                # Ctrl-C must not raise inside the loop (in another thread's callback, say):
                # the handler only marks the call interrupted and stops the loop.
                self._interruptible = call
                _setsignal(_SIGINT, self._on_sigint)
                swapped = True
                pipe = self.submitter.pipe_fd
                if pipe is not None:
                    # A signal arriving just before the loop blocks in select() would only be
                    # handled after the next I/O event: the C handler writes to the pipe the
                    # loop watches, which ends the wait (as asyncio's add_signal_handler does).
                    wakeup_fd = _set_wakeup_fd(pipe, warn_on_full_buffer=False)
            eager = False  # start the call in _step, its first step run before polling
            if start:
                if time.monotonic() - self._idle_since > _IDLE_POLL_AFTER:
                    # Handle what arrived while nobody drove the loop (a keep-alive connection
                    # closed by the server, a due timer) before the call picks a connection.
                    loop.call_soon(call.start)
                elif self._stepping:
                    eager = True
                else:
                    call.start()
            if deadline is not None:
                timer = loop.call_at(deadline, self._expire, call)
            while not call.finished and not call.expired:
                try:
                    if (call.interrupted or interrupt is not None) and not call.cancelling:
                        call.cancel()  # the loop is not running: safe from this thread
                        grace = loop.time() + _CANCEL_GRACE
                        if deadline is None or grace < deadline:
                            deadline = grace
                            if timer is not None:
                                timer.cancel()
                            timer = loop.call_at(grace, self._expire, call)
                    elif self._stepping:
                        self._step(call, eager)
                    else:
                        loop.run_forever()
                    eager = False
                except BaseException as exc:  # raised out of the loop, e.g. by a signal handler
                    if interrupt is not None or call.cancelling:
                        raise  # a second one while unwinding: stop waiting
                    interrupt = exc
        finally:
            try:
                if wakeup_fd is not None:
                    _set_wakeup_fd(wakeup_fd)
                if swapped:
                    _setsignal(_SIGINT, _default_int_handler)
            finally:
                self._interruptible = None
                if timer is not None:
                    timer.cancel()
                if not call.finished:  # abandoned: its end must not stop a later run
                    call.notify = _ignore
                    if call.task is None:  # never started: nobody will run it
                        call.cancel()
                self._release()
        if interrupt is not None:
            try:
                raise interrupt
            finally:
                interrupt = None  # no reference cycle through the traceback
        if call.interrupted:
            raise KeyboardInterrupt from None

    def _step(self, call: _Call[Any], eager: bool) -> None:
        """Run the loop's iterations in this thread until ``call`` finished, expired or was
        interrupted: ``run_forever`` without the ``stop`` it needs to end.

        Only for asyncio's own loop (see ``_steppable``): it is entered and left as
        ``run_forever`` does (``_enter_loop``), and ``_run_once`` is its iteration. ``eager``
        starts the call, whose first step then runs before the first poll for I/O. That keeps
        the order: an iteration runs every callback ready before its poll ahead of those the
        poll and due timers add, so the first ready callback is run, which is the call's step
        unless older ones were waiting; with none waiting (Python 3.12+), the task runs its
        first step as it is created. It saves an iteration per call, whose ``select`` could not
        wait because the step was ready.
        """
        loop: Any = self.loop
        hooks = self._enter_loop(loop)
        try:
            if eager:
                self._start_eagerly(call)
            run_once = loop._run_once
            # An interrupt ends the drive once, to cancel the call; then the cancellation runs.
            while not (call.finished or call.expired or (call.interrupted and not call.cancelling)):
                run_once()
                if loop._stopping:  # loop.stop() from a coroutine: end the drive as it would
                    break  # run_forever's (else every later poll would have a zero timeout)
        finally:
            self._leave_loop(loop, hooks)

    def _start_eagerly(self, call: _Call[Any]) -> None:
        """Start the led ``call`` with the loop entered, and run the first ready callback."""
        loop: Any = self.loop
        ready = loop._ready
        if loop._debug:  # the loop runs the step, timed as a slow-callback candidate
            call.start()
        elif _EAGER_START and not ready and loop._task_factory is None:
            call.start(eager=True)
        else:
            call.start()
            if ready:  # empty only if the call was cancelled before it started
                handle = ready.popleft()
                if not handle._cancelled:
                    handle._run()

    def _expire(self, call: _Call[Any]) -> None:
        """The deadline passed (a timer on the loop): stop driving the call."""
        call.expired = True
        self._halt()

    def _on_sigint(self, signum: int, frame: Any) -> None:
        """SIGINT while the main thread leads: interrupt its call once the loop is back here."""
        call = self._interruptible
        if call is None or call.interrupted or call.cancelling:
            _default_int_handler(signum, frame)  # a second Ctrl-C: raise where we are
            return
        call.interrupted = True
        self._halt()
        self.submitter.wake()  # if the loop is waiting for I/O

    def _follow(
        self, call: _Call[T], waker: _PipeWaker | _LockWaker, deadline: float | None = None
    ) -> T:
        """Wait for another thread to drive ``call``, or drive it once leadership is handed over.

        Ctrl-C (or another asynchronous exception) while waiting requests the cancellation and
        waits up to ``_CANCEL_GRACE`` for it to land before re-raising.
        """
        # ``deadline``: on time.monotonic(), the loop's clock
        interrupt: BaseException | None = None
        clean = False  # no signal can still be due to the waker
        wake = self.submitter.pipe_fd is not None  # else call_soon_threadsafe woke the loop
        try:
            call.owned = True  # from here on, this method unwinds the call (see run)
            while True:
                try:
                    if wake:
                        # Woken from here, inside the handler: the os.write lets the loop run the
                        # call at once, and a Ctrl-C it provokes must find the handler in place.
                        wake = False
                        self.submitter.wake()
                    timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                    signalled = waker.wait(timeout)
                except BaseException as exc:  # Ctrl-C while waiting
                    if interrupt is not None:
                        raise  # a second one: stop waiting
                    interrupt = exc
                    grace = time.monotonic() + _CANCEL_GRACE
                    deadline = grace if deadline is None else min(deadline, grace)
                    if not call.finished:
                        call.cancelling = True
                        with contextlib.suppress(RuntimeError):  # the loop was closed
                            self.submitter.submit(call.cancel)
                    continue
                if not signalled:
                    break  # the cancellation did not land in time: abandon the call
                if call.finished:
                    clean = True
                    break
                with self.lock:
                    promoted = self.leader is call
                    if promoted:
                        del self.followers[call]
                if promoted:
                    clean = True  # the hand-over signal is consumed; nothing else is due
                    self._drive(call, deadline)
                    break
                # A stray wake-up (from a signal abandoned by an earlier call): wait on.
        finally:
            self._leave(call)
            if not clean:
                call.notify = _ignore
                _abandon_thread_waker(waker)
        if interrupt is not None:
            try:
                raise interrupt
            finally:
                interrupt = None
        return call.outcome()

    def _leave(self, call: _Call[Any]) -> None:
        """``call`` waits no longer; leadership handed to it meanwhile is passed on."""
        with self.lock:
            self.followers.pop(call, None)
            handed_over = self.leader is call
        if handed_over:
            self._release()

    def _release(self) -> None:
        """Hand leadership to a follower whose call is unfinished, or leave the loop idle."""
        successor: _Call[Any] | None = None
        close = False
        with self.lock:
            self._idle_since = time.monotonic()
            # The newest call first: it has the longest to run, so the loop changes hands least.
            for follower in reversed(self.followers):
                if not follower.finished:
                    successor = self.leader = follower
                    break
            else:
                self.leader = None
                if self._close_when_idle:  # followers left only have their results to collect
                    self.leader = _CLOSING
                    close = True
        if successor is not None:
            # Its waker: wake up and drive. Outside the lock, which the woken thread takes first.
            successor.notify()
        elif close:
            self.loop.close()

    def close_when_idle(self) -> None:
        """No new calls; the thread leading now closes the loop once no call is left."""
        with self.lock:
            self.closed = True
            self._close_when_idle = True

    def close(self, exiting: bool = False) -> None:
        """Refuse new calls, cancel the calls in flight and close the loop.

        At interpreter exit (``exiting``) nothing is cancelled or waited for, and a loop still
        driven by a (daemon) thread is left to it.
        """
        with self.lock:
            self.closed = True
        if not exiting:
            # Bounded: a leader that does not unwind (a callback that never returns, or a
            # thread stopped in a debugger) must not hang close(); it closes the loop itself.
            deadline = time.monotonic() + 2 * _CANCEL_GRACE
            with contextlib.suppress(Exception):  # a hung cleanup: close what can be closed
                self.run(_drain(), closing=True, deadline=deadline)
        with self.lock:
            if self.leader is not None:  # a call that ignored its cancellation, still driven
                if not exiting:
                    self._close_when_idle = True
                return
            self.leader = _CLOSING
        self.loop.close()


class _Submitter:
    """Hands callbacks to whichever thread drives the loop: a queue, and a pipe it watches.

    ``loop.call_soon_threadsafe`` does the same through the loop's own self-pipe, whose reader
    ends every wake-up by catching a ``BlockingIOError``; this reader reads once and drains the
    queue (measured: 52,000 instructions per bare hop instead of 71,000). Platforms whose loops
    cannot watch a pipe (Windows) use ``call_soon_threadsafe``.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._queue: collections.deque[Callable[[], object]] = collections.deque()
        self._pipe: tuple[int, int] | None = None
        #: The pipe's (non-blocking) write end, or None without a pipe.
        self.pipe_fd: int | None = None
        if os.name == "posix":
            read_fd, write_fd = os.pipe()
            os.set_blocking(read_fd, False)
            os.set_blocking(write_fd, False)
            self._pipe = (read_fd, write_fd)
            self.pipe_fd = write_fd

    def attach(self) -> None:
        """Start watching the pipe (before the loop runs)."""
        if self._pipe is not None:
            self.loop.add_reader(self._pipe[0], self._drain)

    def submit(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` on the loop soon (thread-safe), whoever drives it."""
        self.enqueue(callback)
        if self._pipe is not None:  # call_soon_threadsafe woke the loop already
            self.wake()

    def enqueue(self, callback: Callable[[], object]) -> None:
        """Queue ``callback`` for the loop's next wake-up (thread-safe; ``wake`` it after)."""
        if self._pipe is None:
            self.loop.call_soon_threadsafe(callback)
        else:
            self._queue.append(callback)

    def wake(self) -> None:
        """End the loop's wait for I/O (thread-safe, and safe in a signal handler)."""
        if self._pipe is None:
            self.loop.call_soon_threadsafe(_ignore)
            return
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
    """One ``Runner.run`` call: its coroutine, its task on the loop, and its outcome.

    ``notify`` is called by the coroutine's last step: ``loop.stop`` while the calling thread
    drives the loop itself, its waker's ``signal`` while another thread does.
    """

    __slots__ = (
        "cancelling",
        "context",
        "coro",
        "error",
        "expired",
        "finished",
        "interrupted",
        "loop",
        "notify",
        "owned",
        "running",
        "task",
        "value",
    )

    def __init__(self, coro: Coroutine[Any, Any, T], loop: asyncio.AbstractEventLoop) -> None:
        self.coro: Coroutine[Any, Any, T] | None = coro
        self.loop = loop
        self.context: contextvars.Context | None = None  # the caller's, for a follower's task
        self.task: asyncio.Task[None] | None = None
        self.value: T | None = None
        self.error: BaseException | None = None
        self.finished = False
        self.notify: Callable[[], object] = _ignore
        self.interrupted = False  # Ctrl-C while the calling thread led
        self.cancelling = False  # cancellation requested
        self.expired = False  # its deadline passed while the calling thread led
        self.owned = False  # _drive or _follow has taken charge of unwinding it
        self.running = False  # its task has taken its first step

    def start(self, eager: bool = False) -> None:
        """Create the call's task (on the loop's side: the leader, or a loop callback).

        ``eager`` (Python 3.12+, the leader with the loop entered and no task factory): the
        task takes its first step as it is created instead of scheduling it.
        """
        coro, self.coro = self.coro, None
        if coro is None:  # cancelled before it started
            return
        wrapped = _run_and_signal(coro, self)
        if eager:
            self.task = _Task(wrapped, loop=self.loop, eager_start=True)
        elif self.context is None:
            self.task = self.loop.create_task(wrapped)
        else:
            self.task = self.context.run(self.loop.create_task, wrapped)

    def cancel(self) -> None:
        """Cancel the call (on the loop's side); one not started yet ends at once."""
        self.cancelling = True
        if self.finished:
            return
        if self.task is not None:
            # A task cancelled before its first step never runs its coroutine's body, so the
            # call would never be marked finished: its first step sees ``cancelling`` instead.
            if self.running:
                self.task.cancel()
            return
        coro, self.coro = self.coro, None
        if coro is not None:
            coro.close()
        self.error = asyncio.CancelledError()
        self.finished = True
        self.notify()

    def outcome(self) -> T:
        """The coroutine's return value, or its exception raised in the calling thread."""
        if not self.finished:
            raise TimeoutError("improvado_sync abandoned a call that outlasted its deadline")
        error = self.error
        if error is not None:
            self.error = None  # no reference cycle through the traceback
            raise error
        return self.value  # type: ignore[return-value]  # set: the coroutine returned


def _ignore() -> None:
    return None


def _steppable(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether ``loop`` is asyncio's own, whose iterations ``_Driver._step`` runs one by one.

    A loop of another kind (uvloop), or one whose ``run_forever`` was replaced, is run with
    ``run_forever`` instead: its iteration may not be ``_run_once``.
    """
    return (
        isinstance(loop, asyncio.BaseEventLoop)
        and type(loop).run_forever is asyncio.BaseEventLoop.run_forever
        and callable(getattr(loop, "_run_once", None))
    )


_Task: Callable[..., asyncio.Task[Any]] = asyncio.Task  # typed for 3.10: no eager_start
# Python 3.12+ runs a task's first step in its constructor if asked (``eager_start``), which
# spares a led call the callback scheduled for that step.
_EAGER_START = sys.version_info >= (3, 12)
_asyncgen_hooks = sys.get_asyncgen_hooks
_set_asyncgen_hooks = sys.set_asyncgen_hooks
_set_running_loop = asyncio.events._set_running_loop


def _enter_loop(loop: Any) -> Any:
    """Make ``loop`` the running loop of this thread, as ``run_forever`` does before iterating.

    This repeats what ``run_forever`` does (Python 3.13 calls that part ``_run_forever_setup``),
    without the checks the driver makes redundant (the loop is open, and no other thread leads
    it). Returns what ``_leave_loop`` restores.
    """
    if loop._debug:
        loop._set_coroutine_origin_tracking(True)
    hooks = _asyncgen_hooks()
    loop._thread_id = _get_ident()
    _set_asyncgen_hooks(loop._asyncgen_firstiter_hook, loop._asyncgen_finalizer_hook)
    _set_running_loop(loop)
    return hooks


def _leave_loop(loop: Any, hooks: Any) -> None:
    """Undo ``_enter_loop``: as ``run_forever`` does once it stopped iterating."""
    loop._stopping = False
    loop._thread_id = None
    _set_running_loop(None)
    if loop._coroutine_origin_tracking_enabled:
        loop._set_coroutine_origin_tracking(False)
    _set_asyncgen_hooks(*hooks)


def _setup_loop(loop: Any) -> None:
    """``_enter_loop`` for a loop whose class has its own ``_run_forever_setup``, or on a
    Python whose ``run_forever`` this module does not know (3.14 and later)."""
    loop._run_forever_setup()


def _cleanup_loop(loop: Any, hooks: None) -> None:
    """``_leave_loop`` where ``_setup_loop`` is used."""
    loop._run_forever_cleanup()


def _lean_entry(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether ``_enter_loop``/``_leave_loop`` do for ``loop`` what ``run_forever`` does.

    They do on Python 3.10-3.13 for a loop that does not extend the two halves Python 3.13
    gave ``run_forever`` (``_run_forever_setup``/``_run_forever_cleanup``; Windows' proactor
    loop does), and cost less (measured on 3.13: 1.4 µs less per call). Elsewhere asyncio's
    own halves are called.
    """
    if not hasattr(loop, "_run_forever_setup"):
        return True
    kind, base = type(loop), asyncio.BaseEventLoop
    return (
        sys.version_info < (3, 14)
        and kind._run_forever_setup is base._run_forever_setup  # type: ignore[attr-defined]
        and kind._run_forever_cleanup is base._run_forever_cleanup  # type: ignore[attr-defined]
    )


# Leadership taken for good by a close: nobody drives the loop any more.
_CLOSING: _Call[Any] = _Call.__new__(_Call)
_CLOSING.finished = True


async def _run_and_signal(coro: Coroutine[Any, Any, T], call: _Call[T]) -> None:
    """Run ``coro`` and notify the caller as the last step (no extra loop iteration before it).

    Every exception, cancellation included, is handed to the calling thread, which raises it; the
    task itself always ends normally, so nothing is logged as "never retrieved" and a
    KeyboardInterrupt raised inside the coroutine cannot stop the loop.
    """
    try:
        call.running = True
        if call.cancelling:  # cancelled before this first step: never run it
            coro.close()
            raise asyncio.CancelledError
        call.value = await coro
    except BaseException as exc:  # handed over, raised by the caller
        call.error = exc
    finally:
        call.finished = True
        call.notify()


class _Relay(Generic[T]):
    """What a helper thread hands back to a caller whose thread runs an event loop of its own."""

    __slots__ = ("cancelled", "error", "finished", "loop", "task", "value")

    def __init__(self) -> None:
        self.value: T | None = None
        self.error: BaseException | None = None
        self.finished = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[Any] | None = None
        self.cancelled = False

    def cancel(self) -> None:
        """Cancel the helper's call (from the caller's thread)."""
        self.cancelled = True  # seen by _tracked if it has not started yet
        loop, task = self.loop, self.task
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop was closed meanwhile
                loop.call_soon_threadsafe(task.cancel)

    def outcome(self) -> T:
        error = self.error
        if error is not None:
            self.error = None
            raise error
        return cast(T, self.value)


async def _tracked(coro: Coroutine[Any, Any, T], relay: _Relay[Any]) -> T:
    """``coro``, with its task and loop published for ``_Relay.cancel``."""
    relay.task = asyncio.current_task()
    relay.loop = asyncio.get_running_loop()
    if relay.cancelled:  # cancelled before the task was published
        coro.close()
        raise asyncio.CancelledError
    return await coro


class _PipeWaker:
    """Wakes one blocked calling thread from the thread driving the loop, through its own pipe.

    A pipe, not a lock or an Event: ``os.write`` releases the GIL before it wakes the reader, so
    the woken thread runs at once instead of waking, finding the GIL held and sleeping again.
    Measured on 2 cores (client pinned to one): 2 context switches per call instead of 5-6, and
    the bare hop 38 µs instead of 75-87 µs.
    """

    def __init__(self) -> None:
        self._read_fd, self._write_fd = os.pipe()

    def signal(self, _: object = None) -> None:
        """Wake the waiting thread."""
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
        # Only once nothing can signal any more: a call being driven holds a reference.
        # (Bound at definition: module globals may be gone at interpreter exit.)
        for fd in (self._read_fd, self._write_fd):
            with _suppress(OSError):
                _close(fd)


class _LockWaker:
    """The same contract on platforms without ``select`` on pipes (Windows): a bare lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()

    def signal(self, _: object = None) -> None:
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
    # Let tasks created before this one take their first step: a task cancelled before it
    # never runs its coroutine's body (a call's would never be marked finished).
    await asyncio.sleep(0)
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
    global _default_lock, _wakers
    _main[0] = threading.main_thread().ident  # the thread that forked
    handler = _getsignal(_SIGINT)
    if getattr(handler, "__func__", None) is _Driver._on_sigint:
        # Forked by another thread while the main thread led a call: the child has no such call.
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(-1)
            _setsignal(_SIGINT, _default_int_handler)
    _default_lock = threading.Lock()
    # The parent's pipes are shared with the parent: a signal written here could wake it.
    _wakers = threading.local()
    if _default is not None:
        _default._reset_after_fork()


def _shutdown() -> None:
    if _default is not None:
        _default._exited = True
        _default.close()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork either
    os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_shutdown)
