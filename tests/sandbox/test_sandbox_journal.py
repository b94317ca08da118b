"""The request journal."""

from __future__ import annotations

import json

from .helpers import Api


async def test_every_request_is_recorded(api: Api) -> None:
    api.sandbox.clear_requests()
    await api.call("GET", "/api/v3/loads", params={"page_size": "5"})
    await api.call("POST", "/api/v3/loads", json={"data_table_id": "bad"})
    await api.call("GET", "/does/not/exist")
    first, second, third = api.sandbox.requests
    assert (first.method, first.path, first.query, first.status) == (
        "GET",
        "/api/v3/loads",
        {"page_size": "5"},
        200,
    )
    assert first.header("authorization") == f"Bearer {api.token}"
    assert first.json is None
    assert second.status == 400
    assert second.json == {"data_table_id": "bad"}
    assert json.loads(second.body) == {"data_table_id": "bad"}
    assert (third.path, third.status) == ("/does/not/exist", 404)


async def test_clear_requests(api: Api) -> None:
    await api.call("GET", "/api/v3/loads")
    assert api.sandbox.requests
    api.sandbox.clear_requests()
    assert api.sandbox.requests == []


async def test_faulted_requests_are_recorded(api: Api) -> None:
    api.sandbox.clear_requests()
    api.sandbox.add_fault("GET", "*", status=429, times=1)
    await api.call("GET", "/api/v3/loads")
    assert [r.status for r in api.sandbox.requests] == [429]
