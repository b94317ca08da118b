"""Where workspace tokens are kept: a protocol, and the in-process default.

The default keeps a client's tokens in its own process, as before. A shared cache
(``improvado_async.contrib.redis.RedisTokenCache``) lets every process of a fleet use one token
per workspace: its lock makes the mint single-flight across processes, and ``invalidate`` after a
401 removes the token only if it is still the one that failed, so a fleet re-mints once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

__all__ = ["InMemoryTokenCache", "TokenCache"]


@runtime_checkable
class TokenCache(Protocol):
    """Storage of workspace tokens, keyed by an opaque string the client derives.

    Keys are hashes of the API URL, the username and the workspace; values are the tokens
    themselves (secrets: protect the store, or encrypt them, see docs/scaling.md).
    """

    async def get(self, key: str) -> str | None:
        """The token stored under ``key``, or ``None``."""

    async def set(self, key: str, token: str, ttl: float) -> None:
        """Store ``token`` under ``key`` for ``ttl`` seconds."""

    async def invalidate(self, key: str, token: str) -> None:
        """Remove the token under ``key`` only if it is still ``token`` (the one that failed)."""

    def lock(self, key: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold while minting for ``key``: one mint at a time for every user of the cache."""


class InMemoryTokenCache:
    """Tokens in this process only (the default, shared by a client and its views)."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def __repr__(self) -> str:
        return f"<InMemoryTokenCache {len(self._tokens)} token(s)>"

    async def get(self, key: str) -> str | None:
        """The unexpired token under ``key``."""
        entry = self._tokens.get(key)
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]

    async def set(self, key: str, token: str, ttl: float) -> None:
        """Keep ``token`` for ``ttl`` seconds."""
        self._tokens[key] = (token, time.monotonic() + ttl)

    async def invalidate(self, key: str, token: str) -> None:
        """Forget ``token`` if it is still the stored one."""
        entry = self._tokens.get(key)
        if entry is not None and entry[0] == token:
            del self._tokens[key]

    @contextlib.asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        """An asyncio lock per key."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            yield
