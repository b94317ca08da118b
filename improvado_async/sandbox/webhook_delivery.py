"""Outbound webhook delivery: signed POSTs with the documented retry schedule."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import attrs

from ..webhooks import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign
from .records import WebhookEndpoint

#: Delays before each retry after a failed attempt (1 attempt + 4 retries).
RETRY_DELAYS: tuple[float, ...] = (0.0, 2.0, 5.0, 10.0)
ATTEMPT_TIMEOUT = 5.0


@attrs.define
class WebhookDelivery:
    """One event sent to one endpoint; ``status`` is ``pending``, ``delivered`` or ``failed``."""

    event_id: str
    event_type: str
    endpoint_id: int
    url: str
    body: bytes
    status: str = "pending"
    attempts: int = 0
    response_statuses: list[int | None] = attrs.Factory(list)


async def _attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> int | None:
    # Sign at send time: a rotated secret invalidates the old one immediately.
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(endpoint.secret, delivery.body),
        IDEMPOTENCY_HEADER: delivery.event_id,
    }
    timeout = aiohttp.ClientTimeout(total=ATTEMPT_TIMEOUT)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(endpoint.url, data=delivery.body, headers=headers) as response,
        ):
            await response.read()
            return response.status
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return None


async def deliver(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery, scale: Callable[[float], float]
) -> None:
    """Send until a 2xx answer or the retries run out (delays scaled by ``scale``)."""
    for delay in (None, *RETRY_DELAYS):
        if delay is not None:
            await asyncio.sleep(scale(delay))
        delivery.attempts += 1
        status = await _attempt(endpoint, delivery)
        delivery.response_statuses.append(status)
        if status is not None and 200 <= status < 300:
            delivery.status = "delivered"
            return
    delivery.status = "failed"
