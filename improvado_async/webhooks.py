"""Receiving Improvado webhooks: signatures, verification challenges, events, and a receiver.

Pure functions (:func:`sign`, :func:`verify`, :func:`parse_event`, :func:`challenge_response`)
work in any framework and in sync code; :class:`WebhookReceiver` is a ready aiohttp application.

Signature assumptions: the API documents HMAC-SHA256 keyed with the endpoint's secret in
``X-Improvado-Signature`` but not the encoding. This SDK signs the raw request body and accepts
lowercase (or uppercase) hex with or without a ``sha256=`` prefix. The choice lives in one
function, :func:`_normalise_signature`, so a documented change touches one place.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from .errors import ImprovadoError, ValidationError
from .models._converter import parse_datetime
from .models.webhooks import WebhookEventType

if TYPE_CHECKING:
    from aiohttp import web

__all__ = [
    "CHALLENGE_HEADER",
    "IDEMPOTENCY_HEADER",
    "SIGNATURE_HEADER",
    "VERIFY_TOKEN_HEADER",
    "ClaimResult",
    "IdempotencyStore",
    "InMemoryIdempotencyStore",
    "WebhookEvent",
    "WebhookReceiver",
    "WebhookVerificationError",
    "challenge_response",
    "parse_event",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "X-Improvado-Signature"
IDEMPOTENCY_HEADER = "X-Improvado-Idempotency-Key"
VERIFY_TOKEN_HEADER = "X-Improvado-Verify-Token"
CHALLENGE_HEADER = "X-Improvado-Challenge"

#: Bodies larger than this skip the re-serialisation diagnosis of :func:`verify`: parsing and
#: re-dumping JSON costs far more than an HMAC, and a forged request must stay cheap to refuse.
#: Real events are about 1 KB.
_DIAGNOSE_MAX_BYTES = 16 * 1024

#: The JSON forms common frameworks re-serialise to (the diagnosis tries each).
_REDUMP_FORMS: tuple[dict[str, Any], ...] = (
    {},
    {"separators": (",", ":")},
    {"sort_keys": True},
    {"separators": (",", ":"), "sort_keys": True},
    {"ensure_ascii": False},
)

logger = logging.getLogger("improvado.webhooks")

Secrets = str | bytes | Sequence[str | bytes]


class WebhookVerificationError(ImprovadoError):
    """A delivery or challenge failed verification.

    ``reason`` is a short machine-readable code (``missing_signature``, ``bad_signature``,
    ``reserialized_body``, ``malformed_json``, ``invalid_event``, ``stale_event``,
    ``missing_timestamp``, ``missing_challenge``, ``bad_verify_token``, ``no_secrets``,
    ``body_not_bytes``); the message explains the likely cause. Neither ever contains a secret.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class _TokenPolicy(enum.Enum):
    """The default of ``verify_token``: the token must equal one of the secrets."""

    MATCH_SECRETS = "match_secrets"


_MATCH_SECRETS = _TokenPolicy.MATCH_SECRETS

VerifyToken = str | None | _TokenPolicy


def _as_bytes(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def _secret_list(secrets: Secrets) -> list[bytes]:
    items = [secrets] if isinstance(secrets, (str, bytes)) else list(secrets)
    keys = [_as_bytes(s) for s in items if s]
    if not keys:
        raise WebhookVerificationError("no_secrets", "no webhook secret was configured")
    return keys


def _normalise_signature(signature: str) -> str:
    """The one place that knows the signature encoding: hex, optional ``sha256=`` prefix."""
    value = signature.strip()
    if value[:7].lower() == "sha256=":
        value = value[7:]
    return value.lower()


def sign(secret: str | bytes, body: bytes) -> str:
    """The signature Improvado sends for ``body``: lowercase hex HMAC-SHA256 of the raw bytes."""
    return hmac.new(_as_bytes(secret), body, hashlib.sha256).hexdigest()


def _matches(body: bytes, signature: str, keys: Iterable[bytes]) -> bool:
    wanted = _normalise_signature(signature).encode()
    # Compare against every secret (no early exit) so timing reveals nothing about which matched.
    results = [hmac.compare_digest(sign(key, body).encode(), wanted) for key in keys]
    return any(results)


def verify(body: bytes, signature: str | None, secrets: Secrets) -> None:
    """Check ``signature`` for the raw ``body`` against one or several secrets (rotation).

    Raises:
        WebhookVerificationError: the signature is missing or matches none of the secrets; for
            bodies up to 16 KiB the message says whether the body looks re-serialized rather
            than raw.
    """
    _check_signature(body, signature, secrets, diagnose=True)


def _check_signature(
    body: bytes, signature: str | None, secrets: Secrets, *, diagnose: bool
) -> bytes:
    """The verified body as ``bytes``; ``diagnose`` tries the (bounded) re-serialisation check."""
    if not isinstance(body, (bytes, bytearray)):
        raise WebhookVerificationError(
            "body_not_bytes",
            "pass the raw request body as bytes, exactly as received (not a str or parsed JSON)",
        )
    if not signature:
        raise WebhookVerificationError(
            "missing_signature", f"the {SIGNATURE_HEADER} header is missing or empty"
        )
    raw = bytes(body)
    keys = _secret_list(secrets)
    if _matches(raw, signature, keys):
        return raw
    if diagnose and _looks_reserialized(raw, signature, keys):
        raise WebhookVerificationError(
            "reserialized_body",
            "the signature matches a re-serialized form of this JSON, not these bytes: verify "
            "the raw request body as received, before any JSON parsing",
        )
    raise WebhookVerificationError(
        "bad_signature",
        f"the signature matches none of the {len(keys)} configured secret(s): wrong secret, a "
        "rotated secret (regenerate_secret invalidates the old one), or a tampered body",
    )


def _looks_reserialized(body: bytes, signature: str, keys: Sequence[bytes]) -> bool:
    """Whether a common re-serialisation of ``body`` carries ``signature`` (small bodies only)."""
    if len(body) > _DIAGNOSE_MAX_BYTES:
        return False
    try:
        parsed = json.loads(body)
        variants = {json.dumps(parsed, **form).encode() for form in _REDUMP_FORMS}
    except (ValueError, RecursionError):
        # Not JSON, nested past the interpreter's limit (the C codec raises RecursionError
        # cleanly), or a lone surrogate that cannot be encoded: not a re-serialisation.
        return False
    variants.discard(body)
    return any(_matches(v, signature, keys) for v in variants)


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """One verified delivery: ``{id, type, timestamp, data}`` plus the idempotency key.

    ``type`` is a :class:`WebhookEventType` member when known, else the raw string; ``data``
    values are strings in every documented example; ``timestamp`` is parsed from the API's
    ``"YYYY-MM-DD HH:MM:SS.ffffff"`` (no zone given: taken as UTC). ``idempotency_key`` is the
    (unsigned) ``X-Improvado-Idempotency-Key`` header, or ``id`` when the header is absent.
    """

    id: str
    type: str
    timestamp: dt.datetime | None
    data: Mapping[str, Any]
    idempotency_key: str
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)


def parse_event(
    body: bytes, headers: Mapping[str, str], secrets: Secrets, *, max_age: float | None = None
) -> WebhookEvent:
    """Verify and decode a delivery.

    Args:
        body: the raw request body bytes.
        headers: the request headers (any mapping; names are case-insensitive).
        secrets: the endpoint's secret, or several during a rotation.
        max_age: if given, refuse events whose signed ``timestamp`` is older than this many
            seconds (replay protection; deliveries can lag ~15 minutes, so allow for that).

    Raises:
        WebhookVerificationError: for any problem (signature, JSON, event shape, age); nothing
            else.
    """
    lowered = _lower_keys(headers)
    raw = _check_signature(body, lowered.get(SIGNATURE_HEADER.lower()), secrets, diagnose=True)
    event = _decode_event(raw, lowered.get(IDEMPOTENCY_HEADER.lower()))
    if max_age is not None:
        _check_age(event, max_age, dt.datetime.now(dt.timezone.utc))
    return event


def _decode_event(body: bytes, idempotency_key: str | None) -> WebhookEvent:
    """Decode a body whose signature was verified; any failure is a typed error."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise WebhookVerificationError(
            "malformed_json", "the body is signed correctly but its JSON is nested too deeply"
        ) from None
    except ValueError:  # includes UnicodeDecodeError
        raise WebhookVerificationError(
            "malformed_json", "the body is signed correctly but is not valid JSON"
        ) from None
    return _event_from(payload, idempotency_key)


def _event_from(payload: Any, idempotency_key: str | None) -> WebhookEvent:
    if not isinstance(payload, dict):
        raise WebhookVerificationError("invalid_event", "the event is not a JSON object")
    event_id, event_type = payload.get("id"), payload.get("type")
    if not isinstance(event_id, (str, int)) or isinstance(event_id, bool) or event_id == "":
        raise WebhookVerificationError("invalid_event", "the event has no 'id'")
    if not isinstance(event_type, str) or not event_type:
        raise WebhookVerificationError("invalid_event", "the event has no 'type'")
    data = payload.get("data")
    if data is not None and not isinstance(data, dict):
        raise WebhookVerificationError("invalid_event", "the event's 'data' is not an object")
    return WebhookEvent(
        id=str(event_id),
        type=WebhookEventType.coerce(event_type),
        timestamp=_timestamp(payload.get("timestamp")),
        data=data or {},
        idempotency_key=idempotency_key or str(event_id),
        raw=payload,
    )


def _timestamp(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except (ValueError, TypeError):
        raise WebhookVerificationError(
            "invalid_event", "the event's 'timestamp' is not a date-time"
        ) from None


def _check_age(event: WebhookEvent, max_age: float, now: dt.datetime) -> None:
    """Refuse an event older than ``max_age`` seconds by its signed timestamp."""
    if event.timestamp is None:
        raise WebhookVerificationError(
            "missing_timestamp",
            "max_age is set but the event carries no 'timestamp', so its age is unknown",
        )
    age = (now - event.timestamp).total_seconds()
    if age > max_age:
        raise WebhookVerificationError(
            "stale_event",
            f"the event's timestamp is {age:.0f} s old, over max_age={max_age:g} s: a replay "
            "of an old delivery, or a clock far off",
        )


def _check_max_age(max_age: float | None) -> float | None:
    if max_age is None:
        return None
    if isinstance(max_age, bool) or not isinstance(max_age, (int, float)):
        raise ValidationError("max_age", f"must be a number of seconds or None, got {max_age!r}")
    if not max_age > 0:  # also refuses NaN
        raise ValidationError("max_age", f"must be positive, got {max_age!r}")
    return float(max_age)


def _check_verify_token(verify_token: VerifyToken) -> VerifyToken:
    if verify_token is None or verify_token is _MATCH_SECRETS:
        return verify_token
    if not isinstance(verify_token, str) or not verify_token:
        raise ValidationError(
            "verify_token", "must be a non-empty string, None (accept any), or left out"
        )
    return verify_token


def challenge_response(
    headers: Mapping[str, str], secrets: Secrets, *, verify_token: VerifyToken = _MATCH_SECRETS
) -> str:
    """The body to answer a verification GET with (the challenge), after checking its token.

    Args:
        headers: the request headers (any mapping; names are case-insensitive).
        secrets: the endpoint's secret(s).
        verify_token: what ``X-Improvado-Verify-Token`` must be. Left out: equal to one of
            ``secrets`` (Improvado sends the endpoint's signing secret). A string: equal to that
            string. ``None``: anything, the challenge is echoed without a check.

    Raises:
        WebhookVerificationError: the challenge or token header is missing, or the token is wrong.
        ValidationError: ``verify_token`` is an empty string or not a string.
    """
    policy = _check_verify_token(verify_token)
    lowered = _lower_keys(headers)
    challenge = lowered.get(CHALLENGE_HEADER.lower())
    if not challenge:
        raise WebhookVerificationError(
            "missing_challenge", f"the {CHALLENGE_HEADER} header is missing"
        )
    if policy is None:
        return challenge
    token = lowered.get(VERIFY_TOKEN_HEADER.lower(), "").encode()
    if not token:
        raise WebhookVerificationError(
            "bad_verify_token", f"the {VERIFY_TOKEN_HEADER} header is missing"
        )
    if isinstance(policy, str):
        expected, what = [policy.encode()], "the configured verify_token"
    else:
        expected, what = _secret_list(secrets), "none of the configured secrets"
    # Compare with every candidate (no early exit) so timing reveals nothing.
    results = [hmac.compare_digest(token, key) for key in expected]
    if not any(results):
        raise WebhookVerificationError(
            "bad_verify_token", f"the {VERIFY_TOKEN_HEADER} matches {what}"
        )
    return challenge


class ClaimResult(str, enum.Enum):
    """What :meth:`IdempotencyStore.claim` found: the caller now owns the key, or it is taken."""

    #: The key was free (never seen, released, or expired): the caller processes the delivery.
    CLAIMED = "claimed"
    #: Another attempt holds an unexpired lease on the key and has not finished.
    IN_PROGRESS = "in_progress"
    #: An attempt completed the key within the store's retention window.
    DONE = "done"


class IdempotencyStore(Protocol):
    """Remembers which deliveries are being, or have been, handled, so each is handled once.

    A key moves through three states: free, *in progress* (claimed, with a lease) and *done*
    (completed, kept for the store's retention window). Each method must be atomic for its key
    across every receiver sharing the store (a Redis implementation does each step in one
    command or Lua script):

    - ``claim(key, lease)``: if the key is free, or its lease or retention has expired, mark it
      in progress for ``lease`` seconds and return ``CLAIMED``; otherwise return
      ``IN_PROGRESS`` or ``DONE``. The lease frees the key if the process holding it dies.
    - ``complete(key)``: mark the key done, kept for the retention window (whatever its state).
    - ``release(key)``: forget the key (the attempt failed), so the next claim gets ``CLAIMED``.

    Keys are short strings the receiver builds (``event:<id>``, ``idempotency:<key>``). The
    receiver also accepts the plain strings ``"claimed"``, ``"in_progress"`` and ``"done"`` from
    ``claim``. An exception from the store makes the receiver answer 503, so Improvado retries.
    """

    async def claim(self, key: str, lease: float) -> ClaimResult:
        """Take ``key`` for ``lease`` seconds if it is free; else say whether it is in progress
        or done."""

    async def complete(self, key: str) -> None:
        """Mark ``key`` done; claims within the retention window then return ``DONE``."""

    async def release(self, key: str) -> None:
        """Forget ``key`` (its processing failed), so a retry can claim it."""


@attrs.frozen
class _Entry:
    done: bool
    expires: float


class InMemoryIdempotencyStore:
    """A process-local :class:`IdempotencyStore`: done keys are kept ``ttl`` seconds.

    At most ``max_keys`` keys are kept; beyond that the oldest are forgotten first. ``clock``
    (seconds, monotonic) exists for tests. Not shared between processes or replicas: use a
    shared store there.
    """

    def __init__(
        self,
        ttl: float = 24 * 3600.0,
        max_keys: int = 100_000,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (isinstance(ttl, (int, float)) and ttl > 0):
            raise ValidationError("ttl", f"must be a positive number of seconds, got {ttl!r}")
        if not (isinstance(max_keys, int) and max_keys >= 1):
            raise ValidationError("max_keys", f"must be an integer >= 1, got {max_keys!r}")
        self._ttl = float(ttl)
        self._max = max_keys
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def claim(self, key: str, lease: float) -> ClaimResult:
        """Take ``key`` for ``lease`` seconds unless it is in progress or done (and unexpired)."""
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry.expires > now:
            return ClaimResult.DONE if entry.done else ClaimResult.IN_PROGRESS
        self._put(key, _Entry(done=False, expires=now + lease), now)
        return ClaimResult.CLAIMED

    async def complete(self, key: str) -> None:
        """Mark ``key`` done for ``ttl`` seconds."""
        now = self._clock()
        self._put(key, _Entry(done=True, expires=now + self._ttl), now)

    async def release(self, key: str) -> None:
        """Forget ``key``."""
        self._entries.pop(key, None)

    def _put(self, key: str, entry: _Entry, now: float) -> None:
        # Re-inserting moves the key to the end, so the front holds the oldest entries.
        self._entries.pop(key, None)
        self._evict(now)
        self._entries[key] = entry

    def _evict(self, now: float) -> None:
        """Drop expired entries at the front, then the oldest until one more fits."""
        while self._entries:
            oldest, entry = next(iter(self._entries.items()))
            if entry.expires > now and len(self._entries) < self._max:
                return
            del self._entries[oldest]


Handler = Callable[[WebhookEvent], Awaitable[None]]

#: HTTP status for each rejection reason of a delivery; any other reason is 401.
_REJECTION_STATUS = {
    "malformed_json": 400,
    "invalid_event": 400,
    "stale_event": 400,
    "missing_timestamp": 400,
}

#: Seconds a sender is asked to wait before retrying a delivery that is still being handled.
_RETRY_AFTER = 2


def _dedup_keys(event: WebhookEvent) -> list[str]:
    """Store keys for ``event``: the signed event id first, then the unsigned header key.

    The signed id comes first so a replay of a handled body with a new header key is answered
    ``duplicate`` before its key is ever stored.
    """
    keys = [f"event:{event.id}"]
    if event.idempotency_key != event.id:
        keys.append(f"idempotency:{event.idempotency_key}")
    return keys


def _secret_tuple(secrets: Secrets) -> tuple[str | bytes, ...]:
    items = (secrets,) if isinstance(secrets, (str, bytes)) else tuple(secrets)
    if not items:
        raise ValidationError("secrets", "give at least one webhook secret")
    for item in items:
        if not isinstance(item, (str, bytes)) or not item:
            raise ValidationError("secrets", "every secret must be a non-empty str or bytes")
    return items


class WebhookReceiver:
    """An aiohttp application that receives Improvado webhooks.

    It answers the verification GET (see ``verify_token``), verifies each POST's signature
    before parsing anything, rejects bodies over ``max_body_size`` (413) and, with ``max_age``,
    events whose signed timestamp is older than that many seconds (400 ``stale_event``). It
    de-duplicates on the signed event id and on the idempotency key, then dispatches to the
    handlers registered with :meth:`on`:

    - a handler error is logged and answered 500, and the claim released, so a retry runs it;
    - a duplicate of a handled event is answered 200 ``duplicate`` and not dispatched;
    - a duplicate arriving while the first attempt still runs is answered 503 with
      ``Retry-After`` until that attempt has finished, so the event is not lost if it fails.

    ``claim_lease`` bounds how long a claim blocks retries if its process dies mid-handler.
    Rotate secrets at runtime with :meth:`set_secrets`. Mount :attr:`app` as a sub-application
    or serve it directly.
    """

    def __init__(
        self,
        secrets: Secrets,
        *,
        path: str = "/",
        max_body_size: int = 1024 * 1024,
        store: IdempotencyStore | None = None,
        max_age: float | None = None,
        verify_token: VerifyToken = _MATCH_SECRETS,
        claim_lease: float = 60.0,
    ) -> None:
        if not (isinstance(max_body_size, int) and max_body_size > 0):
            raise ValidationError("max_body_size", f"must be a positive int, got {max_body_size!r}")
        if not (isinstance(claim_lease, (int, float)) and claim_lease > 0):
            raise ValidationError("claim_lease", f"must be positive seconds, got {claim_lease!r}")
        self._secrets = _secret_tuple(secrets)
        self.path = path
        self.max_body_size = max_body_size
        self.store: IdempotencyStore = store or InMemoryIdempotencyStore()
        self.max_age = _check_max_age(max_age)
        self.verify_token = _check_verify_token(verify_token)
        self.claim_lease = float(claim_lease)
        self._handlers: dict[str, list[Handler]] = {}
        self._app: web.Application | None = None

    def __repr__(self) -> str:
        return f"<WebhookReceiver path={self.path!r} handlers={sorted(self._handlers)}>"

    @property
    def secrets(self) -> tuple[str | bytes, ...]:
        """The secrets deliveries are verified against (assigning calls :meth:`set_secrets`)."""
        return self._secrets

    @secrets.setter
    def secrets(self, secrets: Secrets) -> None:
        self.set_secrets(secrets)

    def set_secrets(self, secrets: Secrets) -> None:
        """Replace the accepted secrets at runtime, e.g. ``[new, old]`` during a rotation.

        Requests that arrive afterwards use the new list; one already being verified finishes
        with the old one.

        Raises:
            ValidationError: no secret, or an empty one.
        """
        self._secrets = _secret_tuple(secrets)

    def on(self, event_type: str) -> Callable[[Handler], Handler]:
        """Register an async handler for ``event_type`` (``"*"`` for every type)."""

        def register(handler: Handler) -> Handler:
            self._handlers.setdefault(str(event_type), []).append(handler)
            return handler

        return register

    @property
    def app(self) -> web.Application:
        """The aiohttp application (built once)."""
        if self._app is None:
            from aiohttp import web

            app = web.Application(client_max_size=self.max_body_size)
            app.router.add_get(self.path, self._handle_challenge)
            app.router.add_post(self.path, self._handle_delivery)
            self._app = app
        return self._app

    async def _handle_challenge(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        try:
            challenge = challenge_response(
                request.headers, self._secrets, verify_token=self.verify_token
            )
        except WebhookVerificationError as exc:
            return web.json_response({"error": exc.reason, "details": str(exc)}, status=403)
        return web.Response(text=challenge, content_type="text/plain")

    async def _handle_delivery(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        body = await self._read_limited(request)
        if body is None:
            return web.json_response(
                {"error": "body_too_large", "details": f"limit is {self.max_body_size} bytes"},
                status=413,
            )
        try:
            event = self._verified_event(body, request.headers)
        except WebhookVerificationError as exc:
            status = _REJECTION_STATUS.get(exc.reason, 401)
            return web.json_response({"error": exc.reason, "details": str(exc)}, status=status)
        return await self._process(event)

    def _verified_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        lowered = _lower_keys(headers)
        # No re-serialisation diagnosis: this receiver reads the raw bytes itself, so a mismatch
        # is never a re-serialisation, and a forged request must cost an HMAC, not a JSON parse.
        _check_signature(body, lowered.get(SIGNATURE_HEADER.lower()), self._secrets, diagnose=False)
        event = _decode_event(body, lowered.get(IDEMPOTENCY_HEADER.lower()))
        if self.max_age is not None:
            _check_age(event, self.max_age, dt.datetime.now(dt.timezone.utc))
        return event

    async def _process(self, event: WebhookEvent) -> web.StreamResponse:
        from aiohttp import web

        keys = _dedup_keys(event)
        try:
            state = await self._claim(keys)
        except Exception:
            logger.exception("idempotency store failed for event %s; answering 503", event.id)
            return _retry_later("store_unavailable", "the idempotency store failed; retry")
        if state is ClaimResult.DONE:
            return web.json_response({"status": "duplicate"})
        if state is ClaimResult.IN_PROGRESS:
            return _retry_later("in_progress", "an earlier attempt of this event is still running")
        try:
            await self.dispatch(event)
        except Exception:
            await self._settle(keys, done=False)
            logger.exception("webhook handler failed for event %s (%s)", event.id, event.type)
            return web.json_response({"error": "handler_failed"}, status=500)
        except BaseException:
            # Cancelled (shutdown, client gone): free the keys so a retry is handled.
            await self._settle(keys, done=False)
            raise
        await self._settle(keys, done=True)
        return web.json_response({"status": "ok"})

    async def _claim(self, keys: Sequence[str]) -> ClaimResult:
        """Claim every key, or none: on the first one taken, release those already claimed."""
        claimed: list[str] = []
        for key in keys:
            state = ClaimResult(await self.store.claim(key, self.claim_lease))
            if state is not ClaimResult.CLAIMED:
                await self._settle(claimed, done=False)
                return state
            claimed.append(key)
        return ClaimResult.CLAIMED

    async def _settle(self, keys: Sequence[str], *, done: bool) -> None:
        """Complete or release ``keys``; a store failure is logged (the lease expires anyway)."""
        for key in keys:
            try:
                await (self.store.complete(key) if done else self.store.release(key))
            except Exception:
                logger.exception("idempotency store failed to settle key %s", key)

    async def dispatch(self, event: WebhookEvent) -> None:
        """Run every handler registered for the event's type (and ``"*"``), in order."""
        for handler in [*self._handlers.get(str(event.type), []), *self._handlers.get("*", [])]:
            await handler(event)

    async def _read_limited(self, request: web.Request) -> bytes | None:
        if request.content_length is not None and request.content_length > self.max_body_size:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self.max_body_size:
                return None
            chunks.append(chunk)
        return b"".join(chunks)


def _retry_later(error: str, details: str) -> web.StreamResponse:
    """503 with ``Retry-After``: Improvado retries, and the delivery is not lost."""
    from aiohttp import web

    return web.json_response(
        {"error": error, "details": details},
        status=503,
        headers={"Retry-After": str(_RETRY_AFTER)},
    )
