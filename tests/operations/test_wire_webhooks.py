"""Wire tests of webhook endpoints and event types (trailing slashes, auth, body, models)."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.webhooks import (
    EventTypeInfo,
    WebhookEndpoint,
    WebhookEndpointStatus,
    WebhookEventType,
)

from ..wire import call_once, make_client

ENDPOINT = {
    "id": 5,
    "url": "https://hooks.example.com/improvado",
    "event_types": ["load_completed"],
    "status": "unverified",
    "secret": "whsec_abc",
}
ANY_URL = re.compile(r"^http://127\.0\.0\.1:1/.*$")


async def _rejected(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    """The call raises ValidationError on ``field`` and sends nothing."""
    async with make_client() as client:
        with aioresponses() as mock:
            with pytest.raises(ValidationError) as info:
                result = call(client)
                if inspect.iscoroutine(result):  # list operations raise when called
                    await result
            assert not mock.requests
    assert info.value.field == field


async def _answered_then_read_back(
    call: Callable[[AsyncImprovado], Any], body: str, current: dict[str, Any]
) -> tuple[Any, list[tuple[str, str]]]:
    """Answer the POST with ``body`` and the read-back GET with ``current``."""
    async with make_client() as client:
        with aioresponses() as mock:
            mock.add(ANY_URL, method="POST", body=body, content_type="application/json")
            mock.add(ANY_URL, method="GET", body=json.dumps(current))
            result = await call(client)
            requests = [(m, url.path) for (m, url) in mock.requests]
    return result, requests


async def test_endpoints_list() -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [ENDPOINT]}
    result, sent = await call_once(
        lambda c: c.webhook_endpoints.list(page_size=5).first_page(), method="GET", response=page
    )
    assert isinstance(result, Page) and isinstance(result.results[0], WebhookEndpoint)
    assert (sent.method, sent.path, sent.auth) == ("GET", "/api/v3/webhook_endpoints/", "bearer")
    assert sent.query == {"page": "1", "page_size": "5"}


async def test_create() -> None:
    result, sent = await call_once(
        lambda c: c.webhook_endpoints.create(
            url="https://hooks.example.com/improvado",
            event_types=[WebhookEventType.LOAD_COMPLETED, "custom_event"],
        ),
        method="POST",
        status=201,
        response=ENDPOINT,
    )
    assert isinstance(result, WebhookEndpoint) and result.secret == "whsec_abc"
    assert result.status is WebhookEndpointStatus.UNVERIFIED and not result.is_active
    assert (sent.method, sent.path, sent.auth) == ("POST", "/api/v3/webhook_endpoints/", "bearer")
    assert sent.json == {
        "url": "https://hooks.example.com/improvado",
        "event_types": ["load_completed", "custom_event"],
    }


@pytest.mark.parametrize(
    ("call", "method", "path", "body"),
    [
        (lambda c: c.webhook_endpoints.get(5), "GET", "/api/v3/webhook_endpoints/5/", None),
        (
            lambda c: c.webhook_endpoints.update(5, event_types=["load_started"]),
            "PATCH",
            "/api/v3/webhook_endpoints/5/",
            {"event_types": ["load_started"]},
        ),
        (
            lambda c: c.webhook_endpoints.update(5, url="https://new.example.com/h"),
            "PATCH",
            "/api/v3/webhook_endpoints/5/",
            {"url": "https://new.example.com/h"},
        ),
        (
            lambda c: c.webhook_endpoints.verify(5),
            "POST",
            "/api/v3/webhook_endpoints/5/verify/",
            None,
        ),
        (
            lambda c: c.webhook_endpoints.regenerate_secret(5),
            "POST",
            "/api/v3/webhook_endpoints/5/regenerate_secret/",
            None,
        ),
    ],
)
async def test_endpoint_operations(call, method: str, path: str, body: object) -> None:  # type: ignore[no-untyped-def]
    result, sent = await call_once(call, method=method, response=ENDPOINT)
    assert isinstance(result, WebhookEndpoint) and result.id == 5
    assert (sent.method, sent.path, sent.auth, sent.json) == (method, path, "bearer", body)


async def test_delete_returns_none() -> None:
    result, sent = await call_once(
        lambda c: c.webhook_endpoints.delete(5), method="DELETE", status=204
    )
    assert result is None
    assert (sent.method, sent.path, sent.auth) == (
        "DELETE",
        "/api/v3/webhook_endpoints/5/",
        "bearer",
    )


async def test_regenerate_secret_answering_only_the_secret_keeps_it() -> None:
    current = {**ENDPOINT, "status": "active"}
    del current["secret"]
    result, requests = await _answered_then_read_back(
        lambda c: c.webhook_endpoints.regenerate_secret(5),
        json.dumps({"secret": "whsec_new", "status": "unverified"}),
        current,
    )
    assert isinstance(result, WebhookEndpoint) and result.secret == "whsec_new"
    assert result.status is WebhookEndpointStatus.UNVERIFIED
    assert requests == [
        ("POST", "/api/v3/webhook_endpoints/5/regenerate_secret/"),
        ("GET", "/api/v3/webhook_endpoints/5/"),
    ]


async def test_verify_with_an_empty_answer_reads_the_endpoint_back() -> None:
    result, requests = await _answered_then_read_back(
        lambda c: c.webhook_endpoints.verify(5), "", {**ENDPOINT, "status": "active"}
    )
    assert result.is_active
    assert requests == [
        ("POST", "/api/v3/webhook_endpoints/5/verify/"),
        ("GET", "/api/v3/webhook_endpoints/5/"),
    ]


async def test_secret_is_hidden_from_repr() -> None:
    result, _ = await call_once(
        lambda c: c.webhook_endpoints.get(5), method="GET", response=ENDPOINT
    )
    assert "whsec_abc" not in repr(result) and "'***'" in repr(result)
    assert "secret=None" in repr(WebhookEndpoint(id=1))


async def test_unknown_status_and_event_type_are_kept() -> None:
    result, _ = await call_once(
        lambda c: c.webhook_endpoints.get(5),
        method="GET",
        response={**ENDPOINT, "status": "disabled", "event_types": ["load_started", "new_kind"]},
    )
    assert result.status == "disabled" and not isinstance(result.status, WebhookEndpointStatus)
    assert result.event_types == [WebhookEventType.LOAD_STARTED, "new_kind"]
    assert result.event_types[0] is WebhookEventType.LOAD_STARTED


async def test_event_types_list_reads_a_plain_array_without_page_parameters() -> None:
    body = [{"name": "load_completed", "description": "A load has completed"}, {"name": "x_new"}]
    result, sent = await call_once(
        lambda c: c.webhook_event_types.list().first_page(), method="GET", response=body
    )
    assert isinstance(result, Page) and isinstance(result.results[0], EventTypeInfo)
    assert result.results[0].name is WebhookEventType.LOAD_COMPLETED
    assert result.results[1].name == "x_new" and result.count == 2
    assert (sent.method, sent.path, sent.auth) == ("GET", "/api/v3/webhook_event_types/", "bearer")
    assert sent.query == {}


async def test_event_types_list_reads_a_page_of_bare_names() -> None:
    page = {"count": 2, "next": None, "previous": None, "results": ["load_started", "x_new"]}
    result, _ = await call_once(
        lambda c: c.webhook_event_types.list().first_page(), method="GET", response=page
    )
    assert [item.name for item in result.results] == ["load_started", "x_new"]
    assert result.results[0].name is WebhookEventType.LOAD_STARTED


async def test_event_types_list_follows_a_next_link() -> None:
    first = {"count": 2, "next": "http://x/?page=2", "previous": None, "results": ["load_started"]}
    second = {"count": 2, "next": None, "previous": "http://x/", "results": [{"name": "x_new"}]}
    async with make_client() as client:
        with aioresponses() as mock:
            mock.add(ANY_URL, method="GET", body=json.dumps(first))
            mock.add(ANY_URL, method="GET", body=json.dumps(second))
            items = await client.webhook_event_types.list().to_list()
            calls = [call for calls in mock.requests.values() for call in calls]
            queries = [dict(call.kwargs.get("params") or {}) for call in calls]
    assert [item.name for item in items] == ["load_started", "x_new"]
    assert [{k: str(v) for k, v in q.items()} for q in queries] == [{}, {"page": "2"}]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda c: c.webhook_endpoints.create(url="http://x.example.com", event_types=["a"]),
            "url",
        ),
        (
            lambda c: c.webhook_endpoints.create(url="https://x.example.com", event_types=[]),
            "event_types",
        ),
        (
            lambda c: c.webhook_endpoints.create(
                url="https://x.example.com", event_types="load_started"
            ),
            "event_types",
        ),
        (
            lambda c: c.webhook_endpoints.create(url="https://x.example.com", event_types=[""]),
            "event_types",
        ),
        (lambda c: c.webhook_endpoints.update(5, url="ftp://x"), "url"),
        (lambda c: c.webhook_endpoints.update(5, event_types=()), "event_types"),
        (lambda c: c.webhook_endpoints.get("5"), "webhook_endpoint_id"),
        (lambda c: c.webhook_endpoints.delete(-1), "webhook_endpoint_id"),
        (lambda c: c.webhook_endpoints.list(page_size=500), "page_size"),
    ],
)
async def test_validation_sends_nothing(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    await _rejected(call, field)
