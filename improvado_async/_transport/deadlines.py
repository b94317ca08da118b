"""Read and total time limits of the attempts in flight, enforced by one timer per event loop.

aiohttp enforces ``sock_read`` by arming, cancelling and re-arming a timer handle for every
response, and a ``total`` by arming one more per request; measured with ``valgrind``, that is
about 35,000 instructions per small GET, a tenth of the whole request. The :class:`Watchdog`
keeps one timer per loop instead, armed for the earliest expiry of all attempts in flight, so an
attempt that finishes in time costs a few attribute writes. An attempt that overstays its limit
has its task cancelled (as ``asyncio.timeout`` and aiohttp's own total timeout do) and
:meth:`Watch.claim` tells the attempt that the cancellation was the watchdog's.

Semantics: ``read`` bounds the wait for the response headers (counted from the start of the
attempt) and then every pause between body chunks; ``deadline`` is an absolute
``time.monotonic()`` instant. A pause in a streamed body is noticed within ``read / 4`` of its
limit; everything else fires on time.
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import aiohttp

__all__ = ["Watch", "Watchdog"]

_INF = math.inf
# The loop runs timers up to its clock resolution early; an expiry this close counts as reached.
_SLACK = 0.001


def _no_count(task: asyncio.Task[object]) -> int:
    """Python 3.10 does not count cancel requests."""
    return 0


if sys.version_info >= (3, 11):  # chosen once: every attempt asks
    #: Pending cancel requests of a task.
    _cancelling: Callable[[asyncio.Task[object]], int] = asyncio.Task.cancelling
    #: Withdraw one cancel request; the requests left.
    _withdraw_cancel: Callable[[asyncio.Task[object]], int] = asyncio.Task.uncancel
else:  # pragma: no cover - Python 3.10
    _cancelling = _withdraw_cancel = _no_count


class Watch:
    """One attempt under watch: its task, its limits and the progress seen so far."""

    __slots__ = (
        "cancelling",
        "claimed",
        "content",
        "deadline",
        "fired",
        "progress",
        "read",
        "seen",
        "task",
        "watchdog",
    )

    # Filled by Watchdog.start, the only maker of watches (no __init__: one call less per attempt).
    watchdog: Watchdog
    task: asyncio.Task[object]
    cancelling: int  # the task's pending cancel requests when the watch started
    read: float | None
    deadline: float | None
    progress: float  # last time data arrived (the start, until headers come)
    content: aiohttp.StreamReader | None
    seen: int
    fired: str | None  # "read" or "total" once the watchdog cancelled the task
    claimed: bool

    def responded(self, content: aiohttp.StreamReader) -> None:
        """Headers arrived: from now on ``read`` bounds the pauses between body chunks."""
        self.content = content
        self.seen = content.total_bytes
        now = self.progress = time.monotonic()
        if self.read is not None:
            # Chunks are only noticed by a sweep: make sure one comes within a quarter of the
            # limit (a timer armed earlier may be as far as ``read`` away).
            self.watchdog.wake_by(now + self.read / 4, now)

    def expiry(self) -> float:
        """The instant this attempt runs out of time, given the progress seen so far."""
        read_expiry = _INF if self.read is None else self.progress + self.read
        deadline = self.deadline
        return read_expiry if deadline is None or deadline > read_expiry else deadline

    def claim(self) -> bool:
        """True when the cancellation being handled was this watch firing.

        Like ``asyncio.timeout``: on Python 3.11+ the watchdog's cancel request is withdrawn, and
        the cancellation is ours only if nobody else asked for one meanwhile.
        """
        if self.fired is None or self.claimed:
            return False
        self.claimed = True
        return _withdraw_cancel(self.task) <= self.cancelling


_new_watch = object.__new__


class Watchdog:
    """Cancels attempts that overstay their limits; one instance (one timer) per event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._watches: set[Watch] = set()
        self._handle: asyncio.TimerHandle | None = None
        self._wake = _INF

    def start(self, read: float | None, deadline: float | None) -> Watch | None:
        """Watch the current task's attempt; ``None`` when there is nothing to enforce.

        ``None`` also when no task is running (a coroutine driven by hand): the caller then
        falls back to aiohttp's own timers.
        """
        if read is None and deadline is None:
            return None
        task = asyncio.current_task(self._loop)
        if task is None:
            return None
        now = time.monotonic()
        # Watch.__init__ and Watch.expiry inlined: every attempt runs this (about 2,000
        # instructions less than the two calls and the wake_by call).
        watch = _new_watch(Watch)
        watch.watchdog = self
        watch.task = task
        watch.cancelling = _cancelling(task)
        watch.read = read
        watch.deadline = deadline
        watch.progress = now
        watch.content = watch.fired = None
        watch.seen = 0
        watch.claimed = False
        self._watches.add(watch)
        expiry = _INF if read is None else now + read
        if deadline is not None and deadline < expiry:
            expiry = deadline
        if expiry < self._wake:
            self._arm(expiry, now)
        return watch

    def wake_by(self, when: float, now: float) -> None:
        """Make sure a sweep runs no later than ``when`` (re-arms only to run sooner)."""
        if when < self._wake:
            self._arm(when, now)

    def stop(self, watch: Watch) -> None:
        """The attempt is over (the timer is left armed: it finds nothing and goes quiet)."""
        self._watches.discard(watch)
        if watch.fired is not None:
            # Withdraw a cancel request the attempt never saw (e.g. it finished regardless), so
            # the task's cancellation count stays balanced.
            watch.claim()

    def close(self) -> None:
        """Cancel the timer; watches still registered are forgotten."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._wake = _INF
        self._watches.clear()

    @property
    def watching(self) -> int:
        """How many attempts are under watch."""
        return len(self._watches)

    def _arm(self, when: float, now: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._wake = when
        self._handle = self._loop.call_later(max(0.0, when - now), self._sweep)

    @staticmethod
    def _fire(watch: Watch, now: float) -> None:
        deadline = watch.deadline
        watch.fired = "total" if deadline is not None and deadline <= now + _SLACK else "read"
        watch.task.cancel()

    def _sweep(self) -> None:
        self._handle = None
        self._wake = _INF
        now = time.monotonic()
        wake = _INF
        for watch in self._watches:
            if watch.fired is not None:
                continue
            content = watch.content
            if content is not None and content.total_bytes != watch.seen:
                watch.seen = content.total_bytes
                watch.progress = now
            expiry = watch.expiry()
            if expiry <= now + _SLACK:
                self._fire(watch, now)
                continue
            if content is not None and watch.read is not None:
                # Body chunks are only noticed here: look again soon enough to see a pause.
                expiry = min(expiry, now + watch.read / 4)
            wake = min(wake, expiry)
        if wake < _INF:
            self._arm(wake, now)
