"""The exception hierarchy of the SDK.

Every error the client raises is an :class:`ImprovadoError`. HTTP failures map from status codes
to :class:`APIStatusError` subclasses whose message is the API's ``details`` text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "EmptyResponseError",
    "ImprovadoError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "RunFailedError",
    "ServerError",
    "StoreError",
    "UnprocessableEntityError",
    "ValidationError",
    "WaitTimeoutError",
    "WrongEventLoopError",
    "error_for_status",
]


def _restore_error(
    cls: type[ImprovadoError], args: tuple[Any, ...], state: dict[str, Any]
) -> ImprovadoError:
    """Rebuild a pickled error without calling ``__init__`` (whose signature varies by class)."""
    err = cls.__new__(cls, *args)
    err.args = args
    err.__dict__.update(state)
    return err


class ImprovadoError(Exception):
    """Base class of every error raised by the SDK.

    Every subclass pickles with its attributes (so errors cross process pools): the default
    pickling calls ``cls(*args)``, which breaks keyword-only constructors; this restores
    ``args`` and the instance attributes instead.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as (class, args, attributes), independent of the constructor's signature."""
        return (_restore_error, (type(self), self.args, dict(self.__dict__)))


class ConfigurationError(ImprovadoError):
    """The client was configured wrongly, e.g. a credential is missing."""


class ValidationError(ImprovadoError, ValueError):
    """A request argument broke a documented constraint; nothing was sent.

    ``field`` names the offending parameter.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class WrongEventLoopError(ImprovadoError, RuntimeError):
    """An async client was used from an event loop other than the one that owns its session."""


class RunFailedError(ImprovadoError):
    """A waited-for run failed. ``result`` is the final model, ``error_text`` the API's text."""

    def __init__(self, message: str, *, result: Any, error_text: str | None) -> None:
        super().__init__(message)
        self.result = result
        self.error_text = error_text


class PaginationError(ImprovadoError):
    """A list kept going where it should have ended, so the walk stopped instead of looping.

    ``page`` is the number of the offending page (earlier pages were already yielded) and
    ``reason`` says what was wrong with it:

    - ``"repeated_next"``: it links the same ``next`` URL as the page before it;
    - ``"repeated_items"``: its items equal the page before it (the server ignores ``page``);
    - ``"beyond_count"``: it lies past the pages its ``count`` allows and still links a next one.
    """

    def __init__(self, message: str, *, page: int, reason: str) -> None:
        super().__init__(message)
        self.page = page
        self.reason = reason


class StoreError(ImprovadoError):
    """Redis failed and the store was created with ``on_store_error="raise"``.

    ``store`` names the store's class and ``operation`` the step that failed; the redis-py
    exception is chained (``__cause__``). The message never holds a token or a password.
    """

    def __init__(self, message: str, *, store: str = "", operation: str = "") -> None:
        super().__init__(message)
        self.store = store
        self.operation = operation


class WaitTimeoutError(ImprovadoError, TimeoutError):
    """A waiter gave up before a terminal status. ``last`` is the last model seen."""

    def __init__(self, message: str, *, last: Any) -> None:
        super().__init__(message)
        self.last = last


class APIError(ImprovadoError):
    """Any failure talking to the API (transport or HTTP status).

    ``during_token_mint`` is true when the failure came from minting the workspace token the
    call needed (``POST /api/v3/token``); that mint had its own retries and was shared by every
    caller waiting for it, so the call does not retry it again.
    """

    attempts: int = 1
    during_token_mint: bool = False


class APIConnectionError(APIError):
    """The request could not be completed at the network level.

    ``request_sent`` is false only when nothing reached the server (even a POST is then safe to
    retry); ``retryable`` is false for failures that another attempt cannot cure (a certificate
    that does not verify, a proxy refusing the credentials), which are never retried.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        url: str = "",
        attempts: int = 1,
        request_sent: bool = True,
        retryable: bool = True,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.attempts = attempts
        self.request_sent = request_sent
        self.retryable = retryable


class APITimeoutError(APIConnectionError):
    """The request (or the whole call, counting retries) ran out of time."""


class ResponseDecodeError(APIError):
    """The API answered with a body that is not the JSON the SDK expected.

    ``snippet`` holds the first characters of the body to help diagnose proxies and HTML pages.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        snippet: str = "",
        method: str = "",
        url: str = "",
    ) -> None:
        text = f"{message} (status {status}): {snippet!r}" if status is not None else message
        super().__init__(text)
        self.status = status
        self.snippet = snippet
        self.method = method
        self.url = url


class EmptyResponseError(ResponseDecodeError):
    """The API accepted a call that creates something but answered without the object.

    The request was accepted (``status``), so it may have taken effect: retrying it blindly can
    create a duplicate. List or get the object to find out.
    """


class APIStatusError(APIError):
    """The API answered with a non-success status.

    The message is the API's ``details`` text; ``body`` is the decoded body (or raw text).
    """

    def __init__(
        self,
        details: str,
        *,
        status: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        method: str = "",
        url: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(f"{status} {method} {url}: {details}".replace("  ", " "))
        self.status = status
        self.details = details
        self.body = body
        self.headers: Mapping[str, str] = _redact_headers(headers or {})
        self.method = method
        self.url = url
        self.attempts = attempts


class BadRequestError(APIStatusError):
    """400: the API rejected the request as invalid."""


class AuthenticationError(APIStatusError):
    """401: credentials are missing, wrong, or the token expired."""


class PermissionDeniedError(APIStatusError):
    """403: a feature flag or permission is missing."""


class NotFoundError(APIStatusError):
    """404: the object does not exist in this workspace."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but semantically invalid."""


class RateLimitError(APIStatusError):
    """429: rate limited. ``retry_after`` is the server's requested delay in seconds, if any."""

    retry_after: float | None = None


class ServerError(APIStatusError):
    """5xx: the API failed."""


class RedirectError(APIError):
    """The API answered with a redirect the SDK does not follow.

    Only same-origin redirects of GET and HEAD are followed (at most three): credentials never go
    to another origin, and a request body is never re-sent elsewhere. ``location`` is the
    redirect target with any user info and secret-looking query values removed.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        location: str | None,
        method: str = "",
        url: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.location = location
        self.method = method
        self.url = url
        self.attempts = attempts


class ResponseTooLargeError(APIError):
    """The response body is larger than the client's ``max_response_bytes``.

    The limit applies to the decoded (inflated) bytes as they are read, so a small compressed
    body that would inflate past it is refused too. Nothing was decoded.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        limit: int,
        method: str = "",
        url: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.limit = limit
        self.method = method
        self.url = url
        self.attempts = attempts


#: Headers whose values are credentials; errors keep them as ``***``.
_SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "proxy-authorization", "set-cookie", "x-improvado-verify-token"}
)


def _redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with credential values (cookies, authorization) replaced by ``***``."""
    return {
        name: "***" if str(name).lower() in _SECRET_HEADERS else value
        for name, value in headers.items()
    }


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIStatusError)


def error_for_status(
    status: int,
    body: Any,
    *,
    headers: Mapping[str, str] | None = None,
    method: str = "",
    url: str = "",
    retry_after: float | None = None,
) -> APIStatusError:
    """Build the typed error for a failed response, using the API's ``details`` as message."""
    cls = error_class_for(status)
    err = cls(
        details_text(body, status),
        status=status,
        body=body,
        headers=headers,
        method=method,
        url=url,
    )
    if isinstance(err, RateLimitError):
        err.retry_after = retry_after
    return err


def details_text(body: Any, status: int) -> str:
    """Extract a readable message: ``details``, then DRF's ``detail``, then the raw text."""
    if isinstance(body, Mapping):
        for key in ("details", "detail"):
            if key in body:
                return _flatten(body[key])
        return _flatten(body)
    if isinstance(body, str) and body.strip():
        return body.strip()[:200]
    return f"HTTP {status}"


def _flatten(value: Any) -> str:
    # The reference allows details as string | list | dict; make each readable on one line.
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(_flatten(v) for v in value)
    return str(value)
