"""Fleet-wide shared state on Redis: tokens, a rate limit and webhook de-duplication.

Needs the ``redis`` extra (redis-py >= 5.0 and its asyncio client); the core never imports this
module. Each class implements one of the SDK's protocols:

- :class:`RedisTokenCache` (``AsyncImprovado(token_cache=...)``): every process of a fleet uses
  one token per workspace. Its lock makes the mint single-flight across processes and
  ``invalidate`` after a 401 removes the token only if it is still the one that failed, so N
  processes cause ONE mint per workspace, and ONE re-mint after the token expires.
- :class:`RedisRateLimiter` (``AsyncImprovado(rate_limiter=...)``): one GCRA limit for the
  whole fleet, taken in leases of several permits per Redis round trip, with a fleet-wide pause
  when the API answers 429 with ``Retry-After``.
- :class:`RedisIdempotencyStore` (``WebhookReceiver(store=...)``): webhook de-duplication across
  receiver replicas behind a load balancer.

What is stored, with ``prefix`` (default ``"improvado:"``) in front of every key:

=====================================  ==========================================================
``<prefix>token:<key>``                the workspace token (or ``encrypt(token)``); expires with
                                       the client's token lifetime (``PX``)
``<prefix>token-lock:<key>``           a random lock id while one process mints; ``PX`` =
                                       ``lock_timeout``
``<prefix>ratelimit:<limiter key>``    a hash: ``tat`` (GCRA theoretical arrival time) and
                                       ``pause`` (paused until), microseconds of Redis ``TIME``;
                                       expires once the bucket is full again
``<prefix>webhook:<receiver key>``     ``in_progress`` (``PX`` = the receiver's claim lease) or
                                       ``done`` (``PX`` = ``ttl``)
=====================================  ==========================================================

``<key>`` of a token is the client's SHA-256 of the API URL, the username and the workspace id;
receiver keys are ``event:<id>`` and ``idempotency:<header value>``.

When Redis fails (refused, timed out, restarting), ``on_store_error="local"`` (the default) falls
back to per-process state (``InMemoryTokenCache``, ``LocalRateLimiter``,
``InMemoryIdempotencyStore``) and logs ONE warning per outage on the ``improvado.redis`` logger;
Redis is tried again every ``retry_interval`` seconds, and an INFO record says when it answers
again. A Redis restart never fails a call in this mode. ``on_store_error="raise"`` raises
:class:`StoreError` instead, with the redis-py exception chained.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import random
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal, TypeVar

try:
    import redis as _redis_sync
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import RedisError
except ImportError as exc:  # pragma: no cover - exercised by a test that hides the package
    raise ImportError(
        "improvado_async.contrib.redis needs redis-py, the 'redis' extra: pip install 'redis>=5.0'"
    ) from exc

from .._secret import Secret
from .._transport.ratelimit import LocalRateLimiter, _check_rate
from .._transport.token_cache import InMemoryTokenCache
from ..errors import APITimeoutError, ConfigurationError, StoreError
from ..webhooks import ClaimResult, InMemoryIdempotencyStore

__all__ = ["RedisIdempotencyStore", "RedisRateLimiter", "RedisTokenCache", "StoreError"]

logger = logging.getLogger("improvado.redis")

T = TypeVar("T")

#: What each store does when Redis fails: fall back to per-process state, or raise StoreError.
OnStoreError = Literal["local", "raise"]

#: Failures of the store itself; anything else (a bug, a closed loop) propagates unchanged.
_STORE_ERRORS = (RedisError, OSError, asyncio.TimeoutError)

# Clients built from a URL fail fast: one quick reconnect (a restarted Redis), then the fallback,
# rather than redis-py's default of ten retries backing off to a second each.
_URL_CLIENT_OPTIONS: dict[str, Any] = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0}
_JITTER = 0.1  # fraction of a pause added at random per process, at most one second
_LOCK_POLL_FIRST, _LOCK_POLL_MAX = 0.005, 0.05

_CREDENTIALS_IN_URL = re.compile(r"(\w+://)[^@/\s]*@")

# Deletes KEYS[1] only while it still holds ARGV[1]: a token that failed, or our own lock id.
_COMPARE_AND_DELETE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# GCRA on Redis TIME. KEYS[1]: the limiter's hash. ARGV: interval (us per permit), burst,
# wanted permits, horizon (us). Returns {granted, wait_us, paused}: `granted` permits, all valid
# `wait_us` from now (none granted: the next one is valid in `wait_us`, or the fleet is paused
# that long when `paused` is 1). The n-th permit after `spent = tat - burst*interval` is valid at
# `spent + n*interval`, so however permits are leased the fleet never exceeds rate x t + burst.
# A lease takes the permits valid within `horizon` (up to `wanted`): one round trip serves many
# calls even when the fleet is throttled, and a pause stops every lease within a horizon.
_TAKE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local horizon = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tat', 'pause')
local pause = tonumber(state[2]) or 0
if pause > now then
  return {0, math.ceil(pause - now), 1}
end
local tat = math.max(tonumber(state[1]) or now, now)
local spent = tat - burst * interval
local fits = math.floor((now + horizon - spent) / interval)
if fits < 1 then
  return {0, math.ceil(spent + interval - now), 0}
end
local granted = math.min(wanted, fits)
local wait = math.max(0, spent + granted * interval - now)
tat = tat + granted * interval
redis.call('HSET', KEYS[1], 'tat', tat)
redis.call('PEXPIRE', KEYS[1], math.ceil((tat - now) / 1000) + 1000)
return {granted, math.ceil(wait), 0}
"""

# Pauses the limiter until Redis TIME + ARGV[1] us (never shortens a longer pause).
# Returns the pause left, in microseconds.
_PAUSE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tat', 'pause')
local pause = math.max(now + tonumber(ARGV[1]), tonumber(state[2]) or 0)
local tat = tonumber(state[1]) or now
redis.call('HSET', KEYS[1], 'pause', pause)
redis.call('PEXPIRE', KEYS[1], math.ceil((math.max(pause, tat) - now) / 1000) + 1000)
return math.ceil(pause - now)
"""

# Free (or expired) -> in progress for ARGV[1] ms; else the state found: in_progress or done.
_CLAIM = """
local state = redis.call('GET', KEYS[1])
if not state then
  redis.call('SET', KEYS[1], 'in_progress', 'PX', ARGV[1])
  return 'claimed'
end
return state
"""


# -- configuration ----------------------------------------------------------------------------


def _redact(text: str) -> str:
    """``text`` without the credentials of any URL in it."""
    return _CREDENTIALS_IN_URL.sub(r"\1***@", text)


def _client_of(redis_or_url: aioredis.Redis | str) -> tuple[aioredis.Redis, bool]:
    """The asyncio client to use, and whether this store created it (and so closes it)."""
    if isinstance(redis_or_url, str):
        try:
            client = aioredis.Redis.from_url(
                redis_or_url,
                retry=Retry(ExponentialBackoff(cap=0.05, base=0.01), 1),
                **_URL_CLIENT_OPTIONS,
            )
        except ValueError as exc:
            raise ConfigurationError(
                f"redis_or_url: not a Redis URL ({_redact(str(exc))}); expected "
                "redis://[[user]:password@]host[:port][/db], rediss://... or unix://..."
            ) from None
        return client, True
    if isinstance(redis_or_url, aioredis.Redis):
        return redis_or_url, False
    if isinstance(redis_or_url, _redis_sync.Redis):
        raise ConfigurationError(
            "redis_or_url: give a redis.asyncio.Redis client (or a URL), not the blocking "
            "redis.Redis, which would stall the event loop"
        )
    raise ConfigurationError(
        "redis_or_url must be a redis.asyncio.Redis client or a redis:// URL, "
        f"got {type(redis_or_url).__name__}"
    )


def _check_mode(on_store_error: str) -> OnStoreError:
    if on_store_error == "local":
        return "local"
    if on_store_error == "raise":
        return "raise"
    raise ConfigurationError(f"on_store_error must be 'local' or 'raise', got {on_store_error!r}")


def _check_seconds(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigurationError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


def _check_name(value: str, name: str) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a string, got {type(value).__name__}")
    return value


def _where(client: aioredis.Redis) -> str:
    """``host:port/db`` (or the socket path) of a client, never its password."""
    kwargs = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix:{kwargs['path']}"
    return f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"


def _as_bytes(value: bytes | str) -> bytes:
    """A reply as bytes, whether or not the client decodes responses."""
    return value.encode() if isinstance(value, str) else value


# -- the shared failure policy ------------------------------------------------------------------


class _RedisStore:
    """What every store shares: the client, the key prefix and the failure policy."""

    def __init__(
        self,
        redis_or_url: aioredis.Redis | str,
        *,
        prefix: str,
        on_store_error: OnStoreError,
        retry_interval: float,
    ) -> None:
        self._prefix = _check_name(prefix, "prefix")
        self._on_error = _check_mode(on_store_error)
        self._retry_interval = _check_seconds(retry_interval, "retry_interval")
        self._redis, self._owns_client = _client_of(redis_or_url)
        self._local_until = 0.0  # time.monotonic(): until then the per-process state is used
        self._degraded = False  # Redis failed and the warning for this outage was logged

    def __repr__(self) -> str:
        return f"<{type(self).__name__} redis={_where(self._redis)} prefix={self._prefix!r}>"

    @property
    def redis(self) -> aioredis.Redis:
        """The redis-py asyncio client in use."""
        return self._redis

    @property
    def degraded(self) -> bool:
        """Whether Redis failed lately and per-process state stands in for it."""
        return self._degraded

    async def aclose(self) -> None:
        """Close the Redis client if this store created it from a URL."""
        if self._owns_client:
            # aclose() since redis-py 5.0.1; 5.0.0 has only close().
            close = getattr(self._redis, "aclose", None) or self._redis.close
            await close()

    def _use_local(self) -> bool:
        return self._degraded and time.monotonic() < self._local_until

    def _failed(self, operation: str, exc: BaseException) -> None:
        """Raise :class:`StoreError`, or switch to per-process state for ``retry_interval``."""
        store = type(self).__name__
        reason = _redact(f"{type(exc).__name__}: {exc}")
        if self._on_error == "raise":
            raise StoreError(
                f"{store}: Redis {operation} failed ({reason})", store=store, operation=operation
            ) from exc
        self._local_until = time.monotonic() + self._retry_interval
        if not self._degraded:
            self._degraded = True
            logger.warning(
                "%s: Redis %s failed (%s); using per-process state and trying Redis again "
                "every %g s",
                store,
                operation,
                reason,
                self._retry_interval,
                extra={"improvado_store": store, "improvado_store_operation": operation},
            )

    def _succeeded(self) -> None:
        if self._degraded:
            self._degraded = False
            logger.info(
                "%s: Redis answers again; the fleet shares state again", type(self).__name__
            )

    async def _guarded(
        self,
        operation: str,
        shared: Callable[[], Awaitable[T]],
        local: Callable[[], Awaitable[T]],
    ) -> T:
        """``shared()`` on Redis, or ``local()`` when Redis is (or just went) down."""
        if self._use_local():
            return await local()
        try:
            result = await shared()
        except _STORE_ERRORS as exc:
            self._failed(operation, exc)
            return await local()
        self._succeeded()
        return result


# -- tokens -----------------------------------------------------------------------------------


class RedisTokenCache(_RedisStore):
    """Workspace tokens shared by every process: one mint per workspace fleet-wide.

    ``AsyncImprovado(token_cache=RedisTokenCache("redis://redis:6379/0"))`` in every process.
    A token is stored under ``<prefix>token:<key>`` with the client's token lifetime as ``PX``;
    while a process mints, ``<prefix>token-lock:<key>`` holds a random lock id (``SET NX PX
    lock_timeout``, released by a compare-and-delete script). Other processes poll the lock
    every 5-50 ms, then find the new token. A process that dies holding the lock frees it after
    ``lock_timeout``; a waiter that waited that long mints without it (logged as a warning).

    Tokens are secrets: protect the Redis (network, ``requirepass``/ACL, TLS with
    ``rediss://``), or give ``encrypt``/``decrypt`` (bytes to bytes) to store ciphertext, e.g.
    ``f = cryptography.fernet.Fernet(key)``, ``encrypt=f.encrypt, decrypt=f.decrypt`` (the SDK
    does not depend on ``cryptography``). A value that fails to decrypt counts as absent.

    Args:
        redis_or_url: a ``redis.asyncio.Redis`` client, or a URL for one this cache creates
            (2 s socket timeouts, one reconnect attempt) and :meth:`aclose` closes.
        prefix: put in front of every key.
        on_store_error: ``"local"`` (fall back to an in-process cache, one warning per outage)
            or ``"raise"`` (:class:`StoreError`).
        encrypt: applied to the token's UTF-8 bytes before storing; needs ``decrypt``.
        decrypt: the inverse of ``encrypt``.
        lock_timeout: seconds a mint lock lives, and the longest a process waits for it.
        retry_interval: seconds between attempts to use Redis again after it failed.
    """

    def __init__(
        self,
        redis_or_url: aioredis.Redis | str,
        *,
        prefix: str = "improvado:",
        on_store_error: OnStoreError = "local",
        encrypt: Callable[[bytes], bytes] | None = None,
        decrypt: Callable[[bytes], bytes] | None = None,
        lock_timeout: float = 30.0,
        retry_interval: float = 5.0,
    ) -> None:
        if (encrypt is None) != (decrypt is None):
            raise ConfigurationError(
                "encrypt and decrypt go together: give both (e.g. Fernet(key).encrypt and "
                "Fernet(key).decrypt) or neither"
            )
        if encrypt is not None and not (callable(encrypt) and callable(decrypt)):
            raise ConfigurationError("encrypt and decrypt must be callables from bytes to bytes")
        self._lock_timeout = _check_seconds(lock_timeout, "lock_timeout")
        super().__init__(
            redis_or_url,
            prefix=prefix,
            on_store_error=on_store_error,
            retry_interval=retry_interval,
        )
        self._encrypt = encrypt
        self._decrypt = decrypt
        self._local = InMemoryTokenCache()
        self._compare_and_delete = self._redis.register_script(_COMPARE_AND_DELETE)

    def token_key(self, key: str) -> str:
        """The Redis key of the token cached under the client's ``key``."""
        return f"{self._prefix}token:{key}"

    def lock_key(self, key: str) -> str:
        """The Redis key of the mint lock for the client's ``key``."""
        return f"{self._prefix}token-lock:{key}"

    async def get(self, key: str) -> str | None:
        """The stored token (decrypted), or ``None``."""
        return await self._guarded(
            "GET", functools.partial(self._shared_get, key), functools.partial(self._local.get, key)
        )

    async def set(self, key: str, token: str, ttl: float) -> None:
        """Store ``token`` for ``ttl`` seconds (``SET ... PX``)."""
        value = token.encode() if self._encrypt is None else self._encrypt(token.encode())
        milliseconds = max(1, math.ceil(ttl * 1000))
        await self._guarded(
            "SET",
            functools.partial(self._redis.set, self.token_key(key), value, px=milliseconds),
            functools.partial(self._local.set, key, token, ttl),
        )

    async def invalidate(self, key: str, token: str) -> None:
        """Delete the stored token only if it is still ``token`` (the one answered 401)."""
        await self._local.invalidate(key, token)
        await self._guarded(
            "invalidate",
            functools.partial(self._shared_invalidate, key, token),
            _nothing,
        )

    @contextlib.asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        """Hold the fleet-wide mint lock of ``key`` (an in-process lock while Redis is down)."""
        name, owner = self.lock_key(key), secrets.token_hex(16)
        held = await self._take_lock(name, owner)
        if held is None:  # Redis is down: one mint per process at least
            async with self._local.lock(key):
                yield
            return
        try:
            yield
        finally:
            if held:
                await self._release_lock(name, owner)

    async def _shared_get(self, key: str) -> str | None:
        raw = await self._redis.get(self.token_key(key))
        return None if raw is None else self._decoded(_as_bytes(raw), key)

    def _decoded(self, raw: bytes, key: str) -> str | None:
        if self._decrypt is not None:
            try:
                raw = self._decrypt(raw)
            except Exception:  # any cipher's error: the value is unusable, a mint replaces it
                logger.warning(
                    "RedisTokenCache: the token under %s does not decrypt (another key?); "
                    "minting a new one",
                    self.token_key(key),
                )
                return None
        try:
            return Secret(raw.decode())
        except UnicodeDecodeError:
            logger.warning(
                "RedisTokenCache: the value under %s is not a token", self.token_key(key)
            )
            return None

    async def _shared_invalidate(self, key: str, token: str) -> None:
        name = self.token_key(key)
        if self._decrypt is None:
            await self._compare_and_delete(keys=[name], args=[token])
            return
        # Ciphertexts differ for the same token: compare the plaintext here, then delete only
        # the very ciphertext read, so a token stored meanwhile survives.
        raw = await self._redis.get(name)
        if raw is not None and self._decoded(_as_bytes(raw), key) == token:
            await self._compare_and_delete(keys=[name], args=[raw])

    async def _take_lock(self, name: str, owner: str) -> bool | None:
        """True once the Redis lock is ours; False after ``lock_timeout`` without it; None when
        Redis is down (the caller locks in-process)."""
        deadline = time.monotonic() + self._lock_timeout
        milliseconds = max(1, math.ceil(self._lock_timeout * 1000))
        poll = _LOCK_POLL_FIRST
        while True:
            if self._use_local():
                return None
            try:
                taken = await self._redis.set(name, owner, nx=True, px=milliseconds)
            except _STORE_ERRORS as exc:
                self._failed("SET NX (token lock)", exc)
                return None
            self._succeeded()
            if taken:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                logger.warning(
                    "RedisTokenCache: waited %g s for the mint lock %s; minting without it",
                    self._lock_timeout,
                    name,
                )
                return False
            await asyncio.sleep(min(remaining, poll * random.uniform(0.5, 1.0)))
            poll = min(poll * 1.5, _LOCK_POLL_MAX)

    async def _release_lock(self, name: str, owner: str) -> None:
        # Never raised, even with on_store_error="raise": the token is minted by now, and the
        # lock expires after lock_timeout anyway.
        try:
            await self._compare_and_delete(keys=[name], args=[owner])
        except _STORE_ERRORS as exc:
            logger.warning(
                "RedisTokenCache: could not release the mint lock %s (%s); it expires in %g s",
                name,
                _redact(f"{type(exc).__name__}: {exc}"),
                self._lock_timeout,
            )


async def _nothing() -> None:
    return None


# -- rate limit -------------------------------------------------------------------------------


class RedisRateLimiter(_RedisStore):
    """One rate limit for a fleet: GCRA on Redis, ``rate`` permits per second, bursts of
    ``burst``.

    Each Redis round trip (one Lua script, on the Redis server's clock) takes a *lease* of up
    to ``min(burst, ceil(rate * lease))`` permits, sized by this process's recent demand, and
    hands them out locally; permits left unused ``lease`` seconds after they became valid are
    dropped, and the script reserves at most ``lease`` seconds ahead. So the fleet never sends
    more than ``rate * t + burst`` requests in any ``t`` seconds, and an idle process wastes
    nothing.

    :meth:`pause` (called by the client when the API answers 429 with ``Retry-After``) stores a
    "paused until" instant in Redis that every process's next round trip sees; each process
    resumes after it plus a random jitter of up to 10% (at most 1 s). Permits leased before
    the pause still go, for at most ``2 * lease`` after it was stored (the lease and its
    reservation horizon).

    Waits are cancellable and count against the call's deadline: a permit that cannot come
    before it raises :class:`~improvado_async.APITimeoutError` (``request_sent=False``).

    Args:
        redis_or_url: a ``redis.asyncio.Redis`` client, or a URL for one this limiter creates.
        key: names the limit (``<prefix>ratelimit:<key>``); every process sharing the limit
            uses the same key, rate and burst.
        rate: permits per second for the whole fleet.
        burst: permits that may go at once after an idle period.
        prefix: put in front of the Redis key.
        lease: seconds of permits a round trip may take, and how long they stay usable.
        on_store_error: ``"local"`` (fall back to ``LocalRateLimiter(rate, burst)`` in each
            process, so the fleet may send up to N times the rate; one warning per outage) or
            ``"raise"`` (:class:`StoreError`).
        retry_interval: seconds between attempts to use Redis again after it failed.
    """

    def __init__(
        self,
        redis_or_url: aioredis.Redis | str,
        key: str,
        rate: float,
        burst: int,
        *,
        prefix: str = "improvado:",
        lease: float = 0.05,
        on_store_error: OnStoreError = "local",
        retry_interval: float = 5.0,
    ) -> None:
        _check_rate(rate, burst)
        if not isinstance(key, str) or not key:
            raise ConfigurationError(f"key must be a non-empty string, got {key!r}")
        self._lease = _check_seconds(lease, "lease")
        super().__init__(
            redis_or_url,
            prefix=prefix,
            on_store_error=on_store_error,
            retry_interval=retry_interval,
        )
        self.key = key
        self.rate = float(rate)
        self.burst = burst
        self.max_lease = max(1, min(burst, math.ceil(self.rate * self._lease)))
        self._name = f"{self._prefix}ratelimit:{key}"
        self._interval_us = 1e6 / self.rate
        self._horizon_us = self._lease * 1e6
        self._local = LocalRateLimiter(rate, burst)
        self._take = self._redis.register_script(_TAKE)
        self._pause = self._redis.register_script(_PAUSE)
        # The lease in hand: `_permits` usable from `_valid_from` until `_expires` (monotonic).
        self._permits = 0
        self._valid_from = 0.0
        self._expires = 0.0
        self._paused_until = 0.0
        self._retry_at = 0.0  # throttled: when asking Redis again can bring a permit
        self._earliest = 0.0  # throttled: the earliest a permit can become valid
        self._refill: asyncio.Future[None] | None = None  # the round trip every waiter shares
        self._waiting = 0
        self._calls = 0  # acquire() calls since the last round trip: this process's demand
        self._last_refill = 0.0
        self.round_trips = 0

    def __repr__(self) -> str:
        return (
            f"<RedisRateLimiter key={self.key!r} rate={self.rate:g}/s burst={self.burst} "
            f"redis={_where(self._redis)}>"
        )

    @property
    def redis_key(self) -> str:
        """The Redis key holding this limit's state."""
        return self._name

    async def acquire(self, deadline: float | None = None) -> None:
        """Take a permit, waiting for it if needed (see :class:`~improvado_async.RateLimiter`)."""
        self._calls += 1
        now = time.monotonic()
        if self._permits and self._valid_from <= now < self._expires and now >= self._paused_until:
            self._permits -= 1
            return
        self._waiting += 1
        try:
            await self._acquire_slowly(deadline)
        finally:
            self._waiting -= 1

    async def pause(self, seconds: float) -> None:
        """Stop every process sharing this limit from sending for ``seconds`` (plus jitter)."""
        if not seconds > 0:
            return
        self._paused_until = max(self._paused_until, time.monotonic() + seconds + _jitter(seconds))
        self._permits = 0  # what this process holds must not go during the pause
        await self._guarded(
            "pause",
            functools.partial(self._pause, keys=[self._name], args=[math.ceil(seconds * 1e6)]),
            functools.partial(self._local.pause, seconds),
        )

    async def _acquire_slowly(self, deadline: float | None) -> None:
        while True:
            now = time.monotonic()
            if self._paused_until > now:
                await _sleep_until(self._paused_until, now, deadline)
            elif self._permits and now < self._expires:
                if now >= self._valid_from:
                    self._permits -= 1
                    return
                await _sleep_until(self._valid_from, now, deadline)
            elif self._use_local():
                await self._local.acquire(deadline)
                return
            elif self._retry_at > now:
                if deadline is not None and self._earliest > deadline:
                    raise _no_permit(self._earliest - now)
                await _sleep_until(self._retry_at, now, deadline)
            else:
                await self._shared_refill(deadline)

    async def _shared_refill(self, deadline: float | None) -> None:
        """Wait for the round trip in flight, or start one (bounded by ``deadline``)."""
        refill = self._refill
        # A finished round trip whose callback has not run yet is spent: awaiting it again
        # would return at once, without yielding, and spin this loop forever.
        if refill is None or refill.done():
            refill = self._refill = asyncio.ensure_future(self._round_trip())
            refill.add_done_callback(self._refill_done)
        # Shielded: a cancelled waiter must not cancel the round trip the others wait for.
        if deadline is None:
            await asyncio.shield(refill)
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _no_permit(0.0)
        try:
            await asyncio.wait_for(asyncio.shield(refill), remaining)
        except asyncio.TimeoutError:
            raise _no_permit(remaining) from None

    def _refill_done(self, refill: asyncio.Future[None]) -> None:
        if self._refill is refill:
            self._refill = None
        if not refill.cancelled():
            refill.exception()  # retrieved: waiters that gave up must not leave it unlogged

    def _lease_size(self, now: float) -> int:
        """Permits to ask for: the callers waiting, or the calls expected in one lease window
        at the pace seen since the last round trip (a sparse caller wastes nothing)."""
        elapsed = now - self._last_refill
        demand = self._calls * self._lease / elapsed if elapsed > 0 else self._calls
        return max(1, min(self.max_lease, max(self._waiting, math.ceil(demand))))

    async def _round_trip(self) -> None:
        """One script call: a lease, a throttle wait, or the fleet's pause."""
        sent = time.monotonic()
        wanted = self._lease_size(sent)
        self._calls, self._last_refill = 0, sent
        self.round_trips += 1
        try:
            reply = await self._take(
                keys=[self._name], args=[self._interval_us, self.burst, wanted, self._horizon_us]
            )
        except _STORE_ERRORS as exc:
            self._failed("rate-limit script", exc)
            return
        self._succeeded()
        granted, wait = int(reply[0]), int(reply[1]) / 1e6
        received = time.monotonic()
        if granted:
            # Usable from when the answer arrived (never early: the fleet's rate holds) until a
            # lease after the question was sent (so a pause stored after this round trip began
            # stops these permits within lease + horizon), and at least a fifth of a lease after
            # the answer arrived, so that a stalled event loop still makes progress.
            self._permits = granted
            self._valid_from = received + wait
            self._expires = max(sent + self._lease, received + self._lease / 5) + wait
        elif int(reply[2]):
            self._paused_until = max(self._paused_until, received + wait + _jitter(wait))
        else:
            # Come back when the whole lease would fit within the horizon, not as soon as one
            # permit does: processes asking together for one permit each would make the fleet
            # pay a round trip per permit.
            self._earliest = received + wait
            batch = (wanted - 1) * self._interval_us / 1e6
            self._retry_at = received + max(0.0, wait + batch - self._lease)


def _jitter(seconds: float) -> float:
    return random.uniform(0.0, min(1.0, seconds * _JITTER))


def _no_permit(wait: float) -> APITimeoutError:
    return APITimeoutError(
        f"no rate-limit permit before the call's deadline (in {wait:.3f}s)", request_sent=False
    )


async def _sleep_until(when: float, now: float, deadline: float | None) -> None:
    if deadline is not None and when > deadline:
        raise _no_permit(when - now)
    await asyncio.sleep(when - now)


# -- webhook de-duplication -------------------------------------------------------------------


class RedisIdempotencyStore(_RedisStore):
    """The :class:`~improvado_async.webhooks.IdempotencyStore` of receivers behind a load
    balancer: each delivery is handled once across every replica.

    ``claim`` is one Lua script: a free (or expired) key becomes ``in_progress`` with the
    receiver's lease as ``PX``; otherwise it answers ``in_progress`` or ``done``. ``complete``
    stores ``done`` for ``ttl`` seconds; ``release`` deletes the key. Keys are
    ``<prefix>webhook:<receiver key>``.

    While Redis is down with ``on_store_error="local"``, each replica de-duplicates on its own
    (a delivery retried on another replica may be handled twice); with ``"raise"`` the
    receiver answers 503 and Improvado retries the delivery later.

    Args:
        redis_or_url: a ``redis.asyncio.Redis`` client, or a URL for one this store creates.
        prefix: put in front of every key.
        ttl: seconds a handled delivery is remembered.
        on_store_error: ``"local"`` (an in-process store, one warning per outage) or
            ``"raise"`` (:class:`StoreError`).
        retry_interval: seconds between attempts to use Redis again after it failed.
    """

    def __init__(
        self,
        redis_or_url: aioredis.Redis | str,
        *,
        prefix: str = "improvado:",
        ttl: float = 24 * 3600.0,
        on_store_error: OnStoreError = "local",
        retry_interval: float = 5.0,
    ) -> None:
        self._ttl = _check_seconds(ttl, "ttl")
        super().__init__(
            redis_or_url,
            prefix=prefix,
            on_store_error=on_store_error,
            retry_interval=retry_interval,
        )
        self._local = InMemoryIdempotencyStore(ttl=self._ttl)
        self._claim = self._redis.register_script(_CLAIM)

    def redis_key(self, key: str) -> str:
        """The Redis key of the receiver's ``key``."""
        return f"{self._prefix}webhook:{key}"

    async def claim(self, key: str, lease: float) -> ClaimResult:
        """Take ``key`` for ``lease`` seconds if it is free; else say whether it is in progress
        or done."""
        return await self._guarded(
            "claim",
            functools.partial(self._shared_claim, key, lease),
            functools.partial(self._local.claim, key, lease),
        )

    async def complete(self, key: str) -> None:
        """Mark ``key`` done for ``ttl`` seconds."""
        await self._guarded(
            "complete",
            functools.partial(
                self._redis.set, self.redis_key(key), "done", px=math.ceil(self._ttl * 1000)
            ),
            functools.partial(self._local.complete, key),
        )

    async def release(self, key: str) -> None:
        """Forget ``key`` (its processing failed), so a retry can claim it."""
        await self._guarded(
            "release",
            functools.partial(self._redis.delete, self.redis_key(key)),
            functools.partial(self._local.release, key),
        )

    async def _shared_claim(self, key: str, lease: float) -> ClaimResult:
        milliseconds = max(1, math.ceil(lease * 1000))
        state = await self._claim(keys=[self.redis_key(key)], args=[milliseconds])
        return ClaimResult(_as_bytes(state).decode())
