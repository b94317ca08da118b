"""Hooks: callbacks on every request, response, retry and failed call, for metrics and logs.

``AsyncImprovado(hooks=Hooks(on_response=record))`` calls ``record(event)`` after every
attempt is answered. A hook may be a plain function or a coroutine function (awaited in line, so
keep it quick). Events are frozen and never carry credentials; request bodies only with
``include_bodies=True``. A hook that raises is logged on ``improvado.hooks`` and never breaks the
call. A client without hooks pays nothing for them.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._transport.request import Request

__all__ = ["ErrorEvent", "Hooks", "RequestEvent", "ResponseEvent", "RetryEvent"]

logger = logging.getLogger("improvado.hooks")


@attrs.frozen(kw_only=True)
class RequestEvent:
    """An attempt is about to be sent.

    Attributes:
        operation: the declared operation (``loads.get``), or ``request``.
        method: the HTTP method.
        path_template: the declared path (``/api/v3/loads/{load_id}``).
        path: the path sent (``/api/v3/loads/3001``).
        attempt: 1 for the first attempt, 2 for the first retry, ...
        body: the JSON body sent, only with ``Hooks(include_bodies=True)``.
    """

    operation: str
    method: str
    path_template: str
    path: str
    attempt: int
    body: bytes | None = None


@attrs.frozen(kw_only=True)
class ResponseEvent:
    """An attempt was answered (any status, errors included).

    Attributes:
        operation: the declared operation.
        method: the HTTP method.
        path_template: the declared path.
        path: the path sent.
        attempt: the attempt's number.
        status: the HTTP status.
        elapsed: seconds the attempt took.
    """

    operation: str
    method: str
    path_template: str
    path: str
    attempt: int
    status: int
    elapsed: float


@attrs.frozen(kw_only=True)
class RetryEvent:
    """A retry attempt is about to be sent, after its back-off.

    Attributes:
        operation: the declared operation.
        method: the HTTP method.
        path_template: the declared path.
        path: the path sent.
        attempt: the number of the attempt about to be sent (2 for the first retry).
        reason: why (``HTTP 503``, ``APITimeoutError``, ...).
        delay: the back-off waited, in seconds.
    """

    operation: str
    method: str
    path_template: str
    path: str
    attempt: int
    reason: str
    delay: float


@attrs.frozen(kw_only=True)
class ErrorEvent:
    """A call failed for good (after its retries).

    Attributes:
        operation: the declared operation.
        method: the HTTP method.
        path_template: the declared path.
        path: the path of the last attempt.
        attempts: attempts made.
        status: the HTTP status, when the API answered.
        error_type: the exception's class name (``NotFoundError``).
        elapsed: seconds from the first attempt to the failure.
    """

    operation: str
    method: str
    path_template: str
    path: str
    attempts: int
    status: int | None
    error_type: str
    elapsed: float


Hook = Callable[[Any], object]


@attrs.frozen(kw_only=True)
class Hooks:
    """Callbacks a client calls for every call it makes (plain or async; see the module doc).

    Attributes:
        on_request: called with a :class:`RequestEvent` before each attempt.
        on_response: called with a :class:`ResponseEvent` after each answered attempt.
        on_retry: called with a :class:`RetryEvent` before each retry attempt.
        on_error: called with an :class:`ErrorEvent` when a call fails for good.
        include_bodies: put the request's JSON body into :class:`RequestEvent`.
    """

    on_request: Callable[[RequestEvent], object] | None = None
    on_response: Callable[[ResponseEvent], object] | None = None
    on_retry: Callable[[RetryEvent], object] | None = None
    on_error: Callable[[ErrorEvent], object] | None = None
    include_bodies: bool = False


class HooksObserver:
    """Feeds a :class:`Hooks`' callbacks from the pipeline's call observations."""

    def __init__(self, hooks: Hooks) -> None:
        self._hooks = hooks

    def start(self, request: Request) -> _HookTrace:
        """A trace for one logical call."""
        return _HookTrace(self._hooks, request)


class _HookTrace:
    __slots__ = ("_attempts", "_hooks", "_path", "_request", "_started")

    def __init__(self, hooks: Hooks, request: Request) -> None:
        self._hooks = hooks
        self._request = request
        self._path = ""
        self._attempts = 0
        self._started = time.monotonic()

    def _common(self) -> dict[str, Any]:
        request = self._request
        return {
            "operation": request.operation,
            "method": request.method,
            "path_template": request.path_template,
            "path": self._path,
        }

    async def attempt(self, number: int, path: str) -> Mapping[str, str] | None:
        self._path, self._attempts = path, number
        hook = self._hooks.on_request
        if hook is not None:
            body = self._request.body if self._hooks.include_bodies else None
            await _call(hook, RequestEvent(**self._common(), attempt=number, body=body))
        return None

    async def answered(self, number: int, status: int, elapsed: float) -> None:
        hook = self._hooks.on_response
        if hook is not None:
            event = ResponseEvent(**self._common(), attempt=number, status=status, elapsed=elapsed)
            await _call(hook, event)

    async def retrying(self, number: int, reason: str, delay: float) -> None:
        hook = self._hooks.on_retry
        if hook is not None:
            event = RetryEvent(**self._common(), attempt=number, reason=reason, delay=delay)
            await _call(hook, event)

    async def finished(self, status: int | None, error: BaseException | None) -> None:
        hook = self._hooks.on_error
        if hook is not None and error is not None:
            event = ErrorEvent(
                **self._common(),
                attempts=max(self._attempts, getattr(error, "attempts", 1)),
                status=status,
                error_type=type(error).__name__,
                elapsed=time.monotonic() - self._started,
            )
            await _call(hook, event)


async def _call(hook: Hook, event: object) -> None:
    """Run one hook; its failure is logged, never raised into the call."""
    try:
        result = hook(event)
        if inspect.isawaitable(result):
            await result
    except Exception:
        logger.exception(
            "hook %s raised on %s; the call goes on",
            getattr(hook, "__qualname__", repr(hook)),
            type(event).__name__,
        )
