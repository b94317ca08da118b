"""Hooks: callbacks on every request, response, retry and failed call, for metrics and logs.

``AsyncImprovado(hooks=Hooks(on_response=record))`` calls ``record(event)`` after every
attempt is answered. A hook may be a plain function or a coroutine function (awaited in line, so
keep it quick). Events are named tuples (immutable; ``event._asdict()`` gives a dict for a JSON
log line) and never carry credentials; request bodies only with
``include_bodies=True``. A hook that raises is logged on ``improvado.hooks`` and never breaks the
call. A client without hooks pays nothing for them.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

import attrs

from ._transport.observe import Pending
from ._transport.request import Request

__all__ = ["ErrorEvent", "Hooks", "RequestEvent", "ResponseEvent", "RetryEvent"]

logger = logging.getLogger("improvado.hooks")


class RequestEvent(NamedTuple):
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


class ResponseEvent(NamedTuple):
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


class RetryEvent(NamedTuple):
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


class ErrorEvent(NamedTuple):
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
        # The trace's fields are filled here rather than by an __init__: the pipeline starts a
        # trace for every call, and the class call would cost two frames more.
        hooks = self._hooks
        trace = _new_trace(_HookTrace)
        trace._hooks = hooks
        trace._request = request
        trace._path = None
        trace._attempts = 0
        # only an ErrorEvent carries the call's elapsed time
        trace._started = 0.0 if hooks.on_error is None else time.monotonic()
        return trace


class _HookTrace:
    """One call as the hooks see it: an event for each report whose hook is set.

    Made by :meth:`HooksObserver.start` only.
    """

    __slots__ = ("_attempts", "_hooks", "_path", "_request", "_started")

    headers = None  # hooks add no header
    _hooks: Hooks
    _request: Request
    _path: str | None
    _attempts: int
    _started: float

    def _where(self) -> tuple[str, str, str, str]:
        """The fields every event starts with: operation, method, path template, path."""
        request = self._request
        path = self._path
        if path is None:  # the path sent, derived once per call and only for an event
            path = self._path = _path_of(request.url)
        return request.operation, request.method, request.path_template, path

    def attempt(self, number: int, request: Request) -> Pending:
        self._attempts = number
        hook = self._hooks.on_request
        if hook is None:
            return None
        body = request.body if self._hooks.include_bodies else None
        return _call(hook, _new(RequestEvent, (*self._where(), number, body)))

    def answered(self, number: int, status: int, elapsed: float) -> Pending:
        hook = self._hooks.on_response
        if hook is None:
            return None
        # _where() and _call() inlined: on_response (metrics) is the hook most often set, and
        # the two calls were a quarter of what following a call costs with it.
        request = self._request
        path = self._path
        if path is None:
            path = self._path = _path_of(request.url)
        event = _new(
            ResponseEvent,
            (
                request.operation,
                request.method,
                request.path_template,
                path,
                number,
                status,
                elapsed,
            ),
        )
        try:
            result = hook(event)
        except Exception:
            _log_failure(hook, event)
            return None
        return None if result is None else _pending(result, hook, event)

    def retrying(self, number: int, reason: str, delay: float) -> Pending:
        hook = self._hooks.on_retry
        if hook is None:
            return None
        return _call(hook, _new(RetryEvent, (*self._where(), number, reason, delay)))

    def finished(self, status: int | None, error: BaseException | None) -> Pending:
        hook = self._hooks.on_error
        if hook is None or error is None:
            return None
        attempts = max(self._attempts, getattr(error, "attempts", 1))
        elapsed = time.monotonic() - self._started
        event = (*self._where(), attempts, status, type(error).__name__, elapsed)
        return _call(hook, _new(ErrorEvent, event))


_new_trace = object.__new__
# Events are built with tuple.__new__: their positional fields are filled in order here, and
# the named tuple's own __new__ would be one more Python frame per event.
_new = tuple.__new__


def _path_of(url: str) -> str:
    """The path (and anything after it) of an absolute URL."""
    return url[url.find("/", url.find("//") + 2) :]


def _call(hook: Hook, event: object) -> Pending:
    """Run one hook; an awaitable when it is async. Its failure is logged, never raised."""
    try:
        result = hook(event)
    except Exception:
        _log_failure(hook, event)
        return None
    return None if result is None else _pending(result, hook, event)


def _pending(result: object, hook: Hook, event: object) -> Pending:
    """What is left to await of a hook's ``result``: its awaitable, guarded, else ``None``."""
    if not inspect.isawaitable(result):
        return None
    return _guarded(result, hook, event)


async def _guarded(result: Awaitable[object], hook: Hook, event: object) -> None:
    try:
        await result
    except Exception:
        _log_failure(hook, event)


def _log_failure(hook: Hook, event: object) -> None:
    logger.exception(
        "hook %s raised on %s; the call goes on",
        getattr(hook, "__qualname__", repr(hook)),
        type(event).__name__,
    )
