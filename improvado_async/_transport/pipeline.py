"""The request pipeline: auth headers, one attempt on the wire, decoding, errors and retries."""

from __future__ import annotations

import asyncio
import functools
import json as jsonlib
import logging
import re
import time
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from multidict import CIMultiDict, CIMultiDictProxy, istr

from .._secret import REDACTED
from ..config import DEFAULT_MAX_RESPONSE_BYTES, Timeout
from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    RedirectError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ValidationError,
    error_for_status,
)
from .auth import Authenticator, SendMint
from .deadlines import Watch
from .decoding import decode_json
from .logging import transport_logger
from .observe import CallTrace, Observer
from .operation import Operation, Scope
from .query import render_query
from .ratelimit import RateLimiter
from .request import Extra, Request
from .response import Response, capturing, new_response, record
from .retry import RetryPolicy, retry_after_of
from .session import SessionHolder, Slots

if TYPE_CHECKING:
    import aiohttp
else:
    # Imported on the first request, not with this module (`import improvado_async` stays
    # light); after that the module global is used directly, with no per-call import statement.
    aiohttp = None

__all__ = ["Pipeline"]

_SNIPPET = 200
_HEADER_CACHE_SIZE = 16
# A bodiless POST/PUT/PATCH would otherwise go out as ``application/octet-stream``, which a
# strict server may refuse with 415.
_NO_CONTENT_TYPE = ("Content-Type",)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_FOLLOWED_METHODS = frozenset({"GET", "HEAD"})
_MAX_REDIRECTS = 3
_new_request = tuple.__new__
# Header names pre-folded for the case-insensitive response headers (aiohttp's ``hdrs`` are
# the same ``istr`` values; that module is not imported before the first request).
_SET_COOKIE = istr("Set-Cookie")
_CONTENT_ENCODING = istr("Content-Encoding")


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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        observers: tuple[Observer, ...] = (),
        rate_limiter: RateLimiter | None = None,
        operation_limiters: Mapping[str, RateLimiter] | None = None,
    ) -> None:
        self.base_url = base_url
        self.rate_limiter = rate_limiter
        self.operation_limiters = dict(operation_limiters or {})
        self._limited = rate_limiter is not None or bool(self.operation_limiters)
        #: Followers of every call (hooks, tracing); empty costs one truth test per call.
        self.observers = observers
        self.max_response_bytes = max_response_bytes
        self._origin = _origin_of(base_url)
        self._redirects_logged: set[tuple[str, str]] = set()
        self.sessions = sessions
        self.auth = auth
        self.retry = retry
        self.timeout = timeout
        self.user_agent = user_agent
        self._client_timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        self._connect_timeouts: dict[float | None, aiohttp.ClientTimeout] = {}
        # id of an auth header dict (+1 with a body) -> (that dict, the full request headers); the
        # auth dicts are cached by the Authenticator, so this is one lookup per request.
        self._headers: dict[int, tuple[Mapping[str, str], Mapping[str, str]]] = {}

    def derive(
        self,
        *,
        auth: Authenticator | None = None,
        retry: RetryPolicy | None = None,
        timeout: Timeout | None = None,
        observers: tuple[Observer, ...] | None = None,
    ) -> Pipeline:
        """A pipeline sharing this one's session, with some settings replaced."""
        return Pipeline(
            base_url=self.base_url,
            sessions=self.sessions,
            auth=auth or self.auth,
            retry=retry or self.retry,
            timeout=timeout or self.timeout,
            user_agent=self.user_agent,
            max_response_bytes=self.max_response_bytes,
            observers=self.observers if observers is None else observers,
            rate_limiter=self.rate_limiter,
            operation_limiters=self.operation_limiters,
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
        extra: Extra | None = None,
    ) -> Request:
        """The :class:`Request` of one call of ``operation`` (path values validated here).

        Raises:
            ValidationError: a path value is missing or malformed, ``timeout`` is not a
                :class:`Timeout`, or an ``extra_*`` value cannot be sent (nothing is sent).
        """
        if timeout is None:
            timeout = self.timeout
        elif not isinstance(timeout, Timeout):
            raise _not_a_timeout(timeout)
        headers = _NO_HEADERS
        if extra is not None:
            headers, params, json = _merge_extra(extra, operation, params, json)
        # tuple.__new__ directly: the named tuple's own __new__ is one more Python frame per call
        return _new_request(
            Request,
            (
                operation.name,
                operation.method,
                self.base_url + operation.format_path(path),
                operation.path,
                render_query(params) if params else _NO_PARAMS,
                None if json is None else jsonlib.dumps(json, separators=(",", ":")).encode(),
                headers,
                operation.scope,
                idempotent,
                timeout,
            ),
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
        extra: Extra | None = None,
    ) -> Any:
        """Build and send one call of ``operation``; the decoded JSON body (``None`` if empty)."""
        request = self.build(
            operation,
            path=path,
            params=params,
            json=json,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra,
        )
        return (await self.send(request)).data

    async def send(self, request: Request, deadline: float | None = None) -> Response:
        """Perform ``request`` with its retries; the final :class:`Response`.

        ``deadline`` (a ``time.monotonic()`` value) bounds the call further: a token minted for
        a caller counts against that caller's deadline. Observers (hooks, tracing) follow the
        call and are told how it ended whatever happens; none of them can break it.
        """
        traces = None
        if self.observers:
            traces, request = self._start_traces(request)
        started = time.monotonic()
        total = request.timeout.total
        if total is not None:
            own = started + total
            deadline = own if deadline is None else min(deadline, own)
        try:
            # Attempt 1 runs here, so a first-try success builds no retry closure or label (and
            # never touches tenacity); RetryPolicy.resume takes over only after an APIError.
            first: APIError | None = None
            try:
                response = await self._attempt_with_auth(request, deadline, 1, started, traces)
            except APIError as exc:
                first = exc  # retried outside this handler: a later error is not chained to it
            if first is not None:
                response = await self._retry(first, request, deadline, started, traces)
        except BaseException as exc:
            if traces:
                pending = _finished(traces, getattr(exc, "status", None), exc)
                if pending:
                    await _settle(pending)
            raise
        if traces:
            if len(traces) == 1:  # the usual case (hooks or tracing): no other trace to tell
                last = traces[0].finished(response.status, None)
                if last is not None:
                    await last
            else:
                pending = _finished(traces, response.status, None)
                if pending:
                    await _settle(pending)
        return response

    def _start_traces(self, request: Request) -> tuple[tuple[CallTrace, ...], Request]:
        """Every observer's trace of the call, and the request with the headers they add."""
        observers = self.observers
        if len(observers) == 1:  # the usual case: hooks or tracing
            trace = observers[0].start(request)
            traces: tuple[CallTrace, ...] = (trace,)
            added = trace.headers
        else:
            traces = tuple([observer.start(request) for observer in observers])
            added = _trace_headers(traces)
        if added:
            request = request._replace(headers={**request.headers, **added})
        return traces, request

    async def _retry(
        self,
        first: APIError,
        request: Request,
        deadline: float | None,
        started: float,
        traces: tuple[CallTrace, ...] | None,
    ) -> Response:
        """The attempts after a failed first one, as the retry policy allows."""

        async def attempt(number: int) -> Response:
            return await self._attempt_with_auth(request, deadline, number, started, traces)

        on_retry = None
        if traces:

            async def on_retry(number: int, reason: str, delay: float) -> None:
                for trace in traces:
                    pending = trace.retrying(number, reason, delay)
                    if pending is not None:
                        await pending

        return await self.retry.resume(
            first,
            attempt,
            method=request.method,
            idempotent=request.idempotent,
            deadline=deadline,
            label=f"{request.method} {request.path_template}",
            on_retry=on_retry,
            log_extra={"improvado_operation": request.operation},
        )

    async def _attempt_with_auth(
        self,
        request: Request,
        deadline: float | None,
        number: int,
        started: float,
        traces: tuple[CallTrace, ...] | None,
    ) -> Response:
        auth = self.auth
        scope = request.scope
        if traces:
            for trace in traces:
                pending = trace.attempt(number, request)
                if pending is not None:
                    await pending
            attempt_started = time.monotonic()
        headers: Mapping[str, str] | None = auth.cached_headers(scope)
        if headers is None:  # a token has to be minted first
            headers = await self._minted_headers(request, deadline, None)
            assert headers is not None
        status, resp_headers, body = await self._send(request, headers, deadline, number)
        if status in _REDIRECTS:
            status, resp_headers, body = await self._follow(
                request, headers, status, resp_headers, deadline, number
            )
        if status == 429 and self._limited:
            await self._pause_limiters(request.operation, resp_headers)
        if traces:
            elapsed = time.monotonic() - attempt_started
            for trace in traces:
                pending = trace.answered(number, status, elapsed)
                if pending is not None:
                    await pending
        if status == 401 and scope is Scope.WORKSPACE:
            fresh = await self._minted_headers(request, deadline, headers)
            if fresh is not None:  # re-minted after the 401: replay once
                status, resp_headers, body = await self._send(request, fresh, deadline, number)
                if status in _REDIRECTS:
                    status, resp_headers, body = await self._follow(
                        request, fresh, status, resp_headers, deadline, number
                    )
        return self._decode(request, status, resp_headers, body, number, started)

    async def _follow(
        self,
        request: Request,
        auth_headers: Mapping[str, str],
        status: int,
        headers: Mapping[str, str],
        deadline: float | None,
        number: int,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Follow same-origin redirects of GET and HEAD, at most three hops; refuse the rest.

        Credentials go only to the API's own origin, and a body is never re-sent elsewhere.
        """
        hops = 0
        current = request
        while status in _REDIRECTS:
            location = headers.get("Location")
            target = None if location is None else _resolve(current.url, location)
            allowed = (
                target is not None
                and request.method in _FOLLOWED_METHODS
                and _origin_of(target) == self._origin
                and hops < _MAX_REDIRECTS
            )
            if not allowed:
                raise RedirectError(
                    f"{request.method} {_redact_url(request.url)} was redirected ({status}) to "
                    f"{_redact_url(location or '(no Location)')}; only up to {_MAX_REDIRECTS} "
                    "same-origin redirects of GET and HEAD are followed",
                    status=status,
                    location=None if location is None else _redact_url(location),
                    method=request.method,
                    url=_redact_url(request.url),
                )
            assert target is not None
            self._log_redirect(request, status, target)
            hops += 1
            url, params = _split_query(target)
            current = current._replace(url=url, params=params)
            status, headers, body = await self._send(current, auth_headers, deadline, number)
        return status, headers, body

    def _log_redirect(self, request: Request, status: int, target: str) -> None:
        key = (request.method, request.path_template)
        if key not in self._redirects_logged:  # once per path: a hint, not a stream
            self._redirects_logged.add(key)
            transport_logger.info(
                "%s %s was redirected (%d) to %s; the SDK follows it, but the declared path of "
                "%s should be corrected",
                request.method,
                request.path_template,
                status,
                _redact_url(target),
                request.operation,
                extra={"improvado_operation": request.operation, "status": status},
            )

    async def _minted_headers(
        self, request: Request, deadline: float | None, rejected: Mapping[str, str] | None
    ) -> Mapping[str, str] | None:
        """Headers with a freshly minted token (after ``rejected`` was answered 401, if given;
        ``None`` when a new token cannot help: no Basic credentials, or cookie auth).

        A failed mint had its own retries and was shared by every caller waiting for it, so its
        error is marked ``during_token_mint`` and not retried again by the caller's attempts.
        """
        auth = self.auth
        send = self._mint_sender(request, deadline)
        try:
            if rejected is not None and not await auth.refresh_after_unauthorized(
                rejected, send, deadline
            ):
                return None
            return await auth.headers(request.scope, send, deadline)
        except APIError as exc:
            exc.during_token_mint = True
            raise

    def _mint_sender(self, request: Request, deadline: float | None) -> SendMint:
        """How the authenticator's token request is sent: through this pipeline, within the
        deadline and time limits of the call that needs the token."""

        async def send_mint(operation: Operation, body: Any) -> Any:
            mint = self.build(operation, json=body, idempotent=True, timeout=request.timeout)
            return (await self.send(mint, deadline)).data

        return send_mint

    async def _send(
        self,
        request: Request,
        auth_headers: Mapping[str, str],
        deadline: float | None,
        number: int,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One attempt on the wire: a pool slot, then the request, its headers and its body."""
        if aiohttp is None:
            _import_aiohttp()
        sessions = self.sessions
        open_request = sessions.opener()
        if request.body is None and request.method in _BODY_METHODS:
            open_request = functools.partial(open_request, skip_auto_headers=_NO_CONTENT_TYPE)
        if self._limited:  # a rate-limit permit before a pooled connection is taken
            for limiter in self._limiters(request.operation):
                await limiter.acquire(deadline)
        slots = sessions.slots
        assert slots is not None  # created with the session
        if not slots.take():  # every pooled connection is busy: a bounded, unsent wait
            await self._wait_for_slot(slots, request, deadline, number)
        try:
            headers = self._request_headers(auth_headers, request)
            limits = request.timeout
            if deadline is not None and deadline <= time.monotonic():
                raise self._exhausted(request, number)
            watchdog = self.sessions.watchdog
            watch = None if watchdog is None else watchdog.start(limits.read, deadline)
            if watch is None:  # nothing to enforce, or no task to cancel: aiohttp's own timers
                client_timeout = self._client_timeout(request, deadline, number)
            else:
                connect_only = self._connect_timeouts.get(limits.connect)
                if connect_only is None:
                    connect_only = self._new_connect_timeout(limits.connect)
                client_timeout = connect_only
            debug = transport_logger.isEnabledFor(logging.DEBUG)
            started = time.perf_counter() if debug else 0.0
            hidden: APIError | None = None
            try:
                async with open_request(
                    request.method,
                    request.url,
                    params=request.params,
                    data=request.body,
                    headers=headers,
                    timeout=client_timeout,
                    allow_redirects=False,
                ) as resp:
                    resp_headers = resp.headers
                    if _SET_COOKIE in resp_headers:
                        resp_headers = _redact_set_cookie(resp)
                    content = resp.content
                    # A small answer usually arrives with its headers: already whole and
                    # decoded, its size is known without parsing Content-Length, and no pause
                    # between body chunks is left to watch.
                    if content.is_eof() and content.total_bytes <= self.max_response_bytes:
                        body = await resp.read()
                    else:
                        if watch is not None:
                            watch.responded(content)
                        body = await self._read_body(resp, request)
                    status = resp.status
            except BaseException as exc:
                error = self._transport_error(exc, watch, request, number)
                if error is None:
                    raise
                if "proxy" not in self.sessions.request_options:
                    raise error from exc
                # Through a proxy, aiohttp's exceptions carry the proxy URL with its credentials
                # (in their text, their connection key and request_info): raised below, unchained.
                hidden = error
            finally:
                if watch is not None:
                    watch.watchdog.stop(watch)
            if hidden is not None:
                raise hidden
            if debug:
                elapsed_ms = (time.perf_counter() - started) * 1000
                transport_logger.debug(
                    "%s %s -> %d in %.1f ms (attempt %d)",
                    request.method,
                    request.url,
                    status,
                    elapsed_ms,
                    number,
                    extra={
                        "improvado_operation": request.operation,
                        "method": request.method,
                        "url_template": request.path_template,
                        "status": status,
                        "attempt": number,
                        "elapsed_ms": round(elapsed_ms, 3),
                    },
                )
            return status, resp_headers, body
        finally:
            slots.give()

    async def _pause_limiters(self, operation: str, headers: Mapping[str, str]) -> None:
        """A 429 with ``Retry-After`` pauses every client sharing the limiters until then."""
        delay = retry_after_of(headers)
        if delay is not None and delay > 0:
            for limiter in self._limiters(operation):
                await limiter.pause(delay)

    def _limiters(self, operation: str) -> tuple[RateLimiter, ...]:
        limiters = []
        if self.rate_limiter is not None:
            limiters.append(self.rate_limiter)
        specific = self.operation_limiters.get(operation)
        if specific is not None:
            limiters.append(specific)
        return tuple(limiters)

    async def _wait_for_slot(
        self, slots: Slots, request: Request, deadline: float | None, number: int
    ) -> None:
        """Wait for a pooled connection within ``Timeout.pool`` and the total deadline."""
        limit = request.timeout.pool
        if deadline is not None:
            remaining = deadline - time.monotonic()
            limit = remaining if limit is None else min(limit, remaining)
        if limit is None:
            await slots.wait()
            return
        try:
            await asyncio.wait_for(slots.wait(), max(limit, 0.0))
        except asyncio.TimeoutError:
            raise APITimeoutError(
                f"{request.label}: no pooled connection became free within {limit:.3g}s "
                f"(Timeout.pool={request.timeout.pool}, max_connections); nothing was sent",
                method=request.method,
                url=request.url,
                attempts=number,
                request_sent=False,
            ) from None

    async def _read_body(self, resp: aiohttp.ClientResponse, request: Request) -> bytes:
        """A body not yet whole when its headers arrived (large, slow, compressed or chunked):
        read while counting the decoded bytes, refused past ``max_response_bytes``."""
        cap = self.max_response_bytes
        length = resp.content_length
        if length is not None and length > cap and _CONTENT_ENCODING not in resp.headers:
            raise self._too_large(request, resp.status, f"Content-Length is {length}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_any():
            size += len(chunk)
            if size > cap:
                raise self._too_large(request, resp.status, f"more than {cap} bytes decoded")
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, request: Request, status: int, why: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"{request.label}: the response is larger than max_response_bytes="
            f"{self.max_response_bytes} ({why}); nothing was decoded",
            status=status,
            limit=self.max_response_bytes,
            method=request.method,
            url=request.url,
        )

    def _request_headers(
        self, auth_headers: Mapping[str, str], request: Request
    ) -> Mapping[str, str]:
        """Auth headers plus User-Agent, Accept (and Content-Type), built once per auth dict;
        the request's own headers, when it has any, on top.

        Cached as a read-only case-insensitive multidict: aiohttp copies any other mapping into
        one on every request (about 4,000 instructions for these four headers).
        """
        has_body = request.body is not None
        # Objects are at least 8-byte aligned, so id + 1 never names another dict: one int key
        # instead of a tuple to build and hash per request.
        key = id(auth_headers) + has_body
        cached = self._headers.get(key)
        if cached is not None and cached[0] is auth_headers:
            headers = cached[1]
        else:
            built = {"User-Agent": self.user_agent, "Accept": "application/json", **auth_headers}
            if has_body:
                built["Content-Type"] = "application/json"
            headers = CIMultiDictProxy(CIMultiDict(built))
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
        if isinstance(exc, aiohttp.ClientHttpProxyError):
            return APIConnectionError(
                f"{method} {url}: the proxy refused the request ({exc.status} {exc.message})",
                method=method,
                url=url,
                attempts=number,
                request_sent=False,
                retryable=exc.status != 407,  # wrong proxy credentials stay wrong
            )
        if isinstance(exc, aiohttp.ClientProxyConnectionError):
            return APIConnectionError(
                f"{method} {url}: cannot connect to the proxy: {exc.os_error}",
                method=method,
                url=url,
                attempts=number,
                request_sent=False,
            )
        if isinstance(exc, aiohttp.ClientConnectorCertificateError):
            return APIConnectionError(
                f"{method} {url}: the server's TLS certificate did not verify "
                f"({exc.certificate_error}); pass ssl= a context that trusts its authority",
                method=method,
                url=url,
                attempts=number,
                request_sent=False,
                retryable=False,  # another attempt meets the same certificate
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

    def _new_connect_timeout(self, connect: float | None) -> aiohttp.ClientTimeout:
        """Only ``sock_connect`` (read and total limits are the watchdog's); made once per
        value, then looked up by the caller."""
        made = self._connect_timeouts[connect] = aiohttp.ClientTimeout(
            total=None, sock_connect=connect
        )
        return made

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
        self,
        request: Request,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        number: int,
        started: float,
    ) -> Response:
        method, url = request.method, request.url
        elapsed = time.monotonic() - started
        try:
            if status < 400 and body:
                try:  # the usual answer: JSON, decoded without _parse_body's checks
                    decoded = decode_json(body)
                except ValueError:  # whitespace only, or not JSON: _parse_body decides
                    decoded = _parse_body(body, status, method, url, strict=True)
            else:
                decoded = _parse_body(body, status, method, url, strict=status < 400)
        except ResponseDecodeError:  # a raw-response call still wants to see these bytes
            record(Response(status, headers, body, None, number, elapsed, request.operation))
            raise
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
        response = new_response(
            Response, (status, headers, body, decoded, number, elapsed, request.operation)
        )
        captured = capturing()  # record() inlined: one call less on every answer
        if captured is not None:
            captured.append(response)
        return response


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


def _redact_set_cookie(resp: aiohttp.ClientResponse) -> CIMultiDictProxy[str]:
    """Replace ``Set-Cookie`` values in the response's headers with ``***``; the new headers.

    The client keeps no cookie jar, so nothing reads them; a ``dts_session_id`` must not show up
    in an error's ``headers``, in ``repr(resp)`` or in a traceback's locals.
    """
    headers = CIMultiDict(resp.headers)
    count = len(headers.popall("Set-Cookie", []))
    for _ in range(count):
        headers.add("Set-Cookie", REDACTED)
    # ``headers`` reads ``_headers`` through a per-response cache; both are aiohttp's private
    # attributes, so a version that renames them keeps its headers (only less redacted).
    redacted = resp._headers = CIMultiDictProxy(headers)
    cache = getattr(resp, "_cache", None)
    if isinstance(cache, dict):
        cache.pop("headers", None)
    return redacted


def _origin_of(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:  # a port that is not a number names no origin of ours
        return (parts.scheme, "", -1)
    return (parts.scheme, (parts.hostname or "").lower(), port)


def _resolve(base: str, location: str) -> str | None:
    """``location`` made absolute against ``base``; ``None`` when it is not an http(s) URL."""
    target = urljoin(base, location.strip())
    return target if urlsplit(target).scheme in ("http", "https") else None


def _split_query(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="", fragment="")), dict(parse_qsl(parts.query))


_SECRET_QUERY_KEYS = re.compile(r"token|secret|password|passwd|key|session|auth|sig", re.I)


def _redact_url(url: str) -> str:
    """``url`` without user info, and with secret-looking query values replaced by ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if _SECRET_QUERY_KEYS.search(k) else v) for k, v in pairs])
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _trace_headers(traces: tuple[CallTrace, ...]) -> Mapping[str, str] | None:
    """The headers the traces add to every attempt of their call (``traceparent``)."""
    added = None
    for trace in traces:
        headers = trace.headers
        if headers:
            added = {**added, **headers} if added else dict(headers)
    return added


def _finished(
    traces: tuple[CallTrace, ...], status: int | None, error: BaseException | None
) -> list[Awaitable[None]] | None:
    """Tell every trace the call ended, even when an earlier one raises (a trace that never
    hears it would leave, say, a tracing span open); the asynchronous work left to await."""
    pending: list[Awaitable[None]] | None = None
    failure: BaseException | None = None
    for trace in traces:
        try:
            result = trace.finished(status, error)
        except BaseException as exc:  # raised once every trace has heard
            failure = failure or exc
            continue
        if result is not None:
            if pending is None:
                pending = []
            pending.append(result)
    if failure is not None:
        _discard(pending or [])
        raise failure
    return pending


async def _settle(pending: list[Awaitable[None]]) -> None:
    """Await each of ``pending``, the rest too when one fails or is cancelled."""
    for index, awaitable in enumerate(pending):
        try:
            await awaitable
        except BaseException:
            await _settle(pending[index + 1 :])
            raise


def _discard(pending: list[Awaitable[None]]) -> None:
    """Close coroutines that will not be awaited (no "never awaited" warning)."""
    for awaitable in pending:
        close = getattr(awaitable, "close", None)
        if close is not None:
            close()


_NO_HEADERS: Mapping[str, str] = {}
_NO_PARAMS: Mapping[str, str] = {}  # shared, never modified: most calls have no query
_RESERVED_HEADERS = frozenset({"authorization", "cookie", "host", "content-length"})


def _merge_extra(
    extra: Extra, operation: Operation, params: Mapping[str, Any] | None, json: Any
) -> tuple[Mapping[str, str], Mapping[str, Any] | None, Any]:
    """The caller's ``extra_headers``, ``extra_query`` and ``extra_body`` merged over the SDK's."""
    headers = _NO_HEADERS
    if extra.headers is not None:
        headers = _checked_headers(extra.headers)
    if extra.query is not None:
        if not isinstance(extra.query, Mapping):
            raise ValidationError("extra_query", "must be a mapping of parameter names to values")
        params = {**(params or {}), **extra.query}
    if extra.body is not None:
        if not isinstance(extra.body, Mapping):
            raise ValidationError("extra_body", "must be a mapping of JSON field names to values")
        if operation.method not in _BODY_METHODS or not (json is None or isinstance(json, dict)):
            raise ValidationError(
                "extra_body",
                f"{operation.name} ({operation.method}) sends no JSON object body to add to",
            )
        json = {**(json or {}), **extra.body}
    return headers, params, json


def _checked_headers(headers: Mapping[str, str]) -> Mapping[str, str]:
    if not isinstance(headers, Mapping):
        raise ValidationError("extra_headers", "must be a mapping of header names to values")
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValidationError("extra_headers", f"{name!r}: names and values must be strings")
        if not name.isprintable() or not value.isprintable() or ":" in name:
            raise ValidationError("extra_headers", f"{name!r}: contains a control character")
        if name.lower() in _RESERVED_HEADERS:
            # Credentials come from the client's configuration, never per call.
            raise ValidationError("extra_headers", f"{name!r} is set by the SDK itself")
    return dict(headers)


def _not_a_timeout(value: object) -> ValidationError:
    return ValidationError(
        "timeout",
        f"must be a Timeout (the limits of each request), got {type(value).__name__}; "
        "use Timeout(total=...) for one call, or max_wait= for the whole of a wait()",
    )


def _import_aiohttp() -> None:
    global aiohttp
    import aiohttp
