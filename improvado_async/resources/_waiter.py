"""Polling with back-off until a long-running object reaches a terminal status."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..errors import RunFailedError, ValidationError, WaitTimeoutError

__all__ = ["poll_until_terminal"]

T = TypeVar("T")
ProgressCallback = Callable[[Any], object]


async def poll_until_terminal(
    fetch: Callable[[], Awaitable[T]],
    *,
    status_of: Callable[[T], object],
    done: frozenset[str],
    failed: frozenset[str],
    error_text_of: Callable[[T], str | None],
    label: str,
    max_wait: float | None,
    poll_interval: float,
    max_poll_interval: float,
    on_progress: ProgressCallback | None,
) -> T:
    """Fetch until the status is in ``done`` (return) or ``failed`` (raise RunFailedError).

    The interval grows by half each poll up to ``max_poll_interval``; ``max_wait`` bounds the
    whole wait in seconds (``None`` waits forever) and raises :class:`WaitTimeoutError` with the
    last model.
    """
    if poll_interval <= 0:
        raise ValidationError("poll_interval", "must be positive")
    if max_wait is not None and max_wait <= 0:
        raise ValidationError("max_wait", "must be positive or None")
    deadline = None if max_wait is None else time.monotonic() + max_wait
    interval = poll_interval
    while True:
        current = await fetch()
        if on_progress is not None:
            on_progress(current)
        status = str(status_of(current))
        if status in done:
            return current
        if status in failed:
            text = error_text_of(current)
            raise RunFailedError(
                f"{label} ended with status {status!r}: {text or 'no error text'}",
                result=current,
                error_text=text,
            )
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeoutError(f"{label} still {status!r} after {max_wait}s", last=current)
            interval = min(interval, remaining)
        await asyncio.sleep(interval)
        interval = min(max_poll_interval, interval * 1.5)
