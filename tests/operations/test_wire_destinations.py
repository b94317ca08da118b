"""Wire tests of destinations.list (method, URL, query, auth, returned page)."""

from __future__ import annotations

import pytest
from aioresponses import aioresponses

from improvado_async import Page, ValidationError
from improvado_async.models.destinations import Destination

from ..wire import call_once, make_client


async def test_destinations_list() -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [{"name": "bigquery"}]}
    result, sent = await call_once(
        lambda c: c.destinations.list(page=2, page_size=10).first_page(),
        method="GET",
        response=page,
    )
    assert isinstance(result, Page) and isinstance(result.results[0], Destination)
    assert result.results[0].name == "bigquery" and result.number == 2
    assert (sent.method, sent.path, sent.auth) == ("GET", "/api/v3/destinations", "bearer")
    assert sent.query == {"page": "2", "page_size": "10"}


async def test_destinations_list_reads_a_plain_array() -> None:
    result, _ = await call_once(
        lambda c: c.destinations.list().first_page(),
        method="GET",
        response=[{"name": "s3", "title": "Amazon S3", "category": "files"}],
    )
    assert result.count == 1 and result.results[0].title == "Amazon S3"
    assert result.results[0].extra == {"category": "files"}


async def test_destinations_list_rejects_page_size_above_100() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            with pytest.raises(ValidationError) as info:
                client.destinations.list(page_size=101)
            assert not mock.requests
    assert info.value.field == "page_size"
