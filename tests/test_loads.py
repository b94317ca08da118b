"""Every loads operation end to end against the sandbox, through both clients."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from improvado_async import (
    AsyncImprovado,
    BadRequestError,
    Load,
    LoadStatus,
    NotFoundError,
    Page,
    ValidationError,
)
from improvado_async.sandbox import Sandbox
from improvado_async.testing import SandboxThread
from improvado_sync import Improvado


def _ids(sandbox: Sandbox) -> tuple[int, int]:
    table = sandbox.state.data_tables(sandbox.workspace_id)[0].id
    destination = sandbox.state.destination_connections(sandbox.workspace_id)[0].id
    return table, destination


async def _wait_terminal(client: AsyncImprovado, load_id: int) -> Load:
    for _ in range(200):
        load = await client.loads.get(load_id)
        if load.is_terminal:
            return load
        await asyncio.sleep(0.01)
    raise AssertionError("load never finished")


async def test_async_load_lifecycle(client: AsyncImprovado, sandbox: Sandbox) -> None:
    table_id, destination_id = _ids(sandbox)
    created = await client.loads.create(
        data_table_id=table_id, destination_connection_id=destination_id, destination_table="t1"
    )
    assert isinstance(created, Load)
    assert created.status == LoadStatus.ACTIVE
    assert created.destination_table == "t1"
    post = sandbox.requests[-1]
    assert (post.method, post.path) == ("POST", "/api/v3/loads")
    assert post.json == {
        "data_table_id": table_id,
        "destination_connection_id": destination_id,
        "destination_table": "t1",
    }
    assert post.headers["Authorization"].startswith("Bearer ")

    fetched = await client.loads.get(created.id)
    assert fetched.id == created.id
    assert fetched.data_table is not None and fetched.data_table.id == table_id

    updated = await client.loads.update(created.id, run_policy="manual")
    assert updated.run_policy == "manual"
    assert sandbox.requests[-1].method == "PUT"

    paused = await client.loads.pause(created.id)
    assert paused.status == LoadStatus.PAUSED
    assert sandbox.requests[-1].path == f"/api/v3/loads/{created.id}/pause"
    assert (await client.loads.unpause(created.id)).status == LoadStatus.ACTIVE

    running = await client.loads.run(
        created.id, date_from=dt.date(2026, 1, 1), date_to="2026-01-31"
    )
    assert running.status == LoadStatus.RUNNING
    run_request = sandbox.requests[-1]
    assert (run_request.method, run_request.path) == ("PUT", f"/api/v3/loads/{created.id}/run")
    assert run_request.json == {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    finished = await _wait_terminal(client, created.id)
    assert finished.status == LoadStatus.SUCCESS
    assert finished.uploaded_rows_count and finished.uploaded_rows_count > 0

    listed = await client.loads.list(data_table_id=table_id).to_list()
    assert created.id in [load.id for load in listed]
    assert sandbox.requests[-1].query["data_table_id"] == str(table_id)

    assert await client.loads.delete(created.id) is None
    assert sandbox.requests[-1].method == "DELETE"
    with pytest.raises(NotFoundError) as info:
        await client.loads.get(created.id)
    assert info.value.status == 404
    assert info.value.details  # the API's details text is the message


async def test_list_returns_paginator(client: AsyncImprovado, sandbox: Sandbox) -> None:
    table_id, destination_id = _ids(sandbox)
    for i in range(5):
        await client.loads.create(
            data_table_id=table_id,
            destination_connection_id=destination_id,
            destination_table=f"x{i}",
        )
    first = await client.loads.list(page_size=2)
    assert isinstance(first, Page)
    assert len(first.results) == 2 and first.count >= 5 and first.next is not None
    every = [load.id async for load in client.loads.list(page_size=2)]
    assert every == sorted(every) and len(every) == first.count
    pages = [p async for p in client.loads.list(page_size=2).pages()]
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert len(await client.loads.list(page_size=2).to_list(limit=3)) == 3
    parallel = [load.id async for load in client.loads.list(page_size=2, concurrency=3)]
    assert parallel == every


async def test_run_with_one_date_sends_nothing(client: AsyncImprovado, sandbox: Sandbox) -> None:
    before = len(sandbox.requests)
    with pytest.raises(ValidationError) as info:
        await client.loads.run(1, date_from="2026-01-01")
    assert info.value.field == "date_to"
    with pytest.raises(ValidationError):
        await client.loads.run(1, date_to=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as bad:
        await client.loads.run(1, date_from="2026-02-01", date_to="2026-01-01")
    assert bad.value.field == "date_from"
    with pytest.raises(ValidationError) as wrong_id:
        await client.loads.get("7")  # type: ignore[arg-type]
    assert wrong_id.value.field == "load_id"
    with pytest.raises(ValidationError) as size:
        client.loads.list(page_size=101)
    assert size.value.field == "page_size"
    assert len(sandbox.requests) == before


async def test_create_with_unknown_table_is_bad_request(
    client: AsyncImprovado, sandbox: Sandbox
) -> None:
    _, destination_id = _ids(sandbox)
    with pytest.raises(BadRequestError) as info:
        await client.loads.create(data_table_id=987654, destination_connection_id=destination_id)
    assert "data_table_id" in str(info.value)


def test_sync_load_lifecycle(sync_client: Improvado, threaded_sandbox: SandboxThread) -> None:
    sb = threaded_sandbox.sandbox
    table_id, destination_id = threaded_sandbox.sync(lambda: _ids(sb))
    created = sync_client.loads.create(
        data_table_id=table_id, destination_connection_id=destination_id
    )
    assert isinstance(created, Load)
    assert sync_client.loads.get(created.id).id == created.id
    assert sync_client.loads.update(created.id, run_policy="schedule").run_policy == "schedule"
    assert sync_client.loads.pause(created.id).status == LoadStatus.PAUSED
    assert sync_client.loads.unpause(created.id).status == LoadStatus.ACTIVE
    assert sync_client.loads.run(created.id).status == LoadStatus.RUNNING
    first = sync_client.loads.list(page_size=1).first_page()
    assert isinstance(first, Page) and len(first.results) == 1
    ids = [load.id for load in sync_client.loads.list(page_size=1)]
    assert created.id in ids and ids == sorted(ids)
    assert len(list(sync_client.loads.list(page_size=1).pages())) == len(ids)
    assert sync_client.loads.delete(created.id) is None
    with pytest.raises(NotFoundError):
        sync_client.loads.get(created.id)
    token = sync_client.auth.create_token(workspace_id=sb.workspace_id)
    assert token.token and "***" in repr(token)


async def test_wait_returns_finished_load(client: AsyncImprovado, sandbox: Sandbox) -> None:
    table_id, destination_id = _ids(sandbox)
    load = await client.loads.create(
        data_table_id=table_id, destination_connection_id=destination_id
    )
    await client.loads.run(load.id)
    seen: list[str] = []
    done = await client.loads.wait(
        load.id, poll_interval=0.005, on_progress=lambda item: seen.append(str(item.status))
    )
    assert done.status == LoadStatus.SUCCESS
    assert done.uploaded_rows_count and done.uploaded_rows_count > 0
    assert seen[-1] == "success" and len(seen) >= 1


async def test_wait_times_out_with_last_model(client: AsyncImprovado, sandbox: Sandbox) -> None:
    from improvado_async.errors import WaitTimeoutError

    table_id, destination_id = _ids(sandbox)
    load = await client.loads.create(
        data_table_id=table_id, destination_connection_id=destination_id
    )
    with pytest.raises(WaitTimeoutError) as info:
        await client.loads.wait(load.id, max_wait=0.05, poll_interval=0.01)
    assert info.value.last.id == load.id


async def test_wait_raises_run_failed_with_api_text() -> None:
    import re

    from aioresponses import aioresponses

    from improvado_async.errors import RunFailedError

    url = re.compile(r"^http://127\.0\.0\.1:1/api/v3/loads/7$")
    async with AsyncImprovado(token="t", base_url="http://127.0.0.1:1") as client:
        with aioresponses() as mock:
            mock.get(url, payload={"id": 7, "status": "running"})
            mock.get(url, payload={"id": 7, "status": "error", "error_text": "Table is locked"})
            with pytest.raises(RunFailedError) as info:
                await client.loads.wait(7, poll_interval=0.001)
    assert info.value.error_text == "Table is locked"
    assert "Table is locked" in str(info.value)


@pytest.mark.parametrize(
    ("status", "terminal"),
    [("success", True), ("error", True), ("paused", True), ("running", False), ("active", False)],
)
def test_is_terminal_is_what_wait_stops_on(status: str, terminal: bool) -> None:
    from improvado_async.models._converter import structure
    from improvado_async.models.extracts import EXTRACT_DONE, EXTRACT_FAILED, Extract
    from improvado_async.models.loads import LOAD_DONE, LOAD_FAILED

    load = structure({"id": 1, "status": status}, Load)
    extract = structure({"id": 1, "status": status if status != "running" else "syncing"}, Extract)
    assert load.is_terminal is terminal is (status in LOAD_DONE | LOAD_FAILED)
    assert extract.is_terminal is terminal
    assert extract.is_terminal is (str(extract.status) in EXTRACT_DONE | EXTRACT_FAILED)
