"""Webhooks end to end: sandbox endpoint, challenge, delivery, retry, de-duplication, rotation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from improvado_async import AsyncImprovado, WebhookEndpointStatus
from improvado_async.sandbox import Sandbox
from improvado_async.webhooks import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    WebhookEvent,
    WebhookReceiver,
    sign,
)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[WebhookReceiver, str, list[WebhookEvent]]]:
    hooks = WebhookReceiver(["unknown-yet"], path="/hooks")
    handled: list[WebhookEvent] = []
    failures = {"left": 1}

    @hooks.on("load_completed")
    async def on_completed(event: WebhookEvent) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("the first delivery fails")
        handled.append(event)

    runner = web.AppRunner(hooks.app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield hooks, f"http://127.0.0.1:{runner.addresses[0][1]}/hooks", handled
    await runner.cleanup()


async def _replay(url: str, body: bytes, signature: str, key: str) -> tuple[int, str]:
    headers = {SIGNATURE_HEADER: signature, IDEMPOTENCY_HEADER: key}
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        answer = await r.json()
        return r.status, answer.get("status") or answer.get("error")


async def test_verify_deliver_retry_dedup_and_rotation(
    receiver: tuple[WebhookReceiver, str, list[WebhookEvent]],
) -> None:
    hooks, url, handled = receiver
    async with (
        Sandbox(time_scale=0.01) as sb,
        AsyncImprovado(
            username=sb.username,
            password=sb.password,
            workspace_id=sb.workspace_id,
            base_url=sb.base_url,
        ) as client,
    ):
        endpoint = await client.webhook_endpoints.create(url=url, event_types=["load_completed"])
        assert endpoint.status == WebhookEndpointStatus.UNVERIFIED and endpoint.secret
        old_secret = endpoint.secret
        hooks.set_secrets([old_secret])
        verified = await client.webhook_endpoints.verify(endpoint.id)
        assert verified.status == WebhookEndpointStatus.ACTIVE

        await client.loads.run(3001)
        await client.loads.wait(3001, poll_interval=0.01, max_wait=10)
        for _ in range(200):
            if handled:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # let any further (unexpected) delivery arrive
        assert len(handled) == 1
        assert handled[0].type == "load_completed"
        delivery = next(d for d in sb.webhook_deliveries if d.event_type == "load_completed")
        assert delivery.response_statuses[:2] == [500, 200]

        # A replay of the same event is answered 2xx and not dispatched again, even under a new
        # idempotency key: de-duplication follows the signed event id.
        body, old_signed = delivery.body, sign(old_secret, delivery.body)
        assert await _replay(url, body, old_signed, handled[0].id) == (200, "duplicate")
        assert await _replay(url, body, old_signed, "fresh-key-0") == (200, "duplicate")
        assert len(handled) == 1

        rotated = await client.webhook_endpoints.regenerate_secret(endpoint.id)
        assert rotated.secret and rotated.secret != old_secret
        assert rotated.status == WebhookEndpointStatus.UNVERIFIED
        hooks.set_secrets([rotated.secret])
        assert await _replay(url, body, old_signed, "fresh-key-1") == (401, "bad_signature")
        hooks.set_secrets([rotated.secret, old_secret])
        assert await _replay(url, body, old_signed, "fresh-key-2") == (200, "duplicate")
        reverified = await client.webhook_endpoints.verify(endpoint.id)
        assert reverified.status == WebhookEndpointStatus.ACTIVE

        # The next event is signed with the new secret and handled once.
        await client.loads.run(3001)
        await client.loads.wait(3001, poll_interval=0.01, max_wait=10)
        for _ in range(200):
            if len(handled) == 2:
                break
            await asyncio.sleep(0.02)
        assert len(handled) == 2 and handled[1].id != handled[0].id
