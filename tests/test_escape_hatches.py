"""Escape hatches (issue 13): extras on loads, ``client.request``, raw responses, empty answers.

The per-service extras tests for the other areas live in ``tests/operations``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import (
    AsyncImprovado,
    EmptyResponseError,
    Load,
    NotFoundError,
    Page,
    RawResponse,
    ResponseDecodeError,
    ValidationError,
)
from improvado_async.sandbox import Sandbox
from improvado_async.testing import SandboxThread
from improvado_sync import Improvado

from .operations.test_wire_loads import LOAD
from .wire import BASE, call_once, make_client

ANY_URL = re.compile(r"^http://127\.0\.0\.1:1/.*$")
EXTRAS: dict[str, Any] = {"extra_headers": {"X-Extra": "1"}, "extra_query": {"extra_q": "v"}}

LoadCall = Callable[[AsyncImprovado], Awaitable[Any]]

#: Every loads operation with valid arguments and the extras; whether it sends a JSON object.
LOAD_CALLS: dict[str, tuple[Callable[..., LoadCall], bool]] = {
    "loads.list": (lambda **x: lambda c: c.loads.list(**x).first_page(), False),
    "loads.create": (
        lambda **x: lambda c: c.loads.create(data_table_id=1, destination_connection_id=2, **x),
        True,
    ),
    "loads.get": (lambda **x: lambda c: c.loads.get(7, **x), False),
    "loads.update": (lambda **x: lambda c: c.loads.update(7, run_policy="manual", **x), True),
    "loads.delete": (lambda **x: lambda c: c.loads.delete(7, **x), False),
    "loads.pause": (lambda **x: lambda c: c.loads.pause(7, **x), True),
    "loads.unpause": (lambda **x: lambda c: c.loads.unpause(7, **x), True),
    "loads.run": (lambda **x: lambda c: c.loads.run(7, **x), True),
}


def test_every_loads_operation_is_covered() -> None:
    from tests.helpers import declared_operations

    loads = {name for name in declared_operations() if name.startswith("loads.")}
    assert loads == set(LOAD_CALLS)


@pytest.mark.parametrize("name", sorted(LOAD_CALLS))
async def test_extras_reach_the_wire(name: str) -> None:
    make, sends_object = LOAD_CALLS[name]
    extras = dict(EXTRAS)
    if sends_object:
        extras["extra_body"] = {"extra_field": True}
    response: Any = {"count": 1, "next": None, "results": [LOAD]} if name == "loads.list" else LOAD
    method = {"create": "POST", "get": "GET", "list": "GET", "delete": "DELETE"}
    verb = method.get(name.split(".")[1], "PUT")
    _, sent = await call_once(make(**extras), method=verb, response=response)
    assert sent.headers["X-Extra"] == "1"
    assert sent.query["extra_q"] == "v"
    if sends_object:
        assert sent.json["extra_field"] is True
        if name == "loads.create":
            assert sent.json["data_table_id"] == 1  # the SDK's own fields are kept


@pytest.mark.parametrize("name", ["loads.get", "loads.list", "loads.delete"])
async def test_extra_body_without_a_json_object_body_is_refused(name: str) -> None:
    make, _ = LOAD_CALLS[name]
    async with make_client() as client:
        with aioresponses() as mock:
            with pytest.raises(ValidationError) as info:
                await make(extra_body={"x": 1})(client)
            assert not mock.requests
    assert info.value.field == "extra_body"


async def test_extra_query_none_removes_the_sdks_parameter() -> None:
    _, sent = await call_once(
        lambda c: c.loads.list(data_table_id=3, extra_query={"data_table_id": None}).first_page(),
        method="GET",
        response={"count": 0, "next": None, "results": []},
    )
    assert "data_table_id" not in sent.query


@pytest.mark.parametrize("header", ["Authorization", "Cookie", "X-Bad\r\nInjected"])
async def test_extra_headers_cannot_replace_credentials_or_break_headers(header: str) -> None:
    async with make_client() as client:
        with pytest.raises(ValidationError, match="extra_headers"):
            await client.loads.get(7, extra_headers={header: "x"})


# -- empty answers --------------------------------------------------------------------------


async def test_an_update_answered_204_reads_the_load_back() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.put(f"{BASE}/api/v3/loads/7", status=204)
            mock.get(f"{BASE}/api/v3/loads/7", payload=LOAD)
            load = await client.loads.update(7, run_policy="manual")
    assert isinstance(load, Load) and load.id == 7


@pytest.mark.parametrize("body", ["", "{}"])
async def test_an_update_answered_empty_reads_the_load_back(body: str) -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.put(f"{BASE}/api/v3/loads/7", status=200, body=body)
            mock.get(f"{BASE}/api/v3/loads/7", payload=LOAD)
            assert (await client.loads.update(7, run_policy="manual")).id == 7


@pytest.mark.parametrize(("status", "body"), [(204, ""), (201, "{}"), (200, "")])
async def test_a_create_answered_without_an_object_is_an_empty_response_error(
    status: int, body: str
) -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.post(f"{BASE}/api/v3/loads", status=status, body=body)
            with pytest.raises(EmptyResponseError) as info:
                await client.loads.create(data_table_id=1, destination_connection_id=2)
            assert len(mock.requests) == 1  # never retried behind the caller's back
    assert isinstance(info.value, ResponseDecodeError)
    assert f"status {status}" in str(info.value) and "retry" in str(info.value)


# -- client.request -------------------------------------------------------------------------


async def test_client_request_uses_auth_and_casts(sandbox: Sandbox, client: AsyncImprovado) -> None:
    data = await client.request("GET", "/api/v3/loads/3001")
    assert data["id"] == 3001
    load = await client.request("GET", "/api/v3/loads/3001", cast_to=Load)
    assert isinstance(load, Load) and load.id == 3001
    page = await client.request("GET", "/api/v3/loads", params={"page_size": 1})
    assert page["count"] >= 1 and len(page["results"]) == 1
    workspaces = await client.request("GET", "/api/v3/workspaces", scope="agency")
    assert workspaces["results"]
    with pytest.raises(NotFoundError):
        await client.request("GET", "/api/v3/loads/999999")
    assert any(r.path == "/api/v3/loads/3001" for r in sandbox.requests)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("BREW", "/api/v3/loads"), "method"),
        (("GET", "https://elsewhere.example/api"), "path"),
        (("GET", "//elsewhere.example/api"), "path"),
        (("GET", "/api/v3/loads?page=2"), "path"),
        (("GET", "/api/v3/loads/{load_id}"), "path"),
    ],
)
async def test_client_request_refuses_what_it_cannot_send(
    args: tuple[str, str], field: str
) -> None:
    async with make_client() as client:
        with pytest.raises(ValidationError) as info:
            await client.request(*args)
    assert info.value.field == field


def test_sync_client_request_and_raw_response(
    sync_client: Improvado, threaded_sandbox: SandboxThread
) -> None:
    assert sync_client.request("GET", "/api/v3/loads/3001")["id"] == 3001
    raw = sync_client.with_raw_response.loads.get(3001)
    assert isinstance(raw, RawResponse) and raw.status == 200
    assert raw.parse().id == 3001
    assert b'"id":3001' in raw.content.replace(b" ", b"")
    page = sync_client.with_raw_response.loads.list(page_size=1).parse()
    assert isinstance(page, Page) and len(page.results) == 1


# -- raw responses --------------------------------------------------------------------------


async def test_raw_response_of_a_get(client: AsyncImprovado) -> None:
    raw = await client.with_raw_response.loads.get(3001)
    assert raw.status == 200 and raw.attempts == 1 and raw.elapsed > 0
    assert raw.headers["Content-Type"].startswith("application/json")
    parsed = raw.parse()
    assert isinstance(parsed, Load) and parsed.id == 3001
    assert parsed == await client.loads.get(3001)


async def test_raw_response_of_a_list_is_its_first_page(client: AsyncImprovado) -> None:
    raw = await client.with_raw_response.loads.list(page_size=1)
    page = raw.parse()
    assert isinstance(page, Page) and page.number == 1 and len(page.results) == 1
    assert b'"count"' in raw.content


async def test_raw_response_survives_a_body_the_models_cannot_read() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.get(f"{BASE}/api/v3/loads/7", status=200, body="<html>maintenance</html>")
            raw = await client.with_raw_response.loads.get(7)
    assert raw.status == 200 and raw.content == b"<html>maintenance</html>"
    with pytest.raises(ResponseDecodeError):
        raw.parse()


async def test_raw_response_raises_status_errors(client: AsyncImprovado) -> None:
    with pytest.raises(NotFoundError):
        await client.with_raw_response.loads.get(999999)


async def test_raw_response_counts_retries(sandbox: Sandbox, client: AsyncImprovado) -> None:
    retrying = client.with_options(retry=2)
    sandbox.add_fault("GET", "/api/v3/loads/*", status=503, times=1)
    raw = await retrying.with_raw_response.loads.get(3001)
    assert raw.attempts == 2 and raw.status == 200


async def test_strict_responses_raise_where_lenient_clients_keep(sandbox: Sandbox) -> None:
    body = {"id": 7, "status": "success", "uploaded_rows_count": "many"}
    async with make_client() as lenient:
        with aioresponses() as mock:
            mock.get(f"{BASE}/api/v3/loads/7", payload=body)
            load = await lenient.loads.get(7)
        assert load.uploaded_rows_count == "many"  # kept as received
        assert lenient.shape_report()["Load.uploaded_rows_count"]["kept_raw"] == 1
    strict = AsyncImprovado(token="t", workspace_id=1, base_url=BASE, strict_responses=True)
    async with strict:
        with aioresponses() as mock:
            mock.get(f"{BASE}/api/v3/loads/7", payload=body)
            with pytest.raises(ResponseDecodeError, match="uploaded_rows_count"):
                await strict.loads.get(7)
