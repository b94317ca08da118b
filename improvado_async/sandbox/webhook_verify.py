"""Challenge verification of a webhook receiver (outbound GET, as Improvado does it)."""

from __future__ import annotations

import asyncio
import secrets

import aiohttp

from .records import WebhookEndpoint

VERIFY_TIMEOUT = 5.0


async def verify_receiver(endpoint: WebhookEndpoint) -> str | None:
    """``None`` when the receiver echoed the challenge with a 200, else the failure reason."""
    challenge = secrets.token_hex(16)
    headers = {"X-Improvado-Verify-Token": endpoint.secret, "X-Improvado-Challenge": challenge}
    timeout = aiohttp.ClientTimeout(total=VERIFY_TIMEOUT)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(endpoint.url, headers=headers) as response,
        ):
            body = await response.text()
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        return f"could not reach {endpoint.url} ({type(exc).__name__})"
    if response.status != 200:
        return f"receiver answered HTTP {response.status}"
    if body.strip() != challenge:
        return "receiver did not echo the challenge"
    return None
