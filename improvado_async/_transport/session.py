"""Ownership of the aiohttp session: lazily created, bound to one event loop and one process."""

from __future__ import annotations

import asyncio
import collections
import functools
import os
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import ImprovadoError, WrongEventLoopError
from .deadlines import Watchdog

if TYPE_CHECKING:
    import aiohttp

__all__ = ["NetworkOptions", "SessionHolder", "Slots"]

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


class Slots:
    """Permits for attempts on the wire, one per pooled connection, served in arrival order.

    A counter with a plain synchronous fast path (an ``asyncio.Semaphore`` costs a coroutine
    and a scan of its waiters per request); waiting happens only when every slot is taken.
    """

    __slots__ = ("_free", "_waiters")

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    def take(self) -> bool:
        """Take a slot if one is free at once (and nobody is queued before us)."""
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return True
        return False

    async def wait(self) -> None:
        """Wait for a slot (cancellable: a cancelled waiter takes none)."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.give()  # it was handed a slot just as it was cancelled: pass it on
            else:
                self._waiters.remove(waiter)
            raise

    def give(self) -> None:
        """Return a slot: to the first live waiter, else to the pool."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


@attrs.frozen(kw_only=True)
class NetworkOptions:
    """How the client reaches the API: proxy, environment, TLS, per-host limit, or a session.

    ``proxy`` may carry credentials (``http://user:pass@proxy:3128``); they are sent to the
    proxy only and never logged. ``trust_env`` lets aiohttp read ``HTTP_PROXY``,
    ``HTTPS_PROXY``, ``NO_PROXY`` and ``~/.netrc``. ``ssl`` is an ``ssl.SSLContext`` (a custom
    certificate authority, client certificates) or ``False`` to skip verification (warned
    about once). ``session`` is a caller-owned ``aiohttp.ClientSession`` used as it is: the
    other options do not apply to it, and the client never closes it.
    """

    proxy: str | None = attrs.field(default=None, repr=lambda v: "None" if v is None else "'***'")
    trust_env: bool = False
    ssl: Any = None
    limit_per_host: int | None = None
    session: Any = None

    def request_options(self, base_url: str) -> dict[str, Any]:
        """Keyword arguments for each request to ``base_url``: the proxy (aiohttp takes it per
        request), and for a caller's session, statuses left to the SDK."""
        options: dict[str, Any] = {}
        if self.session is not None:
            # A session made with raise_for_status=True would turn every 4xx/5xx into aiohttp's
            # ClientResponseError instead of the SDK's typed status errors.
            options["raise_for_status"] = False
            return options
        if self.proxy is not None:
            options["proxy"] = self.proxy
        elif self.trust_env:
            options.update(_proxy_from_env(base_url))
        return options

    def connector_ssl(self) -> Any:
        """The connector's ``ssl`` argument (aiohttp's default verification when ``None``)."""
        if self.ssl is False:
            _warn_unverified_once()
            return False
        return True if self.ssl is None else self.ssl


def _proxy_from_env(base_url: str) -> dict[str, Any]:
    """The proxy ``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY`` name for ``base_url``, as aiohttp
    reads them (the proxy's credentials may come from ``~/.netrc``), read once per session.

    The SDK reads them itself instead of handing ``trust_env`` to aiohttp, which would also
    add a ``~/.netrc`` entry for the API host as Basic auth and then refuse to combine it with
    the SDK's own ``Authorization``.
    """
    from aiohttp.helpers import get_env_proxy_for_url
    from yarl import URL

    try:
        proxy, proxy_auth = get_env_proxy_for_url(URL(base_url))
    except LookupError:  # NO_PROXY covers it, or no proxy is set for its scheme
        return {}
    if proxy_auth is not None:  # in the URL: aiohttp 3.14 deprecates proxy_auth=
        proxy = proxy.with_user(proxy_auth.login).with_password(proxy_auth.password)
    return {"proxy": proxy}


_warned_unverified = False


def _warn_unverified_once() -> None:
    global _warned_unverified
    if not _warned_unverified:
        _warned_unverified = True
        warnings.warn(
            "ssl=False: TLS certificates are not verified; anyone on the network path can read "
            "and change the traffic, credentials included",
            UserWarning,
            stacklevel=4,
        )


class SessionHolder:
    """Creates the ``aiohttp.ClientSession`` on first use inside the running loop and guards it.

    A session belongs to the loop it was created in; using it from another loop raises
    :class:`WrongEventLoopError`. After a fork the child gets a new session (the parent's sockets
    are not touched).
    """

    def __init__(
        self,
        *,
        max_connections: int = 100,
        network: NetworkOptions | None = None,
        base_url: str = "",
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._max_connections = max_connections
        self._network = network or NetworkOptions()
        self._base_url = base_url
        #: Keyword arguments every request adds (the proxy, ...); set with the session.
        self.request_options: dict[str, Any] = {}
        self._opener: Callable[..., Any] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._generation = _generation
        self._closed = False
        #: Enforces read and total limits for the session's loop; set with the session.
        self.watchdog: Watchdog | None = None
        #: One permit per pooled connection. Attempts wait here rather than in aiohttp's pool,
        #: so the wait is measured (``Timeout.pool``) and known to have sent nothing.
        self.slots: Slots | None = None

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

    def opener(self) -> Callable[..., Any]:
        """The running loop's ``session.request`` with :attr:`request_options` bound.

        Bound once per session: unpacking ``**request_options`` at each call builds and unpacks
        a keyword dict per request (about 5,000 instructions) even when it is empty.
        """
        loop = asyncio.get_running_loop()
        opener = self._opener
        if opener is not None and self._loop is loop and self._generation == _generation:
            return opener
        self._get_slow(loop)
        assert self._opener is not None
        return self._opener

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
        self.slots = Slots(self._pool_size(self._session))
        options = self.request_options = self._network.request_options(self._base_url)
        request = self._session.request
        self._opener = functools.partial(request, **options) if options else request
        return self._session

    async def aclose(self) -> None:
        """Close the session (idempotent)."""
        self._closed = True
        session, self._session, self._opener = self._session, None, None
        if self._generation != _generation:
            return  # inherited across a fork: the parent's to close
        if self.watchdog is not None:
            self._close_watchdog(self.watchdog)
        if session is None or session.closed or session is self._network.session:
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
        if session is self._network.session:
            return  # the caller's to close
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
        self._session = self._opener = None
        self._loop = None
        self.watchdog = None
        self.slots = None
        self._generation = _generation

    def _pool_size(self, session: aiohttp.ClientSession) -> int:
        """Attempts allowed on the wire at once: the client talks to one host, so the smallest
        of its limits. An attempt waits for a slot where the wait is measured and known to
        have sent nothing, never in aiohttp's own queue."""
        size = self._max_connections
        connector = session.connector
        for limit in (getattr(connector, "limit", 0), getattr(connector, "limit_per_host", 0)):
            if isinstance(limit, int) and limit > 0:
                size = min(size, limit)
        return size

    def _new_session(self) -> aiohttp.ClientSession:
        import aiohttp

        network = self._network
        if network.session is not None:
            return self._users_session(network.session)
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=network.limit_per_host or self._max_connections,
            ttl_dns_cache=300,
            ssl=network.connector_ssl(),
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

    def _users_session(self, session: aiohttp.ClientSession) -> aiohttp.ClientSession:
        """The caller's own session: used as it is, never closed by the client."""
        loop = asyncio.get_running_loop()
        owner = getattr(session, "_loop", loop)
        if owner is not loop:
            raise WrongEventLoopError(
                f"the aiohttp session passed as session= belongs to event loop {owner!r} but "
                f"the client was used from {loop!r}; create the session inside the loop that "
                "uses the client"
            )
        if session.closed:
            raise ImprovadoError("the aiohttp session passed as session= is closed")
        return session
