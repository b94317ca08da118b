"""The request pipeline: auth headers, one attempt on the wire, decoding, errors and retries."""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..config import Timeout
from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ResponseDecodeError,
    ValidationError,
    error_for_status,
)
from .auth import Authenticator, SendMint
from .deadlines import Watch
from .decoding import decode_json
from .logging import transport_logger
from .operation import Operation, Scope
from .query import render_query
from .request import Request
from .retry import RetryPolicy, retry_after_of
from .session import SessionHolder

if TYPE_CHECKING:
    import aiohttp
else:
    # Imported on the first request, not with this module (`import improvado_async` stays
    # light); after that the module global is used directly, with no per-call import statement.
    aiohttp = None

__all__ = ["Pipeline"]

_SNIPPET = 200
_HEADER_CACHE_SIZE = 16


class Pipeline:
    """Sends one logical API call: attempts, retries, auth refresh, decoding and error mapping."""

    def __init__(
        self,
        *,
        base_url: str,
        sessions: SessionHolder,
        auth: Authenticator,
        retry: RetryPolicy,
        timeout: Timeout,
        user_agent: str,
    ) -> None:
        self.base_url = base_url
        self.sessions = sessions
        self.auth = auth
        self.retry = retry
        self.timeout = timeout
        self.user_agent = user_agent
        self._client_timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        self._connect_timeouts: dict[float | None, aiohttp.ClientTimeout] = {}
        # (id of an auth header dict, has body) -> (that dict, the full request headers); the
        # auth dicts are cached by the Authenticator, so this is one lookup per request.
        self._headers: dict[tuple[int, bool], tuple[Mapping[str, str], Mapping[str, str]]] = {}

    def derive(
        self,
        *,
        auth: Authenticator | None = None,
        retry: RetryPolicy | None = None,
        timeout: Timeout | None = None,
    ) -> Pipeline:
        """A pipeline sharing this one's session, with some settings replaced."""
        return Pipeline(
            base_url=self.base_url,
            sessions=self.sessions,
            auth=auth or self.auth,
            retry=retry or self.retry,
            timeout=timeout or self.timeout,
            user_agent=self.user_agent,
        )

    def build(
        self,
        operation: Operation,
        *,
        path: Mapping[str, object] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        timeout: Timeout | None = None,
    ) -> Request:
        """The :class:`Request` of one call of ``operation`` (path values validated here).

        Raises:
            ValidationError: a path value is missing or malformed, or ``timeout`` is not a
                :class:`Timeout` (nothing is sent).
        """
        if timeout is None:
            timeout = self.timeout
        elif not isinstance(timeout, Timeout):
            raise _not_a_timeout(timeout)
        return Request(
            operation=operation.name,
            method=operation.method,
            url=self.base_url + operation.format_path(path),
            path_template=operation.path,
            params=render_query(params),
            body=None if json is None else jsonlib.dumps(json, separators=(",", ":")).encode(),
            scope=operation.scope,
            idempotent=idempotent,
            timeout=timeout,
        )

    async def request(
        self,
        operation: Operation,
        *,
        path: Mapping[str, object] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        timeout: Timeout | None = None,
    ) -> Any:
        """Build and send one call of ``operation``; the decoded JSON body (``None`` if empty)."""
        request = self.build(
            operation, path=path, params=params, json=json, idempotent=idempotent, timeout=timeout
        )
        return await self.send(request)

    async def send(self, request: Request, deadline: float | None = None) -> Any:
        """Perform ``request`` with its retries; the decoded JSON body (``None`` if empty).

        ``deadline`` (a ``time.monotonic()`` value) bounds the call further: a token minted for
        a caller counts against that caller's deadline.
        """
        total = request.timeout.total
        if total is not None:
            own = time.monotonic() + total
            deadline = own if deadline is None else min(deadline, own)
        # Attempt 1 runs here, so a first-try success builds no retry closure or label (and
        # never touches tenacity); RetryPolicy.resume takes over only after an APIError.
        try:
            return await self._attempt_with_auth(request, deadline, 1)
        except APIError as exc:
            first = exc

        async def attempt(number: int) -> Any:
            return await self._attempt_with_auth(request, deadline, number)

        return await self.retry.resume(
            first,
            attempt,
            method=request.method,
            idempotent=request.idempotent,
            deadline=deadline,
            label=f"{request.method} {request.path_template}",
        )

    async def _attempt_with_auth(
        self, request: Request, deadline: float | None, number: int
    ) -> Any:
        auth = self.auth
        scope = request.scope
        headers = auth.cached_headers(scope)
        if headers is None:  # a token has to be minted first
            headers = await auth.headers(scope, self._mint_sender(request, deadline))
        status, resp_headers, body = await self._send(request, headers, deadline, number)
        if status == 401 and scope is Scope.WORKSPACE:
            mint = self._mint_sender(request, deadline)
            if await auth.refresh_after_unauthorized(headers, mint):
                headers = await auth.headers(scope, mint)
                status, resp_headers, body = await self._send(request, headers, deadline, number)
        return self._decode(request, status, resp_headers, body, number)

    def _mint_sender(self, request: Request, deadline: float | None) -> SendMint:
        """How the authenticator's token request is sent: through this pipeline, within the
        deadline and time limits of the call that needs the token."""

        async def send_mint(operation: Operation, body: Any) -> Any:
            mint = self.build(operation, json=body, idempotent=True, timeout=request.timeout)
            return await self.send(mint, deadline)

        return send_mint

    async def _send(
        self,
        request: Request,
        auth_headers: Mapping[str, str],
        deadline: float | None,
        number: int,
    ) -> tuple[int, Mapping[str, str], bytes]:
        if aiohttp is None:
            _import_aiohttp()
        sessions = self.sessions
        session = sessions.get()
        headers = self._request_headers(auth_headers, request)
        limits = request.timeout
        if deadline is not None and deadline <= time.monotonic():
            raise self._exhausted(request, number)
        watchdog = sessions.watchdog
        watch = None if watchdog is None else watchdog.start(limits.read, deadline)
        if watch is None:  # nothing to enforce, or no task to cancel: aiohttp's own timers
            client_timeout = self._client_timeout(request, deadline, number)
        else:
            client_timeout = self._connect_timeout(limits.connect)
        started = time.perf_counter()
        try:
            async with session.request(
                request.method,
                request.url,
                params=request.params,
                data=request.body,
                headers=headers,
                timeout=client_timeout,
            ) as resp:
                if watch is not None:
                    watch.responded(resp.content)
                body = await resp.read()
                status, resp_headers = resp.status, resp.headers
        except BaseException as exc:
            error = self._transport_error(exc, watch, request, number)
            if error is None:
                raise
            raise error from exc
        finally:
            if watch is not None:
                watch.watchdog.stop(watch)
        if transport_logger.isEnabledFor(logging.DEBUG):
            transport_logger.debug(
                "%s %s -> %d in %.1f ms (attempt %d)",
                request.method,
                request.url,
                status,
                (time.perf_counter() - started) * 1000,
                number,
            )
        return status, resp_headers, body

    def _request_headers(
        self, auth_headers: Mapping[str, str], request: Request
    ) -> Mapping[str, str]:
        """Auth headers plus User-Agent, Accept (and Content-Type), built once per auth dict;
        the request's own headers, when it has any, on top."""
        has_body = request.body is not None
        key = (id(auth_headers), has_body)
        cached = self._headers.get(key)
        if cached is not None and cached[0] is auth_headers:
            headers = cached[1]
        else:
            headers = {"User-Agent": self.user_agent, "Accept": "application/json", **auth_headers}
            if has_body:
                headers["Content-Type"] = "application/json"
            if len(self._headers) >= _HEADER_CACHE_SIZE:  # tokens were replaced: drop stale ones
                self._headers.clear()
            self._headers[key] = (auth_headers, headers)
        if request.headers:
            return {**headers, **request.headers}
        return headers

    def _transport_error(
        self, exc: BaseException, watch: Watch | None, request: Request, number: int
    ) -> APIError | None:
        """The SDK error for a failed attempt, or ``None`` to let ``exc`` propagate as it is."""
        method, url, limits = request.method, request.url, request.timeout
        if watch is not None and watch.claim():
            limit = limits.total if watch.fired == "total" else limits.read
            return APITimeoutError(
                f"{method} {url} timed out ({watch.fired} limit {limit}s)",
                method=method,
                url=url,
                attempts=number,
            )
        if isinstance(exc, asyncio.TimeoutError):
            return APITimeoutError(
                f"{method} {url} timed out",
                method=method,
                url=url,
                attempts=number,
                request_sent=not isinstance(exc, aiohttp.ConnectionTimeoutError),
            )
        if isinstance(exc, aiohttp.ClientConnectorError):
            return APIConnectionError(
                f"{method} {url}: cannot connect: {exc.os_error or exc}",
                method=method,
                url=url,
                attempts=number,
                request_sent=False,
            )
        if isinstance(exc, aiohttp.ClientError):
            return APIConnectionError(
                f"{method} {url}: connection failed: {type(exc).__name__}: {exc}",
                method=method,
                url=url,
                attempts=number,
            )
        return None

    def _exhausted(self, request: Request, number: int) -> APITimeoutError:
        return APITimeoutError(
            f"{request.label}: total timeout of {request.timeout.total}s exhausted",
            method=request.method,
            url=request.url,
            attempts=number,
            request_sent=False,
        )

    def _connect_timeout(self, connect: float | None) -> aiohttp.ClientTimeout:
        """Only ``sock_connect``: read and total limits are the watchdog's."""
        cached = self._connect_timeouts.get(connect)
        if cached is None:
            cached = aiohttp.ClientTimeout(total=None, sock_connect=connect)
            self._connect_timeouts[connect] = cached
        return cached

    def _client_timeout(
        self, request: Request, deadline: float | None, number: int
    ) -> aiohttp.ClientTimeout:
        limits = request.timeout
        if deadline is not None:
            total = deadline - time.monotonic()
            if total <= 0:
                raise self._exhausted(request, number)
            return aiohttp.ClientTimeout(
                total=total, sock_connect=limits.connect, sock_read=limits.read
            )
        key = (limits.connect, limits.read)
        cached = self._client_timeouts.get(key)
        if cached is None:
            cached = aiohttp.ClientTimeout(
                total=None, sock_connect=limits.connect, sock_read=limits.read
            )
            self._client_timeouts[key] = cached
        return cached

    def _decode(
        self, request: Request, status: int, headers: Mapping[str, str], body: bytes, number: int
    ) -> Any:
        method, url = request.method, request.url
        decoded = _parse_body(body, status, method, url, strict=status < 400)
        if status >= 400:
            err = error_for_status(
                status,
                decoded,
                headers=headers,
                method=method,
                url=url,
                retry_after=retry_after_of(headers),
            )
            err.attempts = number
            raise err
        return decoded


_SECRET_VALUE = re.compile(
    r"""(["']?(?:secret|token|access_token|password|key|session_id|dts_session_id)["']?"""
    r"""\s*[:=]\s*["']?)[^"',}\s]*""",
    re.IGNORECASE,
)


def _scrub(snippet: str) -> str:
    """Hide values of secret-looking keys: a truncated token or webhook body must not leak."""
    return _SECRET_VALUE.sub(r"\1***", snippet)


def _parse_body(body: bytes, status: int, method: str, url: str, *, strict: bool) -> Any:
    if not body or body.isspace():  # not body.strip(): that would copy every body
        return None
    try:
        return decode_json(body)
    except (ValueError, UnicodeDecodeError):
        snippet = _scrub(body[:_SNIPPET].decode("utf-8", "replace"))
        if not strict:
            return snippet  # an error page: keep its text as the error's details
        raise ResponseDecodeError(
            f"{method} {url}: response is not valid JSON",
            status=status,
            snippet=snippet,
            method=method,
            url=url,
        ) from None


def _not_a_timeout(value: object) -> ValidationError:
    return ValidationError(
        "timeout",
        f"must be a Timeout (the limits of each request), got {type(value).__name__}; "
        "use Timeout(total=...) for one call, or max_wait= for the whole of a wait()",
    )


def _import_aiohttp() -> None:
    global aiohttp
    import aiohttp
