"""Webhook endpoints: create/list/get/update/delete, verify against a receiver, regenerate."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from .helpers import Api

BASE = "/api/v3/webhook_endpoints/"


class Receiver:
    """A local webhook receiver; ``echo`` controls whether it answers the challenge."""

    def __init__(self) -> None:
        self.echo = True
        self.verify_tokens: list[str] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.verify_tokens.append(request.headers.get("X-Improvado-Verify-Token", ""))
        challenge = request.headers.get("X-Improvado-Challenge", "")
        return web.Response(text=challenge if self.echo else "nope")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A running receiver on a free local port."""
    state = Receiver()
    app = web.Application()
    app.router.add_get("/hook", state.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    state.url = f"http://{host}:{port}/hook"
    yield state
    await runner.cleanup()


async def test_event_types(api: Api) -> None:
    status, types = await api.call("GET", "/api/v3/webhook_event_types/")
    assert status == 200
    assert {"load_completed", "extraction_paused"} <= {t["name"] for t in types}


async def test_crud_and_secret_visibility(api: Api, other_api: Api) -> None:
    body = {"url": "https://example.com/hook", "event_types": ["load_completed", "future_event"]}
    status, created = await api.call("POST", BASE, json=body)
    assert status == 201
    assert created["status"] == "unverified" and len(created["secret"]) == 64
    item = f"{BASE}{created['id']}/"
    status, fetched = await api.call("GET", item)
    assert status == 200 and "secret" not in fetched
    assert (await other_api.call("GET", item))[0] == 404
    _, page = await api.call("GET", BASE)
    assert [e["id"] for e in page["results"]] == [created["id"]]
    status, updated = await api.call("PATCH", item, json={"event_types": ["load_started"]})
    assert (status, updated["event_types"]) == (200, ["load_started"])
    assert (await api.call("GET", item.rstrip("/")))[0] == 200
    assert await api.call("DELETE", item) == (204, None)
    assert (await api.call("GET", item))[0] == 404


async def test_create_validation(api: Api) -> None:
    for body, field in (
        ({"event_types": ["load_completed"]}, "url"),
        ({"url": "http://example.com/x", "event_types": ["load_completed"]}, "url"),
        ({"url": "not a url", "event_types": ["load_completed"]}, "url"),
        ({"url": "https://example.com/x"}, "event_types"),
        ({"url": "https://example.com/x", "event_types": []}, "event_types"),
        ({"url": "https://example.com/x", "event_types": "load_completed"}, "event_types"),
    ):
        status, error = await api.call("POST", BASE, json=body)
        assert status == 400 and field in error["details"], body


async def test_verify_and_regenerate(api: Api, receiver: Receiver) -> None:
    _, created = await api.call(
        "POST", BASE, json={"url": receiver.url, "event_types": ["load_completed"]}
    )
    item = f"{BASE}{created['id']}/"
    receiver.echo = False
    status, error = await api.call("POST", f"{item}verify/")
    assert status == 400 and error["details"].startswith("Verification failed")
    receiver.echo = True
    status, verified = await api.call("POST", f"{item}verify/")
    assert (status, verified["status"]) == (200, "active")
    assert receiver.verify_tokens[-1] == created["secret"]
    status, rotated = await api.call("POST", f"{item}regenerate_secret/")
    assert status == 200
    assert rotated["secret"] != created["secret"] and rotated["status"] == "unverified"
    # Changing the URL also requires a new verification.
    await api.call("POST", f"{item}verify/")
    _, moved = await api.call("PATCH", item, json={"url": "https://example.com/other"})
    assert moved["status"] == "unverified"


async def test_verify_unreachable(api: Api) -> None:
    _, created = await api.call(
        "POST", BASE, json={"url": "http://127.0.0.1:1/hook", "event_types": ["load_completed"]}
    )
    status, error = await api.call("POST", f"{BASE}{created['id']}/verify/")
    assert status == 400 and "could not reach" in error["details"]
