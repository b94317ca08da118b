"""Authentication: HTTP Basic for agency scope, workspace tokens (minted and cached) or cookies.

Workspace tokens live 30 minutes, renewed on every use (a sliding expiry). The
:class:`Authenticator` mints one lazily, refreshes it before it idles out, and re-mints once when
the API answers 401; concurrent callers share a single mint (single-flight under a lock).
"""

from __future__ import annotations

import asyncio
import base64
import enum
import os
import time
from collections.abc import Awaitable, Callable

from ..config import Credentials
from ..errors import ConfigurationError

__all__ = ["Authenticator", "Scope"]

Minter = Callable[[int], Awaitable[str]]


class Scope(enum.Enum):
    """Which credentials an operation needs."""

    BASIC = "basic"  # agency scope: workspaces, token minting, iframe URL, recipes, roles
    WORKSPACE = "workspace"  # workspace scope: Bearer token or the dts_session_id cookie
    NONE = "none"


class Authenticator:
    """Produces the auth headers of each request and owns the workspace token cache."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        mint: Minter | None,
        token_ttl: float = 1800.0,
        refresh_margin: float = 60.0,
    ) -> None:
        self._credentials = credentials
        self._mint = mint
        self._idle_limit = max(0.0, token_ttl - refresh_margin)
        self._token: str | None = credentials.token
        self._last_used = time.monotonic()
        self._lock_value = asyncio.Lock()
        self._lock_pid = os.getpid()
        self._basic: dict[str, str] | None = None
        self._cookie: dict[str, str] | None = None
        self._bearer: dict[str, str] | None = None  # the headers of self._bearer_token
        self._bearer_token: str | None = None
        # Credentials are frozen and the minter fixed, so these are known once and for all.
        self._mints = self.can_mint
        self._uses_cookie = not credentials.token and bool(credentials.session_id)
        self.mint_count = 0

    def __repr__(self) -> str:
        return f"<Authenticator workspace_id={self._credentials.workspace_id!r}>"

    @property
    def _lock(self) -> asyncio.Lock:
        # A lock used in the parent may be bound to the parent's loop; a forked child needs its own.
        if self._lock_pid != os.getpid():
            self._lock_value = asyncio.Lock()
            self._lock_pid = os.getpid()
        return self._lock_value

    @property
    def can_mint(self) -> bool:
        """Whether a fresh token can be minted (Basic credentials and a workspace are known)."""
        creds = self._credentials
        return self._mint is not None and creds.has_basic and creds.workspace_id is not None

    def basic_headers(self) -> dict[str, str]:
        """The ``Authorization: Basic`` header (computed once)."""
        if self._basic is None:
            username, password = self._credentials.require_basic()
            raw = f"{username}:{password}".encode()
            self._basic = {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        return self._basic

    def cached_headers(self, scope: Scope) -> dict[str, str] | None:
        """The auth headers when no token has to be minted first, else ``None``.

        The synchronous fast path of :meth:`headers`: with a fresh cached token (or Basic
        credentials, a cookie, no auth) it returns what :meth:`headers` would, without a
        coroutine. The returned dict is shared: do not modify it.
        """
        if scope is Scope.WORKSPACE:
            if self._uses_cookie:
                return self._cookie_headers()
            token = self._token
            if token is None:
                return None  # a token has to be minted
            now = time.monotonic()
            if self._mints and now - self._last_used >= self._idle_limit:
                return None  # idled out: re-mint under the lock
            self._last_used = now
            return self._bearer_headers(token)
        if scope is Scope.BASIC:
            return self.basic_headers()
        return {}

    async def headers(self, scope: Scope) -> dict[str, str]:
        """Auth headers for a request of the given scope."""
        cached = self.cached_headers(scope)
        if cached is not None:
            return cached
        return self._bearer_headers(await self._current_token())

    def _bearer_headers(self, token: str) -> dict[str, str]:
        bearer = self._bearer
        if bearer is None or token != self._bearer_token:
            bearer = self._bearer = {"Authorization": "Bearer " + token}
            self._bearer_token = token
        return bearer

    async def refresh_after_unauthorized(self, sent: dict[str, str]) -> bool:
        """After a 401 on ``sent`` headers, re-mint once; False when that cannot help."""
        if not self.can_mint or "Authorization" not in sent:
            return False
        rejected = sent["Authorization"].removeprefix("Bearer ")
        async with self._lock:
            if self._token is not None and self._token != rejected:
                return True  # another caller already replaced the rejected token
            self._token = None
            await self._mint_locked()
        return True

    def _cookie_headers(self) -> dict[str, str] | None:
        creds = self._credentials
        if creds.token or not creds.session_id:
            return None
        if self._cookie is None:
            self._cookie = {
                "Cookie": f"dts_session_id={creds.session_id}",
                "X-IM-WORKSPACE-ID": str(creds.require_workspace()),
            }
        return self._cookie

    def _fresh(self, now: float) -> bool:
        if self._token is None:
            return False
        if not self.can_mint:
            return True  # a pre-minted token is used as long as the API accepts it
        return now - self._last_used < self._idle_limit

    async def _current_token(self) -> str:
        now = time.monotonic()
        token = self._token
        if token is not None and self._fresh(now):
            self._last_used = now
            return token
        async with self._lock:
            if self._token is None or not self._fresh(time.monotonic()):
                await self._mint_locked()
            assert self._token is not None
            self._last_used = time.monotonic()
            return self._token

    async def _mint_locked(self) -> None:
        if not self.can_mint or self._mint is None:
            self._credentials.require_basic()
            self._credentials.require_workspace()
            raise ConfigurationError("cannot mint a workspace token with these credentials")
        workspace_id = self._credentials.require_workspace()
        self._token = await self._mint(workspace_id)
        self._last_used = time.monotonic()
        self.mint_count += 1
