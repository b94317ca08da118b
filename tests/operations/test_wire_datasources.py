"""Wire tests of the datasources and datasource_connections operations."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.connections import AccountsStatus, Connection, ConnectionStatus
from improvado_async.models.datasources import DataSource

from ..wire import call_once, make_client

CONNECTION = {
    "id": 4001,
    "uid": "c-1",
    "title": "Facebook main",
    "datasource_name": "facebook",
    "status": "active",
    "created_at": "2026-05-01T10:00:00Z",
    "updated_at": "2026-05-02T10:00:00Z",
    "accounts_number": 3,
    "enabled_for_extraction_accounts_number": 0,
    "accounts_status": "ok",
    "update_accounts_last_successed": "2026-05-02 10:00:00.000000",
    "update_accounts_was_successfull": True,
}
BASE = "/api/v3/datasources/facebook/connections"


def _page(*items: Any) -> dict[str, Any]:
    return {"count": len(items), "next": None, "previous": None, "results": list(items)}


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


async def test_datasources_list_with_category_filter() -> None:
    item = {"name": "facebook", "title": "Facebook Ads", "categories": ["ads", "social"]}
    result, sent = await call_once(
        lambda c: c.datasources.list(category="ads", page_size=50).first_page(),
        method="GET",
        response=_page(item),
    )
    assert isinstance(result, Page) and isinstance(result.results[0], DataSource)
    assert result.results[0].all_categories == ["ads", "social"]
    assert (sent.method, sent.path, sent.auth) == ("GET", "/api/v3/datasources", "bearer")
    assert sent.query == {"category": "ads", "page": "1", "page_size": "50"}


async def test_datasources_list_without_filter_sends_no_category() -> None:
    _, sent = await call_once(
        lambda c: c.datasources.list().first_page(), method="GET", response=_page()
    )
    assert sent.query == {"page": "1"}


@pytest.mark.parametrize(
    ("item", "categories"),
    [
        ({"name": "reddit", "category": "ads"}, ["ads"]),
        ({"name": "reddit", "categories": ["social"], "category": "ads"}, ["social", "ads"]),
        ({"name": "reddit", "categories": ["ads"], "category": "ads"}, ["ads"]),
        ({"name": "reddit"}, []),
    ],
)
async def test_datasource_reads_category_and_categories(
    item: dict[str, Any], categories: list[str]
) -> None:
    result, _ = await call_once(
        lambda c: c.datasources.list().first_page(), method="GET", response=_page(item)
    )
    source = result.results[0]
    assert source.all_categories == categories and source.extra == {}


async def test_datasource_connections_list() -> None:
    result, sent = await call_once(
        lambda c: c.datasource_connections.list("facebook", page=2, page_size=20).first_page(),
        method="GET",
        response=_page(CONNECTION),
    )
    assert isinstance(result, Page) and isinstance(result.results[0], Connection)
    connection = result.results[0]
    assert connection.status is ConnectionStatus.ACTIVE
    assert connection.accounts_status is AccountsStatus.OK
    assert (sent.method, sent.path, sent.auth) == ("GET", BASE, "bearer")
    assert sent.query == {"page": "2", "page_size": "20"}


async def test_connection_misspelled_wire_keys_map_to_corrected_names() -> None:
    result, _ = await call_once(
        lambda c: c.datasource_connections.list("facebook").first_page(),
        method="GET",
        response=_page(CONNECTION),
    )
    connection = result.results[0]
    assert connection.update_accounts_was_successful is True
    assert connection.update_accounts_last_succeeded is not None
    assert connection.update_accounts_last_succeeded.isoformat() == "2026-05-02T10:00:00+00:00"
    assert connection.extra == {}


async def test_connection_correctly_spelled_keys_are_not_taken_for_the_wire_names() -> None:
    item = {"id": 1, "update_accounts_was_successful": False}
    result, _ = await call_once(
        lambda c: c.datasource_connections.list("facebook").first_page(),
        method="GET",
        response=_page(item),
    )
    connection = result.results[0]
    assert connection.update_accounts_was_successful is None
    assert connection.extra == {"update_accounts_was_successful": False}


async def test_connection_unknown_enum_values_are_kept() -> None:
    item = {**CONNECTION, "status": "reauth_required", "accounts_status": "syncing"}
    result, _ = await call_once(
        lambda c: c.datasource_connections.list("facebook").first_page(),
        method="GET",
        response=_page(item),
    )
    connection = result.results[0]
    assert connection.status == "reauth_required"
    assert not isinstance(connection.status, ConnectionStatus)
    assert connection.accounts_status == "syncing"


async def test_datasource_connections_delete_returns_none() -> None:
    result, sent = await call_once(
        lambda c: c.datasource_connections.delete("facebook", 4001), method="DELETE", status=204
    )
    assert result is None
    assert (sent.method, sent.path, sent.auth, sent.json) == (
        "DELETE",
        f"{BASE}/4001",
        "bearer",
        None,
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.datasources.list(category=""), "category"),
        (lambda c: c.datasources.list(category=["ads"]), "category"),
        (lambda c: c.datasources.list(page_size=101), "page_size"),
        (lambda c: c.datasource_connections.list(""), "datasource_name"),
        (lambda c: c.datasource_connections.list("facebook", page_size=0), "page_size"),
        (lambda c: c.datasource_connections.delete("", 1), "datasource_name"),
        (lambda c: c.datasource_connections.delete("facebook", "1"), "connection_id"),
    ],
)
async def test_validation_sends_nothing(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    await _rejected(call, field)
