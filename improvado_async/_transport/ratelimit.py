"""Client-side rate limits: a protocol, an in-process limiter, and the fleet-wide back-off hook.

A :class:`RateLimiter` is asked for a permit before every attempt goes on the wire, and told when
the API answered 429 with ``Retry-After`` so that every client sharing it pauses until then.
:class:`LocalRateLimiter` limits one process (GCRA: ``rate`` permits per second with bursts of
``burst``); ``improvado_async.contrib.redis.RedisRateLimiter`` limits a fleet.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Protocol, runtime_checkable

from ..errors import APITimeoutError, ConfigurationError

__all__ = ["LocalRateLimiter", "RateLimiter"]


@runtime_checkable
class RateLimiter(Protocol):
    """Permits to send, shared by the clients (and processes) that use the same limiter."""

    async def acquire(self, deadline: float | None = None) -> None:
        """Wait for a permit. ``deadline`` is a ``time.monotonic()`` instant: a permit that
        cannot come before it raises :class:`APITimeoutError` (nothing was sent). Cancellable."""

    async def pause(self, seconds: float) -> None:
        """Stop every user of this limiter from sending for ``seconds`` (a 429's Retry-After)."""


def _check_rate(rate: float, burst: int) -> None:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
        raise ConfigurationError(
            f"rate must be a positive number of permits per second, got {rate!r}"
        )
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise ConfigurationError(f"burst must be a positive integer, got {burst!r}")


class LocalRateLimiter:
    """GCRA in one process: ``rate`` permits per second, up to ``burst`` at once.

    Waiters are served in arrival order; a paused limiter (after a 429) releases them with a
    little jitter so that they do not all resend at the same instant.
    """

    def __init__(self, rate: float, burst: int = 1) -> None:
        _check_rate(rate, burst)
        self.rate = float(rate)
        self.burst = burst
        self._interval = 1.0 / self.rate
        self._tat = 0.0  # theoretical arrival time of the next permit (monotonic seconds)
        self._paused_until = 0.0

    def __repr__(self) -> str:
        return f"<LocalRateLimiter rate={self.rate:g}/s burst={self.burst}>"

    async def acquire(self, deadline: float | None = None) -> None:
        """Take a permit, waiting for it if needed (see :class:`RateLimiter`)."""
        now = time.monotonic()
        start = max(self._tat, now, self._paused_until)
        # GCRA: the permit is free when the bucket's "debt" stays within the burst.
        ready_at = start - self._interval * (self.burst - 1)
        wait = max(0.0, ready_at - now, self._paused_until - now)
        if deadline is not None and now + wait > deadline:
            raise APITimeoutError(
                f"no rate-limit permit before the call's deadline (in {wait:.3f}s)",
                request_sent=False,
            )
        self._tat = start + self._interval
        if wait > 0:
            await asyncio.sleep(wait)

    async def pause(self, seconds: float) -> None:
        """Pause every user of this limiter for ``seconds`` plus up to 10% jitter."""
        until = time.monotonic() + seconds + random.uniform(0.0, seconds * 0.1)
        self._paused_until = max(self._paused_until, until)
