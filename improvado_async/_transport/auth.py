"""Authentication: HTTP Basic for agency scope, workspace tokens (minted and cached) or cookies.

Workspace tokens live 30 minutes, renewed on every use (a sliding expiry). The
:class:`Authenticator` mints one lazily, refreshes it before it idles out, and re-mints once when
the API answers 401. Minting is an auth flow: the authenticator names the request it needs
(:data:`CREATE_TOKEN` with the workspace) and the pipeline that asked for headers sends it, so the
authenticator holds no reference to the pipeline or the client. Concurrent callers share one mint
attempt, whether it succeeds or fails.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .._secret import Secret
from ..config import Credentials
from ..errors import APITimeoutError, ConfigurationError, ResponseDecodeError
from .operation import Operation, Scope, declare
from .token_cache import TokenCache

__all__ = ["CREATE_TOKEN", "Authenticator", "Scope", "SendMint", "token_fields"]

#: ``POST /api/v3/token``: the one request an authenticator needs sent.
# Enum members read once: ``Scope.WORKSPACE`` costs an enum-class lookup on every request.
_WORKSPACE, _BASIC = Scope.WORKSPACE, Scope.BASIC

CREATE_TOKEN = declare("auth.create_token", "POST", "/api/v3/token", scope=Scope.BASIC)

#: Sends a Basic-scoped request of ``operation`` with a JSON ``body``; returns the decoded answer.
SendMint = Callable[[Operation, Any], Awaitable[Any]]

_TOKEN_KEYS = ("token", "access_token", "key")


def token_fields(data: Any) -> Any:
    """The token answer with its token under ``token`` (the field name is undocumented:
    ``token`` is the reference's PROPOSAL; ``access_token`` and ``key`` are accepted too)."""
    if isinstance(data, Mapping) and "token" not in data:
        for key in _TOKEN_KEYS[1:]:
            if key in data:
                return {"token": data[key], **{k: v for k, v in data.items() if k != key}}
    return data


def _token_of(data: Any) -> Secret:
    token = token_fields(data).get("token") if isinstance(data, Mapping) else None
    if not isinstance(token, str) or not token or not token.isprintable() or " " in token:
        # The SDK cannot work without it: never cache a null, empty or header-breaking token.
        raise ResponseDecodeError(
            f"{CREATE_TOKEN.method} {CREATE_TOKEN.path}: the answer holds no usable token "
            f"(expected a non-empty printable string under one of {', '.join(_TOKEN_KEYS)})",
            method=CREATE_TOKEN.method,
            url=CREATE_TOKEN.path,
        )
    return Secret(token)


class Authenticator:
    """Produces the auth headers of each request and owns the workspace token cache."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        token_ttl: float = 1800.0,
        refresh_margin: float = 60.0,
        cache: TokenCache | None = None,
        cache_key: str = "",
    ) -> None:
        self._credentials = credentials
        self._cache = cache
        self._cache_key = cache_key
        self._rejected: str | None = None  # the last token answered 401
        self._idle_limit = max(0.0, token_ttl - refresh_margin)
        self._token: str | None = None if credentials.token is None else Secret(credentials.token)
        self._last_used = time.monotonic()
        self._pid = os.getpid()
        self._minting: asyncio.Future[str] | None = None  # the mint every waiter shares
        self._basic: dict[str, str] | None = None
        self._cookie: dict[str, str] | None = None
        self._bearer: dict[str, str] | None = None  # the headers of self._bearer_token
        self._bearer_token: str | None = None
        # Credentials are frozen, so these are known once and for all.
        self._mints = self.can_mint
        self._uses_cookie = not credentials.token and bool(credentials.session_id)
        self.mint_count = 0

    def __repr__(self) -> str:
        return f"<Authenticator workspace_id={self._credentials.workspace_id!r}>"

    @property
    def can_mint(self) -> bool:
        """Whether a fresh token can be minted (Basic credentials and a workspace are known)."""
        creds = self._credentials
        return creds.has_basic and creds.workspace_id is not None

    def basic_headers(self) -> dict[str, str]:
        """The ``Authorization: Basic`` header (computed once)."""
        if self._basic is None:
            username, password = self._credentials.require_basic()
            encoded = base64.b64encode(Secret(username + ":" + password).encode()).decode("ascii")
            self._basic = {"Authorization": Secret("Basic " + encoded)}
        return self._basic

    def cached_headers(self, scope: Scope) -> dict[str, str] | None:
        """The auth headers when no token has to be minted first, else ``None``.

        The synchronous fast path of :meth:`headers`: with a fresh cached token (or Basic
        credentials, a cookie, no auth) it returns what :meth:`headers` would, without a
        coroutine. The returned dict is shared: do not modify it.
        """
        if scope is _WORKSPACE:
            if self._uses_cookie:
                return self._cookie_headers()
            token = self._token
            if token is None:
                return None  # a token has to be minted
            if self._mints:  # a given token never idles out: no clock read for it
                now = time.monotonic()
                if now - self._last_used >= self._idle_limit:
                    return None  # idled out: re-mint under the lock
                self._last_used = now
            bearer = self._bearer
            if bearer is not None and token is self._bearer_token:
                return bearer
            return self._bearer_headers(token)
        if scope is _BASIC:
            return self.basic_headers()
        return {}

    async def headers(
        self, scope: Scope, send: SendMint, deadline: float | None = None
    ) -> dict[str, str]:
        """Auth headers for a request of the given scope, minting a token through ``send``.

        ``deadline`` (``time.monotonic()``) bounds the wait for a mint another caller started.
        """
        cached = self.cached_headers(scope)
        if cached is not None:
            return cached
        return self._bearer_headers(await self._current_token(send, deadline))

    def _bearer_headers(self, token: str) -> dict[str, str]:
        bearer = self._bearer
        if bearer is None or token != self._bearer_token:
            bearer = self._bearer = {"Authorization": Secret("Bearer " + token)}
            self._bearer_token = token
        return bearer

    async def refresh_after_unauthorized(
        self, sent: Mapping[str, str], send: SendMint, deadline: float | None = None
    ) -> bool:
        """After a 401 on ``sent`` headers, re-mint once; False when that cannot help."""
        if not self.can_mint or "Authorization" not in sent:
            return False
        rejected = Secret(sent["Authorization"].removeprefix("Bearer "))
        if self._token is not None and self._token != rejected:
            return True  # another caller already replaced the rejected token
        if self._minting is None:
            self._token = None
            self._rejected = rejected
        await self._mint_shared(send, deadline)
        return True

    def _cookie_headers(self) -> dict[str, str] | None:
        creds = self._credentials
        if creds.token or not creds.session_id:
            return None
        if self._cookie is None:
            self._cookie = {
                "Cookie": Secret("dts_session_id=" + creds.session_id),
                "X-IM-WORKSPACE-ID": str(creds.require_workspace()),
            }
        return self._cookie

    def _fresh(self, now: float) -> bool:
        if self._token is None:
            return False
        if not self.can_mint:
            return True  # a pre-minted token is used as long as the API accepts it
        return now - self._last_used < self._idle_limit

    async def _current_token(self, send: SendMint, deadline: float | None) -> str:
        now = time.monotonic()
        token = self._token
        if token is not None and self._fresh(now):
            self._last_used = now
            return token
        token = await self._mint_shared(send, deadline)
        self._last_used = time.monotonic()
        return token

    async def _mint_shared(self, send: SendMint, deadline: float | None) -> str:
        """Join the mint in flight, or start one: every waiter gets its token or its error.

        The mint runs within the deadline of the caller that started it; a caller that joins it
        waits no longer than its own deadline.
        """
        if self._pid != os.getpid():  # a future of the parent's loop is no use in a child
            self._minting, self._pid = None, os.getpid()
        minting = self._minting
        if minting is None:
            minting = self._minting = asyncio.ensure_future(self._mint(send))
            minting.add_done_callback(self._mint_done)
        # Shielded: a cancelled waiter must not cancel the mint the others are waiting for.
        if deadline is None:
            return await asyncio.shield(minting)
        try:
            return await asyncio.wait_for(
                asyncio.shield(minting), max(0.0, deadline - time.monotonic())
            )
        except asyncio.TimeoutError:
            raise APITimeoutError(
                f"{CREATE_TOKEN.method} {CREATE_TOKEN.path}: the call's total timeout ran out "
                "while a workspace token was being minted",
                method=CREATE_TOKEN.method,
                url=CREATE_TOKEN.path,
                request_sent=False,
            ) from None

    def _mint_done(self, minting: asyncio.Future[str]) -> None:
        if self._minting is minting:
            self._minting = None
        if not minting.cancelled():
            minting.exception()  # retrieved here, so a mint nobody awaits any more logs nothing

    async def _mint(self, send: SendMint) -> str:
        if not self.can_mint:
            self._credentials.require_basic()
            self._credentials.require_workspace()
            raise ConfigurationError("cannot mint a workspace token with these credentials")
        cache = self._cache
        token = await (self._mint_now(send) if cache is None else self._mint_shared_by(cache, send))
        self._token, self._rejected = token, None
        self._last_used = time.monotonic()
        return token

    async def _mint_now(self, send: SendMint) -> Secret:
        workspace_id = self._credentials.require_workspace()
        token = _token_of(await send(CREATE_TOKEN, {"workspace_id": workspace_id}))
        self.mint_count += 1
        return token

    async def _mint_shared_by(self, cache: TokenCache, send: SendMint) -> Secret:
        """The cache's token unless it is the one that failed; else one mint under its lock."""
        key, rejected = self._cache_key, self._rejected
        if rejected is not None:
            await cache.invalidate(key, rejected)
        stored = await cache.get(key)
        if stored is not None and stored != rejected:
            return Secret(stored)
        async with cache.lock(key):
            stored = await cache.get(key)  # another process may have minted meanwhile
            if stored is not None and stored != rejected:
                return Secret(stored)
            token = await self._mint_now(send)
            await cache.set(key, str.__str__(token), self._idle_limit)
            return token
