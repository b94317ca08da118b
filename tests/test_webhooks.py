"""Webhook signatures, challenges, event parsing and the aiohttp receiver."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from improvado_async.models.webhooks import WebhookEventType
from improvado_async.webhooks import (
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
EVENT = {
    "id": "A1B2C3D4E5F6789012345678ABCDEF90",
    "type": "load_completed",
    "timestamp": "2026-04-06 11:39:46.752000",
    "data": {"order_id": "654321"},
}
BODY = json.dumps(EVENT, indent=2).encode()


def _headers(body: bytes = BODY, secret: str = SECRET, key: str = "idem-1") -> dict[str, str]:
    return {"X-Improvado-Signature": sign(secret, body), "X-Improvado-Idempotency-Key": key}


def test_sign_is_lowercase_hex_hmac_sha256() -> None:
    expected = hmac.new(b"key", b"body", hashlib.sha256).hexdigest()
    assert sign("key", b"body") == expected == expected.lower()
    assert len(expected) == 64


@pytest.mark.parametrize("form", ["{sig}", "sha256={sig}", "SHA256={sig_upper}", " {sig} "])
def test_verify_accepts_documented_encodings(form: str) -> None:
    sig = sign(SECRET, BODY)
    verify(BODY, form.format(sig=sig, sig_upper=sig.upper()), SECRET)


def test_verify_accepts_any_of_several_secrets() -> None:
    verify(BODY, sign(OLD, BODY), [SECRET, OLD])
    with pytest.raises(WebhookVerificationError) as info:
        verify(BODY, sign(OLD, BODY), [SECRET])
    assert info.value.reason == "bad_signature"
    assert SECRET not in str(info.value) and OLD not in str(info.value)


def test_reserialized_body_is_named() -> None:
    compact = json.dumps(EVENT, separators=(",", ":")).encode()
    with pytest.raises(WebhookVerificationError) as info:
        verify(BODY, sign(SECRET, compact), SECRET)
    assert info.value.reason == "reserialized_body"
    assert "raw" in str(info.value)


def test_missing_signature_and_str_body() -> None:
    with pytest.raises(WebhookVerificationError) as info:
        parse_event(BODY, {}, SECRET)
    assert info.value.reason == "missing_signature"
    with pytest.raises(WebhookVerificationError) as text:
        verify(BODY.decode(), sign(SECRET, BODY), SECRET)  # type: ignore[arg-type]
    assert text.value.reason == "body_not_bytes"


def test_parse_event_types_and_timestamp() -> None:
    event = parse_event(BODY, _headers(), SECRET)
    assert isinstance(event, WebhookEvent)
    assert event.type is WebhookEventType.LOAD_COMPLETED
    assert event.timestamp is not None and event.timestamp.microsecond == 752000
    assert event.idempotency_key == "idem-1"
    assert event.data == {"order_id": "654321"}
    unknown = json.dumps({**EVENT, "type": "brand_new_event"}).encode()
    parsed = parse_event(unknown, {"x-improvado-signature": sign(SECRET, unknown)}, SECRET)
    assert parsed.type == "brand_new_event"
    assert parsed.idempotency_key == EVENT["id"]


def test_signed_non_json_is_malformed() -> None:
    body = b"<html>not json</html>"
    with pytest.raises(WebhookVerificationError) as info:
        parse_event(body, _headers(body), SECRET)
    assert info.value.reason == "malformed_json"


def test_challenge_response() -> None:
    headers = {"X-Improvado-Challenge": "c-123", "X-Improvado-Verify-Token": SECRET}
    assert challenge_response(headers, [OLD, SECRET]) == "c-123"
    with pytest.raises(WebhookVerificationError) as info:
        challenge_response({**headers, "X-Improvado-Verify-Token": "nope"}, SECRET)
    assert info.value.reason == "bad_verify_token"
    with pytest.raises(WebhookVerificationError):
        challenge_response({"X-Improvado-Verify-Token": SECRET}, SECRET)


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=300),
    headers=st.dictionaries(st.text(max_size=30), st.text(max_size=80), max_size=5),
    sign_it=st.booleans(),
)
def test_parse_event_raises_only_verification_errors(
    body: bytes, headers: dict[str, str], sign_it: bool
) -> None:
    if sign_it:
        headers = {**headers, "X-Improvado-Signature": sign(SECRET, body)}
    with contextlib.suppress(WebhookVerificationError):
        parse_event(body, headers, SECRET)


@settings(max_examples=200, deadline=None)
@given(
    payload=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["id", "type", "timestamp", "data", "x"]), children, max_size=5
            )
        ),
        max_leaves=12,
    )
)
def test_signed_arbitrary_json_raises_only_verification_errors(payload: object) -> None:
    body = json.dumps(payload).encode()
    with contextlib.suppress(WebhookVerificationError):
        parse_event(body, _headers(body), SECRET)
    with contextlib.suppress(WebhookVerificationError):
        parse_event(body, _headers(body), SECRET, max_age=60)


@pytest.fixture
async def receiver_url() -> AsyncIterator[tuple[str, WebhookReceiver, list[WebhookEvent]]]:
    receiver = WebhookReceiver([SECRET], path="/hooks", max_body_size=2048)
    seen: list[WebhookEvent] = []
    failures = {"left": 1}

    @receiver.on("load_completed")
    async def handle(event: WebhookEvent) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("first delivery fails")
        seen.append(event)

    runner = web.AppRunner(receiver.app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/hooks", receiver, seen
    await runner.cleanup()


async def test_receiver_retry_then_dedup(
    receiver_url: tuple[str, WebhookReceiver, list[WebhookEvent]],
) -> None:
    url, _, seen = receiver_url
    async with aiohttp.ClientSession() as http:
        statuses = []
        for _ in range(3):
            async with http.post(url, data=BODY, headers=_headers()) as resp:
                statuses.append(resp.status)
        assert statuses == [500, 200, 200]
        assert len(seen) == 1 and seen[0].id == EVENT["id"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "reason"),
    [
        (BODY + b" ", _headers(), 401, "bad_signature"),
        (BODY, _headers(secret="wrong"), 401, "bad_signature"),
        (BODY, {"X-Improvado-Idempotency-Key": "k"}, 401, "missing_signature"),
        (b"x" * 5000, _headers(b"x" * 5000), 413, "body_too_large"),
        (b"not json", _headers(b"not json"), 400, "malformed_json"),
    ],
)
async def test_receiver_rejections(
    receiver_url: tuple[str, WebhookReceiver, list[WebhookEvent]],
    body: bytes,
    headers: dict[str, str],
    status: int,
    reason: str,
) -> None:
    url, _, seen = receiver_url
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as resp:
        assert resp.status == status
        assert (await resp.json())["error"] == reason
    assert seen == []


async def test_receiver_answers_challenge(
    receiver_url: tuple[str, WebhookReceiver, list[WebhookEvent]],
) -> None:
    url, _, _ = receiver_url
    headers = {"X-Improvado-Challenge": "abc", "X-Improvado-Verify-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers=headers) as resp:
            assert (resp.status, await resp.text()) == (200, "abc")
        async with http.get(url, headers={**headers, "X-Improvado-Verify-Token": "x"}) as resp:
            assert resp.status == 403


def test_sync_package_reexports_the_same_functions() -> None:
    import improvado_async.webhooks as async_webhooks
    import improvado_sync.webhooks as sync_webhooks

    assert set(sync_webhooks.__all__) == set(async_webhooks.__all__)
    for name in sync_webhooks.__all__:
        assert getattr(sync_webhooks, name) is getattr(async_webhooks, name)
    event = sync_webhooks.parse_event(BODY, _headers(), [SECRET])
    assert event.id == EVENT["id"]
