"""Wire tests of the destination_connections operations (method, URL, auth, body, model)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.destinations import (
    DestinationConnection,
    DestinationConnectionStatus,
)

from ..wire import call_once, make_client

CONNECTION = {"id": 4, "title": "Warehouse", "destination_name": "bigquery", "status": "active"}
BASE = "/api/v3/destinations/bigquery/connections"
ANY_URL = re.compile(r"^http://127\.0\.0\.1:1/.*$")


async def _rejected(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    """The call raises ValidationError on ``field`` and sends nothing."""
    async with make_client() as client:
        with aioresponses() as mock:
            with pytest.raises(ValidationError) as info:
                await call(client)
            assert not mock.requests
    assert info.value.field == field


async def _with_read_back(
    call: Callable[[AsyncImprovado], Awaitable[Any]], method: str
) -> tuple[Any, list[tuple[str, str]]]:
    """Answer ``method`` with an empty body and the read-back GET with the connection."""
    async with make_client() as client:
        with aioresponses() as mock:
            mock.add(ANY_URL, method=method, status=200, body="")
            mock.add(ANY_URL, method="GET", body=json.dumps(CONNECTION))
            result = await call(client)
            requests = [(m, str(url.path)) for (m, url) in mock.requests]
    return result, requests


async def test_list() -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [CONNECTION]}
    result, sent = await call_once(
        lambda c: c.destination_connections.list("bigquery", page_size=20).first_page(),
        method="GET",
        response=page,
    )
    assert isinstance(result, Page) and isinstance(result.results[0], DestinationConnection)
    assert (sent.method, sent.path, sent.auth) == ("GET", BASE, "bearer")
    assert sent.query == {"page": "1", "page_size": "20"}


async def test_create_sends_the_misspelt_key_and_the_destination_name() -> None:
    result, sent = await call_once(
        lambda c: c.destination_connections.create(
            "bigquery",
            title="Warehouse",
            connections_params={"project_id": "p1"},
            create_load_for_new_tables=True,
        ),
        method="POST",
        response=CONNECTION,
    )
    assert isinstance(result, DestinationConnection) and result.id == 4
    assert result.status is DestinationConnectionStatus.ACTIVE and result.is_active
    assert (sent.method, sent.path, sent.auth) == ("POST", BASE, "bearer")
    assert sent.json == {
        "title": "Warehouse",
        "create_load_for_new_tables": True,
        "destination_name": "bigquery",
        "conenctions_params": {"project_id": "p1"},
    }


async def test_get() -> None:
    result, sent = await call_once(
        lambda c: c.destination_connections.get("bigquery", 4), method="GET", response=CONNECTION
    )
    assert isinstance(result, DestinationConnection) and result.title == "Warehouse"
    assert (sent.method, sent.path, sent.auth, sent.json) == ("GET", f"{BASE}/4", "bearer", None)


async def test_update() -> None:
    result, sent = await call_once(
        lambda c: c.destination_connections.update(
            "bigquery", 4, title="Renamed", create_load_for_new_tables=False
        ),
        method="PATCH",
        response=CONNECTION,
    )
    assert isinstance(result, DestinationConnection)
    assert (sent.method, sent.path, sent.auth) == ("PATCH", f"{BASE}/4", "bearer")
    assert sent.json == {"title": "Renamed", "create_load_for_new_tables": False}


async def test_reauthorize_sends_the_correct_spelling() -> None:
    result, sent = await call_once(
        lambda c: c.destination_connections.reauthorize(
            "bigquery", 4, connection_params={"key": "v"}, title="Warehouse"
        ),
        method="PUT",
        response=CONNECTION,
    )
    assert isinstance(result, DestinationConnection)
    assert (sent.method, sent.path, sent.auth) == ("PUT", f"{BASE}/4", "bearer")
    assert sent.json == {"title": "Warehouse", "connection_params": {"key": "v"}}


async def test_recheck() -> None:
    result, sent = await call_once(
        lambda c: c.destination_connections.recheck("bigquery", destination_connection_id=4),
        method="PUT",
        response={**CONNECTION, "status": "error"},
    )
    assert isinstance(result, DestinationConnection) and result.status == "error"
    assert (sent.method, sent.path, sent.auth, sent.json) == (
        "PUT",
        f"{BASE}/4/recheck",
        "bearer",
        None,
    )


async def test_recheck_with_an_empty_answer_reads_the_connection_back() -> None:
    result, requests = await _with_read_back(
        lambda c: c.destination_connections.recheck("bigquery", 4), "PUT"
    )
    assert isinstance(result, DestinationConnection) and result.id == 4
    assert requests == [("PUT", f"{BASE}/4/recheck"), ("GET", f"{BASE}/4")]


async def test_reauthorize_with_an_empty_answer_reads_the_connection_back() -> None:
    result, requests = await _with_read_back(
        lambda c: c.destination_connections.reauthorize(
            "bigquery", 4, title="Warehouse", connection_params={}
        ),
        "PUT",
    )
    assert isinstance(result, DestinationConnection)
    assert requests == [("PUT", f"{BASE}/4"), ("GET", f"{BASE}/4")]


async def test_unknown_status_is_kept() -> None:
    result, _ = await call_once(
        lambda c: c.destination_connections.get("bigquery", 4),
        method="GET",
        response={**CONNECTION, "status": "quota_exceeded", "accounts_number": 0},
    )
    assert result.status == "quota_exceeded" and not result.is_active
    assert result.extra == {"accounts_number": 0}


async def test_destination_name_is_one_encoded_segment() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.add(ANY_URL, method="GET", body=json.dumps(CONNECTION))
            await client.destination_connections.get("my dest/x", 4)
            [(_, url)] = mock.requests
    assert url.raw_path == "/api/v3/destinations/my%20dest%2Fx/connections/4"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.destination_connections.get("", 4), "destination_name"),
        (
            lambda c: c.destination_connections.get("bigquery", "4"),
            "destination_connection_id",
        ),
        (
            lambda c: c.destination_connections.recheck("bigquery", 4.0),
            "destination_connection_id",
        ),
        (
            lambda c: c.destination_connections.create(
                "bigquery", title=" ", connections_params={}
            ),
            "title",
        ),
        (
            lambda c: c.destination_connections.create(
                "bigquery", title="t", connections_params=[("k", "v")]
            ),
            "connections_params",
        ),
        (
            lambda c: c.destination_connections.reauthorize(
                "bigquery", 4, title="t", connection_params="secret"
            ),
            "connection_params",
        ),
        (lambda c: c.destination_connections.update("bigquery", 4, title=""), "title"),
    ],
)
async def test_validation_sends_nothing(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    await _rejected(call, field)


async def test_list_validation_sends_nothing() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            with pytest.raises(ValidationError) as info:
                client.destination_connections.list("bigquery", page_size=0)
            assert not mock.requests
    assert info.value.field == "page_size"
