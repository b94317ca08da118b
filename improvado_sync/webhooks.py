"""Webhook verification for blocking code: the pure functions of :mod:`improvado_async.webhooks`.

``sign``, ``verify``, ``parse_event`` and ``challenge_response`` do no I/O, so they serve Flask,
Django or any WSGI app as they are. ``WebhookReceiver`` (aiohttp) is re-exported too.
"""

from improvado_async.webhooks import (
    CHALLENGE_HEADER,
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    VERIFY_TOKEN_HEADER,
    IdempotencyStore,
    InMemoryIdempotencyStore,
    WebhookEvent,
    WebhookReceiver,
    WebhookVerificationError,
    challenge_response,
    parse_event,
    sign,
    verify,
)

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
