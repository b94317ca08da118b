"""Webhooks under hostile input: deep JSON, replays, in-flight retries, stale events, tokens."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from improvado_async.errors import ValidationError
from improvado_async.webhooks import (
    ClaimResult,
    InMemoryIdempotencyStore,
    WebhookEvent,
    WebhookReceiver,
    WebhookVerificationError,
    challenge_response,
    parse_event,
    sign,
    verify,
)

SECRET = "whsec-current"
OLD = "whsec-previous"
DEEP = b"[" * 200_000


def _event_body(
    event_id: str = "EVT1", timestamp: str | None = "2026-04-06 11:39:46.752000"
) -> bytes:
    event: dict[str, Any] = {"id": event_id, "type": "load_completed", "data": {"order_id": "1"}}
    if timestamp is not None:
        event["timestamp"] = timestamp
    return json.dumps(event).encode()


def _now_text(offset: float = 0.0) -> str:
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=offset)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _headers(body: bytes, key: str | None = None, secret: str = SECRET) -> dict[str, str]:
    headers = {"X-Improvado-Signature": sign(secret, body)}
    if key is not None:
        headers["X-Improvado-Idempotency-Key"] = key
    return headers


# --- A. hostile JSON ---------------------------------------------------------------------------


def test_deeply_nested_signed_body_is_malformed_json() -> None:
    with pytest.raises(WebhookVerificationError) as info:
        parse_event(DEEP, _headers(DEEP), SECRET)
    assert info.value.reason == "malformed_json"


@pytest.mark.parametrize("body", [DEEP, b"[" * 10_000], ids=["200k", "10k-under-diagnosis-bound"])
def test_deeply_nested_body_with_bad_signature_is_bad_signature(body: bytes) -> None:
    with pytest.raises(WebhookVerificationError) as info:
        verify(body, sign("wrong", body), SECRET)
    assert info.value.reason == "bad_signature"


def test_lone_surrogate_with_bad_signature_is_bad_signature() -> None:
    body = b'{"id": "\\ud800", "type": "x"}'
    with pytest.raises(WebhookVerificationError) as info:
        verify(body, sign("wrong", body), SECRET)
    assert info.value.reason == "bad_signature"


def test_reserialization_diagnosis_skips_large_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = {"id": "E", "type": "t", "data": {f"k{i}": "v" * 40 for i in range(600)}}
    pretty = json.dumps(payload, indent=2).encode()
    compact_signature = sign(SECRET, json.dumps(payload, separators=(",", ":")).encode())
    calls = _count_json_loads(monkeypatch)
    with pytest.raises(WebhookVerificationError) as info:
        verify(pretty, compact_signature, SECRET)
    assert len(pretty) > 16 * 1024
    assert info.value.reason == "bad_signature" and calls == []


def _count_json_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = json.loads

    def counting(data: Any, **kwargs: Any) -> Any:
        calls.append(len(data))
        return real(data, **kwargs)

    # The stdlib function itself: the receiver runs in this process (the test client's
    # ``response.json()`` bound its decoder at import, so it is not counted).
    monkeypatch.setattr(json, "loads", counting)
    return calls


Served = tuple[str, WebhookReceiver, list[WebhookEvent]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[Served]]]:
    """Start a receiver on loopback; its ``load_completed`` handler records events."""
    runners: list[web.AppRunner] = []

    async def start(**options: Any) -> Served:
        receiver = WebhookReceiver([SECRET], path="/hooks", **options)
        seen: list[WebhookEvent] = []

        @receiver.on("load_completed")
        async def record(event: WebhookEvent) -> None:
            seen.append(event)

        runner = web.AppRunner(receiver.app)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}/hooks", receiver, seen

    yield start
    for runner in runners:
        await runner.cleanup()


async def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        return r.status, {**(await r.json()), "retry-after": r.headers.get("Retry-After")}


async def test_receiver_answers_deep_json_with_typed_rejections(
    serve: Callable[..., Awaitable[Served]],
) -> None:
    url, _, seen = await serve()
    status, answer = await _post(url, DEEP, {"X-Improvado-Signature": sign("wrong", DEEP)})
    assert (status, answer["error"]) == (401, "bad_signature")
    status, answer = await _post(url, DEEP, _headers(DEEP))
    assert (status, answer["error"]) == (400, "malformed_json")
    assert seen == []


async def test_receiver_parses_nothing_before_the_signature_matches(
    serve: Callable[..., Awaitable[Served]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _, seen = await serve()
    body = json.dumps({"id": "E", "type": "load_completed", "pad": "x" * 1_000_000}).encode()
    compact_signature = sign(SECRET, json.dumps(json.loads(body), sort_keys=True).encode())
    calls = _count_json_loads(monkeypatch)
    for signature in (sign("wrong", body), compact_signature):
        status, answer = await _post(url, body, {"X-Improvado-Signature": signature})
        assert (status, answer["error"]) == (401, "bad_signature")
    assert calls == [] and seen == []
    status, _ = await _post(url, body, _headers(body))
    assert status == 200 and calls == [len(body)] and len(seen) == 1


# --- B. de-duplication -------------------------------------------------------------------------


async def test_replay_with_new_idempotency_keys_is_dispatched_once(
    serve: Callable[..., Awaitable[Served]],
) -> None:
    url, _, seen = await serve()
    body = _event_body()
    answers = [await _post(url, body, _headers(body, key=f"key-{n}")) for n in range(3)]
    assert [(s, a.get("status")) for s, a in answers] == [
        (200, "ok"),
        (200, "duplicate"),
        (200, "duplicate"),
    ]
    assert len(seen) == 1


async def test_same_idempotency_key_still_deduplicates_another_event(
    serve: Callable[..., Awaitable[Served]],
) -> None:
    url, _, seen = await serve()
    first, second = _event_body("EVT1"), _event_body("EVT2")
    assert (await _post(url, first, _headers(first, key="k")))[1]["status"] == "ok"
    assert (await _post(url, second, _headers(second, key="k")))[1]["status"] == "duplicate"
    assert [e.id for e in seen] == ["EVT1"]


class _Gate:
    """A handler that blocks until told to finish, then succeeds or raises."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.proceed = asyncio.Event()
        self.fail = False
        self.calls = 0

    async def __call__(self, event: WebhookEvent) -> None:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            await self.proceed.wait()
            if self.fail:
                raise RuntimeError("the first attempt fails late")


@pytest.mark.parametrize("first_fails", [True, False], ids=["first-fails", "first-succeeds"])
async def test_retry_during_first_attempt_is_told_to_retry(
    serve: Callable[..., Awaitable[Served]], first_fails: bool
) -> None:
    url, receiver, _ = await serve()
    gate = _Gate()
    gate.fail = first_fails
    receiver.on("*")(gate)
    body = _event_body()
    first = asyncio.create_task(_post(url, body, _headers(body, key="k1")))
    await asyncio.wait_for(gate.entered.wait(), 10)

    status, answer = await _post(url, body, _headers(body, key="k2"))
    assert (status, answer["error"], answer["retry-after"]) == (503, "in_progress", "2")
    status, answer = await _post(url, body, _headers(body, key="k1"))
    assert (status, answer["error"]) == (503, "in_progress")

    gate.proceed.set()
    assert (await first)[0] == (500 if first_fails else 200)
    status, answer = await _post(url, body, _headers(body, key="k1"))
    assert (status, answer["status"]) == (200, "ok" if first_fails else "duplicate")
    assert gate.calls == (2 if first_fails else 1)


async def test_store_failure_is_answered_503_and_not_dispatched(
    serve: Callable[..., Awaitable[Served]],
) -> None:
    class Broken:
        async def claim(self, key: str, lease: float) -> ClaimResult:
            raise ConnectionError("store down")

        async def complete(self, key: str) -> None:
            raise AssertionError("not reached")

        async def release(self, key: str) -> None:
            raise AssertionError("not reached")

    url, _, seen = await serve(store=Broken())
    body = _event_body()
    status, answer = await _post(url, body, _headers(body))
    assert (status, answer["error"], answer["retry-after"]) == (503, "store_unavailable", "2")
    assert seen == []


async def test_store_may_return_plain_strings_and_sees_the_lease(
    serve: Callable[..., Awaitable[Served]],
) -> None:
    class Recording:
        def __init__(self) -> None:
            self.log: list[tuple[str, ...]] = []
            self.done: set[str] = set()

        async def claim(self, key: str, lease: float) -> ClaimResult:
            self.log.append(("claim", key, str(lease)))
            return "done" if key in self.done else "claimed"  # type: ignore[return-value]

        async def complete(self, key: str) -> None:
            self.log.append(("complete", key))
            self.done.add(key)

        async def release(self, key: str) -> None:
            self.log.append(("release", key))

    store = Recording()
    url, _, seen = await serve(store=store, claim_lease=30)
    body = _event_body()
    assert (await _post(url, body, _headers(body, key="k")))[1]["status"] == "ok"
    assert (await _post(url, body, _headers(body, key="k2")))[1]["status"] == "duplicate"
    assert store.log == [
        ("claim", "event:EVT1", "30.0"),
        ("claim", "idempotency:k", "30.0"),
        ("complete", "event:EVT1"),
        ("complete", "idempotency:k"),
        ("claim", "event:EVT1", "30.0"),
    ]
    assert len(seen) == 1


async def test_cancelled_handler_releases_its_claim() -> None:
    store = InMemoryIdempotencyStore()
    receiver = WebhookReceiver([SECRET], store=store)
    started = asyncio.Event()

    @receiver.on("*")
    async def hang(event: WebhookEvent) -> None:
        started.set()
        await asyncio.Event().wait()

    body = _event_body()
    event = parse_event(body, _headers(body), SECRET)
    task = asyncio.create_task(receiver._process(event))
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await store.claim("event:EVT1", 1.0) is ClaimResult.CLAIMED


async def test_in_memory_store_states_lease_ttl_and_bound() -> None:
    now = [100.0]
    store = InMemoryIdempotencyStore(ttl=50, max_keys=3, clock=lambda: now[0])
    assert await store.claim("a", 10) is ClaimResult.CLAIMED
    assert await store.claim("a", 10) is ClaimResult.IN_PROGRESS
    now[0] += 11  # the lease ran out: a crashed holder no longer blocks retries
    assert await store.claim("a", 10) is ClaimResult.CLAIMED
    await store.complete("a")
    assert await store.claim("a", 10) is ClaimResult.DONE
    now[0] += 51
    assert await store.claim("a", 10) is ClaimResult.CLAIMED
    await store.release("a")
    assert await store.claim("a", 10) is ClaimResult.CLAIMED
    for key in "bcd":
        await store.claim(key, 10)
        await store.complete(key)
    assert len(store) == 3
    assert await store.claim("b", 10) is ClaimResult.DONE
    assert await store.claim("a", 10) is ClaimResult.CLAIMED  # the oldest was forgotten


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"ttl": 0}, "ttl"),
        ({"max_keys": 0}, "max_keys"),
    ],
)
def test_in_memory_store_rejects_bad_options(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        InMemoryIdempotencyStore(**options)
    assert info.value.field == field


# --- B. max_age --------------------------------------------------------------------------------


async def test_max_age_rejects_old_and_undated_events(
    serve: Callable[..., Awaitable[Served]],
) -> None:
    url, _, seen = await serve(max_age=3600)
    old = _event_body("OLD", timestamp="2020-01-01 00:00:00.000000")
    status, answer = await _post(url, old, _headers(old))
    assert (status, answer["error"]) == (400, "stale_event")
    assert "max_age=3600" in answer["details"]
    undated = _event_body("UNDATED", timestamp=None)
    status, answer = await _post(url, undated, _headers(undated))
    assert (status, answer["error"]) == (400, "missing_timestamp")
    fresh = _event_body("FRESH", timestamp=_now_text(-60))
    assert (await _post(url, fresh, _headers(fresh)))[0] == 200
    assert [e.id for e in seen] == ["FRESH"]


def test_parse_event_max_age() -> None:
    old = _event_body(timestamp="2020-01-01 00:00:00")
    assert parse_event(old, _headers(old), SECRET).id == "EVT1"
    with pytest.raises(WebhookVerificationError) as info:
        parse_event(old, _headers(old), SECRET, max_age=60)
    assert info.value.reason == "stale_event"
    fresh = _event_body(timestamp=_now_text())
    assert parse_event(fresh, _headers(fresh), SECRET, max_age=60).id == "EVT1"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"max_age": 0}, "max_age"),
        ({"max_age": float("nan")}, "max_age"),
        ({"max_age": "1h"}, "max_age"),
        ({"claim_lease": -1}, "claim_lease"),
        ({"max_body_size": 0}, "max_body_size"),
        ({"verify_token": ""}, "verify_token"),
    ],
)
def test_receiver_rejects_bad_options(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        WebhookReceiver([SECRET], **options)
    assert info.value.field == field


# --- C. verify token and secret rotation --------------------------------------------------------


def test_challenge_verify_token_policies() -> None:
    headers = {"X-Improvado-Challenge": "c-1", "X-Improvado-Verify-Token": "shared-token"}
    with pytest.raises(WebhookVerificationError):
        challenge_response(headers, SECRET)  # default: the token must be one of the secrets
    assert challenge_response(headers, SECRET, verify_token="shared-token") == "c-1"
    with pytest.raises(WebhookVerificationError) as info:
        challenge_response(headers, SECRET, verify_token="other")
    assert info.value.reason == "bad_verify_token" and "other" not in str(info.value)
    assert challenge_response({"X-Improvado-Challenge": "c-2"}, SECRET, verify_token=None) == "c-2"
    with pytest.raises(WebhookVerificationError) as missing:
        challenge_response({}, SECRET, verify_token=None)
    assert missing.value.reason == "missing_challenge"
    with pytest.raises(ValidationError):
        challenge_response(headers, SECRET, verify_token="")


async def _challenge(url: str, token: str | None) -> tuple[int, str]:
    headers = {"X-Improvado-Challenge": "abc"}
    if token is not None:
        headers["X-Improvado-Verify-Token"] = token
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as resp:
        return resp.status, await resp.text()


async def test_receiver_verify_token_option(serve: Callable[..., Awaitable[Served]]) -> None:
    url, _, _ = await serve(verify_token="shared-token")
    assert await _challenge(url, "shared-token") == (200, "abc")
    assert (await _challenge(url, SECRET))[0] == 403
    url_any, _, _ = await serve(verify_token=None)
    assert await _challenge(url_any, None) == (200, "abc")


async def test_set_secrets_rotates_at_runtime(serve: Callable[..., Awaitable[Served]]) -> None:
    url, receiver, seen = await serve()
    old_signed = _event_body("E-OLD")
    assert (await _post(url, old_signed, _headers(old_signed, secret=OLD)))[0] == 401
    receiver.set_secrets([SECRET, OLD])
    assert receiver.secrets == (SECRET, OLD)
    assert (await _post(url, old_signed, _headers(old_signed, secret=OLD)))[0] == 200
    assert await _challenge(url, OLD) == (200, "abc")
    receiver.set_secrets(SECRET)
    again = _event_body("E-OLD-2")
    assert (await _post(url, again, _headers(again, secret=OLD)))[0] == 401
    assert [e.id for e in seen] == ["E-OLD"]
    for bad in ([], [""], [SECRET, None]):
        with pytest.raises(ValidationError) as info:
            receiver.set_secrets(bad)  # type: ignore[arg-type]
        assert info.value.field == "secrets"
    assert list(receiver.secrets) == [SECRET]
