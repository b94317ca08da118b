"""Ownership of the aiohttp session: lazily created, bound to one event loop and one process."""

from __future__ import annotations

import asyncio
import os
import warnings
from typing import TYPE_CHECKING, Any

from ..errors import ImprovadoError, WrongEventLoopError
from .deadlines import Watchdog

if TYPE_CHECKING:
    import aiohttp

__all__ = ["SessionHolder"]

# Sessions inherited across a fork are kept alive here and never cleaned up in the child: their
# cleanup would unregister sockets from the epoll instance the child shares with the parent and
# silently break the parent's connections.
_INHERITED: list[object] = []

# Bumped in a forked child, so a holder notices the fork by comparing two integers instead of
# making a getpid() system call on every request.
_generation = 0


def _after_fork_in_child() -> None:
    global _generation
    _generation += 1


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork either
    os.register_at_fork(after_in_child=_after_fork_in_child)


class SessionHolder:
    """Creates the ``aiohttp.ClientSession`` on first use inside the running loop and guards it.

    A session belongs to the loop it was created in; using it from another loop raises
    :class:`WrongEventLoopError`. After a fork the child gets a new session (the parent's sockets
    are not touched).
    """

    def __init__(self, *, max_connections: int = 100) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._generation = _generation
        self._closed = False
        #: Enforces read and total limits for the session's loop; set with the session.
        self.watchdog: Watchdog | None = None
        #: One permit per pooled connection. Attempts wait here rather than in aiohttp's pool,
        #: so the wait is measured (``Timeout.pool``) and known to have sent nothing.
        self.slots: asyncio.Semaphore | None = None

    @property
    def closed(self) -> bool:
        """True after :meth:`aclose`."""
        return self._closed

    @property
    def is_open(self) -> bool:
        """True while a live session exists (so closing it is still owed)."""
        return self._session is not None and not self._session.closed

    def get(self) -> aiohttp.ClientSession:
        """The session for the running loop, creating it on first use."""
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and self._loop is loop and self._generation == _generation:
            return session  # every request after the first (aclose() clears _session)
        return self._get_slow(loop)

    def _get_slow(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        if self._closed:
            raise ImprovadoError("this client is closed; create a new one")
        if self._generation != _generation:
            self._forget_after_fork()
        session = self._session
        if session is not None and not session.closed:
            raise WrongEventLoopError(
                f"this async client belongs to event loop {self._loop!r} but was used from "
                f"{loop!r}; create one client per event loop (or use improvado_sync.Improvado "
                "from blocking code)"
            )
        if self.watchdog is not None:
            self.watchdog.close()
        self._session = self._new_session()
        self._loop = loop
        self.watchdog = Watchdog(loop)
        self.slots = asyncio.Semaphore(self._max_connections)
        return self._session

    async def aclose(self) -> None:
        """Close the session (idempotent)."""
        self._closed = True
        session, self._session = self._session, None
        if self._generation != _generation:
            return  # inherited across a fork: the parent's to close
        if self.watchdog is not None:
            self._close_watchdog(self.watchdog)
        if session is None or session.closed:
            return
        if self._loop is not None and self._loop is not asyncio.get_running_loop():
            if self._loop.is_closed():
                return
            fut = asyncio.run_coroutine_threadsafe(session.close(), self._loop)
            await asyncio.wrap_future(fut)
            return
        await session.close()

    def warn_if_open(self, owner: Any) -> None:
        """Emit one ResourceWarning for an unclosed session; does no event-loop work."""
        session = self._session
        if session is None or session.closed or self._generation != _generation:
            return
        warnings.warn(
            f"{type(owner).__name__} was not closed; use `async with` or `await client.aclose()`"
            " (sync: `with` or `client.close()`)",
            ResourceWarning,
            stacklevel=3,
        )
        # Silence aiohttp's own duplicate warnings: the user has been told once, above.
        session._connector_owner = False
        connector = session.connector
        if connector is not None:
            connector._closed = True
        session._connector = None

    def _close_watchdog(self, watchdog: Watchdog) -> None:
        # Its timer belongs to the session's loop, which may be another thread's.
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is running:
            watchdog.close()
        else:
            loop.call_soon_threadsafe(watchdog.close)

    def _forget_after_fork(self) -> None:
        if self._session is not None:
            _INHERITED.append(self._session)
        if self.watchdog is not None:
            _INHERITED.append(self.watchdog)  # its timer lives on the parent's loop
        self._session = None
        self._loop = None
        self.watchdog = None
        self.slots = None
        self._generation = _generation

    def _new_session(self) -> aiohttp.ClientSession:
        import aiohttp

        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=self._max_connections,
            ttl_dns_cache=300,
        )
        # No default headers: the pipeline sends User-Agent and Accept in the header dict it
        # caches per credential, which spares aiohttp a multidict merge on every request. No
        # cookie jar: the only cookie the SDK sends is the one the caller configured, and a
        # Set-Cookie from any server is never stored and replayed.
        return aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
