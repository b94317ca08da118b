"""Wire tests of the connections and accounts operations."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.connections import Account, AccountSelection

from ..wire import call_once, make_client

ACCOUNT = {
    "id": 5001,
    "account_id": "act_123",
    "title": "Main ad account",
    "currency": "USD",
    "connection_id": 4001,
    "datasource_name": "facebook",
    "created_at": "2026-05-01T10:00:00Z",
    "updated_at": "2026-05-01T10:00:00Z",
    "is_active": True,
    "enabled_for_embedded_extraction": True,
    "details": {"timezone": "UTC"},
}
OTHER = {**ACCOUNT, "id": 5002, "account_id": "act_456", "enabled_for_embedded_extraction": False}
BASE = "/api/v3/connections/4001/accounts"
ANY_URL = re.compile(r"^http://127\.0\.0\.1:1/.*$")


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


async def test_connections_delete_returns_none() -> None:
    result, sent = await call_once(
        lambda c: c.connections.delete(4001), method="DELETE", status=204
    )
    assert result is None
    assert (sent.method, sent.path, sent.auth, sent.json) == (
        "DELETE",
        "/api/v3/connections/4001",
        "bearer",
        None,
    )


async def test_accounts_list() -> None:
    result, sent = await call_once(
        lambda c: c.accounts.list(4001, page_size=100).first_page(),
        method="GET",
        response=_page(ACCOUNT),
    )
    assert isinstance(result, Page) and isinstance(result.results[0], Account)
    account = result.results[0]
    assert account.account_id == "act_123" and account.details == {"timezone": "UTC"}
    assert (sent.method, sent.path, sent.auth) == ("GET", BASE, "bearer")
    assert sent.query == {"page": "1", "page_size": "100"}


@pytest.mark.parametrize(
    "selection",
    [
        {5001: True, 5002: False},
        [AccountSelection(5001, True), AccountSelection(5002, False)],
        (
            AccountSelection(id=5001, enabled_for_embedded_extraction=True),
            AccountSelection(5002, False),
        ),
    ],
    ids=["mapping", "list-of-selections", "tuple-of-selections"],
)
async def test_accounts_bulk_update_body(selection: Any) -> None:
    result, sent = await call_once(
        lambda c: c.accounts.bulk_update(4001, accounts=selection),
        method="PATCH",
        response=[ACCOUNT, OTHER],
    )
    assert isinstance(result, list) and all(isinstance(a, Account) for a in result)
    assert (sent.method, sent.path, sent.auth) == ("PATCH", BASE, "bearer")
    assert sent.json == {
        "accounts": [
            {"id": 5001, "enabled_for_embedded_extraction": True},
            {"id": 5002, "enabled_for_embedded_extraction": False},
        ]
    }


@pytest.mark.parametrize(
    "response",
    [[ACCOUNT, OTHER], _page(ACCOUNT, OTHER), {"accounts": [ACCOUNT, OTHER]}],
    ids=["plain-list", "page", "accounts-key"],
)
async def test_accounts_bulk_update_reads_a_list_or_a_page(response: Any) -> None:
    result, _ = await call_once(
        lambda c: c.accounts.bulk_update(4001, accounts={5001: True, 5002: False}),
        method="PATCH",
        response=response,
    )
    assert [a.id for a in result] == [5001, 5002]
    assert [a.enabled_for_embedded_extraction for a in result] == [True, False]


async def test_accounts_bulk_update_with_an_empty_answer_reads_the_accounts_back() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.patch(ANY_URL, status=204, body="")
            mock.get(ANY_URL, body=json.dumps(_page(ACCOUNT, OTHER)))
            result = await client.accounts.bulk_update(4001, accounts={5002: False})
            requests = [(method, url.path) for (method, url) in mock.requests]
    assert [a.id for a in result] == [5002]
    assert requests == [("PATCH", BASE), ("GET", BASE)]


async def test_accounts_update() -> None:
    result, sent = await call_once(
        lambda c: c.accounts.update(4001, 5002, enabled_for_embedded_extraction=True),
        method="PATCH",
        response={**OTHER, "enabled_for_embedded_extraction": True},
    )
    assert isinstance(result, Account) and result.enabled_for_embedded_extraction is True
    assert (sent.method, sent.path, sent.auth) == ("PATCH", f"{BASE}/5002", "bearer")
    assert sent.json == {"enabled_for_embedded_extraction": True}


async def test_accounts_update_with_an_empty_answer_reads_the_account_back() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.patch(ANY_URL, status=200, body="{}")
            mock.get(ANY_URL, body=json.dumps(_page(ACCOUNT, OTHER)))
            result = await client.accounts.update(4001, 5001, enabled_for_embedded_extraction=True)
            requests = [(method, url.path) for (method, url) in mock.requests]
    assert isinstance(result, Account) and result.id == 5001
    assert requests == [("PATCH", f"{BASE}/5001"), ("GET", BASE)]


async def test_unknown_account_keys_are_kept() -> None:
    result, _ = await call_once(
        lambda c: c.accounts.update(4001, 5001, enabled_for_embedded_extraction=True),
        method="PATCH",
        response={**ACCOUNT, "account_entity_id": "e-1"},
    )
    assert result.extra == {"account_entity_id": "e-1"}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.connections.delete("4001"), "connection_id"),
        (lambda c: c.connections.delete(-1), "connection_id"),
        (lambda c: c.accounts.list("4001"), "connection_id"),
        (lambda c: c.accounts.list(4001, page_size=101), "page_size"),
        (lambda c: c.accounts.bulk_update(4001, accounts={}), "accounts"),
        (lambda c: c.accounts.bulk_update(4001, accounts=[]), "accounts"),
        (lambda c: c.accounts.bulk_update(4001, accounts=[5001]), "accounts"),
        (lambda c: c.accounts.bulk_update(4001, accounts={"5001": True}), "accounts"),
        (lambda c: c.accounts.bulk_update(4001, accounts={5001: "yes"}), "accounts"),
        (
            lambda c: c.accounts.bulk_update(
                4001, accounts=[AccountSelection(1, True), AccountSelection(1, False)]
            ),
            "accounts",
        ),
        (lambda c: c.accounts.bulk_update("4001", accounts={1: True}), "connection_id"),
        (
            lambda c: c.accounts.update(4001, "5001", enabled_for_embedded_extraction=True),
            "account_id",
        ),
        (
            lambda c: c.accounts.update(4001, 5001, enabled_for_embedded_extraction=1),
            "enabled_for_embedded_extraction",
        ),
    ],
)
async def test_validation_sends_nothing(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    await _rejected(call, field)
