"""Wire tests of the external_auth_links operations (create, list, revoke)."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.external_auth_links import ExternalAuthLink, ExternalAuthLinkStatus

from ..wire import call_once, make_client

LINK = {
    "id": 8001,
    "url": "https://embedded.improvado.io/embedded/external-auth/abc/",
    "email": "client@example.com",
    "datasource_name": "facebook",
    "send_email": True,
    "status": "pending",
    "expires_at": "2026-07-28T10:00:00Z",
    "created_at": "2026-07-14T10:00:00Z",
    "connection_id": None,
}
BASE = "/api/v3/datasources/facebook/external-auth-links"
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


@pytest.mark.parametrize(
    "response",
    [[LINK, {**LINK, "id": 8002}], _page(LINK, {**LINK, "id": 8002})],
    ids=["plain-list", "page"],
)
async def test_create_returns_every_link(response: Any) -> None:
    result, sent = await call_once(
        lambda c: c.external_auth_links.create(
            "facebook", send_email=True, emails=["a@example.com", "b@example.com"]
        ),
        method="POST",
        status=201,
        response=response,
    )
    assert isinstance(result, list) and [link.id for link in result] == [8001, 8002]
    assert all(isinstance(link, ExternalAuthLink) for link in result)
    assert (sent.method, sent.path, sent.auth) == ("POST", BASE, "bearer")
    assert sent.json == {"send_email": True, "emails": ["a@example.com", "b@example.com"]}


async def test_create_reads_a_single_link_as_a_one_element_list() -> None:
    result, sent = await call_once(
        lambda c: c.external_auth_links.create("facebook", send_email=False),
        method="POST",
        status=201,
        response=LINK,
    )
    assert len(result) == 1 and result[0].status is ExternalAuthLinkStatus.PENDING
    assert sent.json == {"send_email": False}


async def test_create_takes_one_address() -> None:
    _, sent = await call_once(
        lambda c: c.external_auth_links.create("facebook", emails="a@example.com"),
        method="POST",
        response=[LINK],
    )
    assert sent.json == {"emails": ["a@example.com"]}


async def test_list() -> None:
    result, sent = await call_once(
        lambda c: c.external_auth_links.list("facebook", page_size=25).first_page(),
        method="GET",
        response=_page(LINK),
    )
    assert isinstance(result, Page) and isinstance(result.results[0], ExternalAuthLink)
    assert (sent.method, sent.path, sent.auth) == ("GET", BASE, "bearer")
    assert sent.query == {"page": "1", "page_size": "25"}


async def test_revoke() -> None:
    result, sent = await call_once(
        lambda c: c.external_auth_links.revoke("facebook", 8001),
        method="POST",
        response={**LINK, "status": "revoked"},
    )
    assert isinstance(result, ExternalAuthLink) and result.status is ExternalAuthLinkStatus.REVOKED
    assert (sent.method, sent.path, sent.auth, sent.json) == (
        "POST",
        f"{BASE}/8001/revoke",
        "bearer",
        None,
    )


async def test_revoke_with_an_empty_answer_reads_the_link_back() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.post(ANY_URL, status=204, body="")
            revoked = {**LINK, "status": "revoked"}
            mock.get(ANY_URL, body=json.dumps(_page({**LINK, "id": 8000}, revoked)))
            result = await client.external_auth_links.revoke("facebook", 8001)
            requests = [(method, url.path) for (method, url) in mock.requests]
    assert result.id == 8001 and result.status == "revoked"
    assert requests == [("POST", f"{BASE}/8001/revoke"), ("GET", BASE)]


async def test_unknown_status_is_kept() -> None:
    result, _ = await call_once(
        lambda c: c.external_auth_links.revoke("facebook", 8001),
        method="POST",
        response={**LINK, "status": "archived"},
    )
    assert result.status == "archived" and not isinstance(result.status, ExternalAuthLinkStatus)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.external_auth_links.create(""), "datasource_name"),
        (lambda c: c.external_auth_links.create("facebook", send_email="no"), "send_email"),
        (lambda c: c.external_auth_links.create("facebook", emails=[""]), "emails"),
        (lambda c: c.external_auth_links.create("facebook", emails=[1]), "emails"),
        (lambda c: c.external_auth_links.create("facebook", emails=5), "emails"),
        (lambda c: c.external_auth_links.list(" "), "datasource_name"),
        (lambda c: c.external_auth_links.list("facebook", page_size=500), "page_size"),
        (
            lambda c: c.external_auth_links.revoke("facebook", "8001"),
            "external_auth_link_id",
        ),
        (lambda c: c.external_auth_links.revoke("", 8001), "datasource_name"),
    ],
)
async def test_validation_sends_nothing(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    await _rejected(call, field)
