"""Retry policy: which failures are retried, how long to wait, when to stop.

A :class:`RetryPolicy` is compiled into a tenacity ``AsyncRetrying`` only after a first attempt
failed in a retryable way, so a call that succeeds first time pays nothing for tenacity.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import attrs
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from ..errors import APIConnectionError, APIError, APIStatusError, RateLimitError
from .logging import retry_logger

__all__ = ["IDEMPOTENT_METHODS", "RetryPolicy", "parse_retry_after"]

T = TypeVar("T")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), else ``None``."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def retry_after_of(headers: Mapping[str, str]) -> float | None:
    """The ``Retry-After`` delay carried by response headers, if any."""
    return parse_retry_after(headers.get("Retry-After"))


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How failed requests are retried.

    ``max_retries`` extra attempts (so ``max_retries + 1`` in all), exponential back-off with full
    jitter between ``backoff_base`` and ``backoff_max`` seconds, and ``Retry-After`` honoured up to
    ``retry_after_cap`` seconds; a 429 asking for longer raises :class:`RateLimitError` at once.
    Idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) are retried on 408/5xx and read timeouts;
    POST and PATCH only on 429 and on connection errors before the request was sent, unless the
    call passes ``idempotent=True``.
    """

    max_retries: int = attrs.field(default=2, validator=attrs.validators.ge(0))
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_cap: float = 60.0
    retry_statuses: frozenset[int] = frozenset({408, 500, 502, 503, 504})

    def is_idempotent(self, method: str, idempotent: bool | None) -> bool:
        """Whether a request may be replayed after it possibly reached the server."""
        return method in IDEMPOTENT_METHODS if idempotent is None else idempotent

    def should_retry(self, exc: BaseException, *, method: str, idempotent: bool | None) -> bool:
        """Whether ``exc`` (from one attempt) deserves another attempt."""
        if isinstance(exc, APIError) and exc.during_token_mint:
            return False  # the shared mint already had its own retries
        if isinstance(exc, APIStatusError):
            delay = retry_after_of(exc.headers)
            if delay is not None and delay > self.retry_after_cap:
                return False
            if isinstance(exc, RateLimitError):
                return True
            return exc.status in self.retry_statuses and self.is_idempotent(method, idempotent)
        if isinstance(exc, APIConnectionError):
            if not exc.retryable:
                return False
            return not exc.request_sent or self.is_idempotent(method, idempotent)
        return False

    def delay_for(self, exc: BaseException | None, attempt: int) -> float:
        """Seconds to sleep before attempt ``attempt + 1``."""
        if isinstance(exc, APIStatusError):
            delay = retry_after_of(exc.headers)
            if delay is not None:
                return delay
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(0.0, ceiling)

    async def resume(
        self,
        first: APIError,
        attempt: Callable[[int], Awaitable[T]],
        *,
        method: str,
        idempotent: bool | None,
        deadline: float | None,
        label: str,
        on_retry: Callable[[int, str, float], Awaitable[None]] | None = None,
        log_extra: Mapping[str, object] | None = None,
    ) -> T:
        """Continue after attempt 1 failed with ``first``: re-raise it, or retry under tenacity.

        The caller runs attempt 1 itself (so a call that succeeds first time builds neither the
        ``attempt`` callable nor the ``label``) and calls this only on an :class:`APIError`.
        ``on_retry(number, reason, delay)`` is awaited before each retry attempt, after its
        back-off; ``log_extra`` goes into the retry log records.
        """
        if self.max_retries == 0 or not self.should_retry(
            first, method=method, idempotent=idempotent
        ):
            raise first
        waits: list[tuple[str, float]] = []  # (reason, delay) of each back-off, in order
        retrying = self._compile(
            method=method,
            idempotent=idempotent,
            deadline=deadline,
            label=label,
            waits=waits,
            log_extra=log_extra or {},
        )
        async for state in retrying:
            with state:
                number = state.retry_state.attempt_number
                if number == 1:
                    # Replays the failure already seen so tenacity owns all waiting and stopping.
                    raise first
                if on_retry is not None and waits:
                    await on_retry(number, *waits[-1])
                return await attempt(number)
        raise AssertionError(
            "unreachable: tenacity either returns or re-raises"
        )  # pragma: no cover

    def _compile(
        self,
        *,
        method: str,
        idempotent: bool | None,
        deadline: float | None,
        label: str,
        waits: list[tuple[str, float]],
        log_extra: Mapping[str, object],
    ) -> AsyncRetrying:
        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.delay_for(exc, state.attempt_number)

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number > self.max_retries:
                return True
            if deadline is None:
                return False
            return time.monotonic() + (state.upcoming_sleep or 0.0) >= deadline

        def log_wait(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            reason, delay = _reason(exc), state.upcoming_sleep or 0.0
            waits.append((reason, delay))
            retry_logger.info(
                "retrying %s in %.2fs (attempt %d of %d) after: %s",
                label,
                delay,
                state.attempt_number + 1,
                self.max_retries + 1,
                reason,
                extra={
                    **log_extra,
                    "status": getattr(exc, "status", None),
                    "attempt": state.attempt_number + 1,
                    "retry_reason": reason,
                    "retry_delay": delay,
                },
            )

        return AsyncRetrying(
            stop=stop,
            wait=wait,
            retry=retry_if_exception(
                lambda e: self.should_retry(e, method=method, idempotent=idempotent)
            ),
            before_sleep=log_wait,
            reraise=True,
        )


def _reason(exc: BaseException | None) -> str:
    if isinstance(exc, APIStatusError):
        return f"HTTP {exc.status}"
    return type(exc).__name__ if exc else "unknown"
