"""Receiving Improvado webhooks: signatures, verification challenges, events, and a receiver.

Pure functions (:func:`sign`, :func:`verify`, :func:`parse_event`, :func:`challenge_response`)
work in any framework and in sync code; :class:`WebhookReceiver` is a ready aiohttp application.

Signature assumptions: the API documents HMAC-SHA256 keyed with the endpoint's secret in
``X-Improvado-Signature`` but not the encoding. This SDK signs the raw request body and accepts
lowercase (or uppercase) hex with or without a ``sha256=`` prefix. The choice lives in one
function, :func:`_normalise_signature`, so a documented change touches one place.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from .errors import ImprovadoError
from .models._converter import parse_datetime
from .models.webhooks import WebhookEventType

if TYPE_CHECKING:
    import datetime as dt

    from aiohttp import web

__all__ = [
    "CHALLENGE_HEADER",
    "IDEMPOTENCY_HEADER",
    "SIGNATURE_HEADER",
    "VERIFY_TOKEN_HEADER",
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

logger = logging.getLogger("improvado.webhooks")

Secrets = str | bytes | Sequence[str | bytes]


class WebhookVerificationError(ImprovadoError):
    """A delivery or challenge failed verification.

    ``reason`` is a short machine-readable code (``missing_signature``, ``bad_signature``,
    ``reserialized_body``, ``malformed_json``, ``invalid_event``, ``missing_challenge``,
    ``bad_verify_token``, ``no_secrets``, ``body_not_bytes``); the message explains the likely
    cause. Neither ever contains a secret.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


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
        WebhookVerificationError: the signature is missing or matches none of the secrets; the
            message says whether the body looks re-serialized rather than raw.
    """
    if not isinstance(body, (bytes, bytearray)):
        raise WebhookVerificationError(
            "body_not_bytes",
            "pass the raw request body as bytes, exactly as received (not a str or parsed JSON)",
        )
    if not signature:
        raise WebhookVerificationError(
            "missing_signature", f"the {SIGNATURE_HEADER} header is missing or empty"
        )
    keys = _secret_list(secrets)
    if _matches(bytes(body), signature, keys):
        return
    if _looks_reserialized(bytes(body), signature, keys):
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
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    variants = {
        json.dumps(parsed).encode(),
        json.dumps(parsed, separators=(",", ":")).encode(),
        json.dumps(parsed, sort_keys=True).encode(),
        json.dumps(parsed, separators=(",", ":"), sort_keys=True).encode(),
        json.dumps(parsed, ensure_ascii=False).encode(),
    }
    variants.discard(body)
    return any(_matches(v, signature, keys) for v in variants)


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """One verified delivery: ``{id, type, timestamp, data}`` plus the idempotency key.

    ``type`` is a :class:`WebhookEventType` member when known, else the raw string; ``data``
    values are strings in every documented example; ``timestamp`` is parsed from the API's
    ``"YYYY-MM-DD HH:MM:SS.ffffff"`` (no zone given: taken as UTC).
    """

    id: str
    type: str
    timestamp: dt.datetime | None
    data: Mapping[str, Any]
    idempotency_key: str
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)


def parse_event(body: bytes, headers: Mapping[str, str], secrets: Secrets) -> WebhookEvent:
    """Verify and decode a delivery.

    Args:
        body: the raw request body bytes.
        headers: the request headers (any mapping; names are case-insensitive).
        secrets: the endpoint's secret, or several during a rotation.

    Raises:
        WebhookVerificationError: for any problem (signature, JSON, event shape); nothing else.
    """
    lowered = _lower_keys(headers)
    verify(body, lowered.get(SIGNATURE_HEADER.lower()), secrets)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookVerificationError(
            "malformed_json", "the body is signed correctly but is not valid JSON"
        ) from None
    return _event_from(payload, lowered.get(IDEMPOTENCY_HEADER.lower()))


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


def challenge_response(headers: Mapping[str, str], secrets: Secrets) -> str:
    """The body to answer a verification GET with (the challenge), after checking its token.

    ``X-Improvado-Verify-Token`` carries the endpoint's secret; it must match one of
    ``secrets``.

    Raises:
        WebhookVerificationError: the challenge or token header is missing, or the token is wrong.
    """
    lowered = _lower_keys(headers)
    challenge = lowered.get(CHALLENGE_HEADER.lower())
    if not challenge:
        raise WebhookVerificationError(
            "missing_challenge", f"the {CHALLENGE_HEADER} header is missing"
        )
    token = lowered.get(VERIFY_TOKEN_HEADER.lower(), "").encode()
    if not token:
        raise WebhookVerificationError(
            "bad_verify_token", f"the {VERIFY_TOKEN_HEADER} header is missing"
        )
    results = [hmac.compare_digest(token, key) for key in _secret_list(secrets)]
    if not any(results):
        raise WebhookVerificationError(
            "bad_verify_token", f"the {VERIFY_TOKEN_HEADER} matches none of the configured secrets"
        )
    return challenge


class IdempotencyStore(Protocol):
    """Remembers processed idempotency keys so replays are not dispatched twice."""

    async def claim(self, key: str) -> bool:
        """Reserve ``key``; False when it was already processed or is being processed."""

    async def release(self, key: str) -> None:
        """Forget a claim whose processing failed, so a retry can be dispatched."""


class InMemoryIdempotencyStore:
    """A process-local store that keeps keys for ``ttl`` seconds (at most ``max_keys``)."""

    def __init__(self, ttl: float = 24 * 3600.0, max_keys: int = 100_000) -> None:
        self._ttl = ttl
        self._max = max_keys
        self._keys: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._keys)

    async def claim(self, key: str) -> bool:
        """Reserve ``key`` unless it is already known and not expired."""
        now = time.monotonic()
        self._evict(now)
        if key in self._keys:
            return False
        self._keys[key] = now + self._ttl
        return True

    async def release(self, key: str) -> None:
        """Forget ``key``."""
        self._keys.pop(key, None)

    def _evict(self, now: float) -> None:
        while self._keys:
            oldest, expires = next(iter(self._keys.items()))
            if expires > now and len(self._keys) < self._max:
                return
            del self._keys[oldest]


Handler = Callable[[WebhookEvent], Awaitable[None]]


class WebhookReceiver:
    """An aiohttp application that receives Improvado webhooks.

    It answers the verification GET, verifies each POST, rejects bodies over ``max_body_size``,
    de-duplicates on the idempotency key and dispatches to the handlers registered with
    :meth:`on`. A handler error is logged and answered 500 so Improvado retries; a duplicate is
    answered 200 and not dispatched. Mount :attr:`app` as a sub-application or serve it directly.
    """

    def __init__(
        self,
        secrets: Secrets,
        *,
        path: str = "/",
        max_body_size: int = 1024 * 1024,
        store: IdempotencyStore | None = None,
    ) -> None:
        self.secrets = secrets
        self.path = path
        self.max_body_size = max_body_size
        self.store: IdempotencyStore = store or InMemoryIdempotencyStore()
        self._handlers: dict[str, list[Handler]] = {}
        self._app: web.Application | None = None

    def __repr__(self) -> str:
        return f"<WebhookReceiver path={self.path!r} handlers={sorted(self._handlers)}>"

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
            challenge = challenge_response(request.headers, self.secrets)
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
            event = parse_event(body, request.headers, self.secrets)
        except WebhookVerificationError as exc:
            status = 400 if exc.reason in ("malformed_json", "invalid_event") else 401
            return web.json_response({"error": exc.reason, "details": str(exc)}, status=status)
        if not await self.store.claim(event.idempotency_key):
            return web.json_response({"status": "duplicate"})
        try:
            await self.dispatch(event)
        except Exception:
            await self.store.release(event.idempotency_key)
            logger.exception("webhook handler failed for event %s (%s)", event.id, event.type)
            return web.json_response({"error": "handler_failed"}, status=500)
        return web.json_response({"status": "ok"})

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
