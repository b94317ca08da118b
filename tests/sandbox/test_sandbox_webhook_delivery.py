"""Webhook delivery: signed payloads, idempotency key, retries, subscription rules."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from improvado_async.sandbox import WebhookDelivery

from .helpers import Api


class Receiver:
    """Answers verification challenges and records deliveries; ``fail`` forces 500s."""

    def __init__(self) -> None:
        self.fail = False
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.url = ""

    async def verify(self, request: web.Request) -> web.Response:
        return web.Response(text=request.headers["X-Improvado-Challenge"])

    async def receive(self, request: web.Request) -> web.Response:
        self.posts.append((dict(request.headers), await request.read()))
        return web.Response(status=500 if self.fail else 204)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A running receiver on a free local port."""
    state = Receiver()
    app = web.Application()
    app.router.add_get("/hook", state.verify)
    app.router.add_post("/hook", state.receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    state.url = f"http://{host}:{port}/hook"
    yield state
    await runner.cleanup()


async def _active_endpoint(api: Api, receiver: Receiver, events: list[str]) -> dict[str, Any]:
    _, endpoint = await api.call(
        "POST", "/api/v3/webhook_endpoints/", json={"url": receiver.url, "event_types": events}
    )
    status, _ = await api.call("POST", f"/api/v3/webhook_endpoints/{endpoint['id']}/verify/")
    assert status == 200
    return dict(endpoint)


async def _settled(deliveries: list[WebhookDelivery], count: int) -> None:
    for _ in range(500):
        if len(deliveries) >= count and all(d.status != "pending" for d in deliveries):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"deliveries did not settle: {deliveries}")


async def test_load_run_delivers_signed_events(api: Api, receiver: Receiver) -> None:
    endpoint = await _active_endpoint(api, receiver, ["load_started", "load_completed"])
    load = api.sandbox.state.loads(api.sandbox.workspace_id)[0]
    await api.call("PUT", f"/api/v3/loads/{load.id}/run")
    await _settled(api.sandbox.webhook_deliveries, 2)
    assert [d.status for d in api.sandbox.webhook_deliveries] == ["delivered", "delivered"]
    types = []
    for headers, body in receiver.posts:
        expected = hmac.new(endpoint["secret"].encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Improvado-Signature"] == expected
        event = json.loads(body)
        assert headers["X-Improvado-Idempotency-Key"] == event["id"]
        assert re.fullmatch(r"[0-9A-F]{32}", event["id"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", event["timestamp"])
        assert all(isinstance(v, str) for v in event["data"].values())
        assert event["data"]["load_id"] == str(load.id)
        types.append(event["type"])
    assert types == ["load_started", "load_completed"]


async def test_failed_delivery_is_retried_four_times(api: Api, receiver: Receiver) -> None:
    await _active_endpoint(api, receiver, ["extraction_paused"])
    receiver.fail = True
    extract = api.sandbox.state.extracts(api.sandbox.workspace_id)[0]
    await api.call("POST", f"/api/v3/extracts/{extract.id}/pause")
    await _settled(api.sandbox.webhook_deliveries, 1)
    [delivery] = api.sandbox.webhook_deliveries
    assert (delivery.status, delivery.attempts) == ("failed", 5)
    assert len(receiver.posts) == 5
    # The same event id on every attempt lets receivers de-duplicate.
    assert len({h["X-Improvado-Idempotency-Key"] for h, _ in receiver.posts}) == 1


async def test_only_active_subscribed_endpoints_receive(api: Api, receiver: Receiver) -> None:
    endpoint = await _active_endpoint(api, receiver, ["load_completed"])
    assert api.sandbox.emit_event(api.sandbox.workspace_id, "extraction_created") == []
    assert api.sandbox.emit_event(api.sandbox.other_workspace_id, "load_completed") == []
    assert len(api.sandbox.emit_event(api.sandbox.workspace_id, "load_completed")) == 1
    await api.call(
        "POST", f"/api/v3/webhook_endpoints/{endpoint['id']}/regenerate_secret/"
    )  # back to unverified
    assert api.sandbox.emit_event(api.sandbox.workspace_id, "load_completed") == []
    await _settled(api.sandbox.webhook_deliveries, 1)


async def test_extract_events(api: Api, receiver: Receiver) -> None:
    await _active_endpoint(api, receiver, ["extraction_created", "extraction_paused"])
    state = api.sandbox.state
    template = state.templates_of("facebook")[0]
    connection = state.connections(api.sandbox.workspace_id)[0]
    account = state.accounts(api.sandbox.workspace_id, connection.id)[0]
    await api.call(
        "POST",
        "/api/v3.1/extracts/",
        json={"data_table_title": "T", "template_id": template.id, "accounts": [account.id]},
    )
    await api.call("DELETE", f"/api/v3/connections/{connection.id}")
    await _settled(api.sandbox.webhook_deliveries, 3)
    types = [d.event_type for d in api.sandbox.webhook_deliveries]
    assert types == ["extraction_created", "extraction_paused", "extraction_paused"]


async def test_recipe_build_events(api: Api, receiver: Receiver) -> None:
    await _active_endpoint(api, receiver, ["transformation_started", "transformation_completed"])
    _, recipe = await api.call("POST", "/api/v3/automated-recipes", json={"template_id": 9001})
    await api.call("POST", f"/api/v3/automated-recipes/{recipe['id']}/build")
    await _settled(api.sandbox.webhook_deliveries, 2)
    types = [d.event_type for d in api.sandbox.webhook_deliveries]
    assert types == ["transformation_started", "transformation_completed"]
