"""Every loads operation, its validation errors and the run state machine."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .helpers import Api

LOAD_KEYS = {
    "id",
    "data_table",
    "data_table_id",
    "destination_connection_id",
    "destination_name",
    "destination_table",
    "run_policy",
    "status",
    "last_update",
    "error_text",
    "uploaded_rows_count",
    "created_at",
    "schedule",
}


def _ids(api: Api) -> tuple[int, int]:
    sandbox = api.sandbox
    table = sandbox.state.data_tables(sandbox.workspace_id)[1]
    connection = sandbox.state.destination_connections(sandbox.workspace_id)[1]
    return table.id, connection.id


async def _create(api: Api, **extra: Any) -> dict[str, Any]:
    table_id, connection_id = _ids(api)
    body = {"data_table_id": table_id, "destination_connection_id": connection_id, **extra}
    status, load = await api.call("POST", "/api/v3/loads", json=body)
    assert status == 201, load
    return dict(load)


async def _wait_for_status(api: Api, load_id: int, wanted: str) -> dict[str, Any]:
    for _ in range(200):
        _, load = await api.call("GET", f"/api/v3/loads/{load_id}")
        if load["status"] == wanted:
            return dict(load)
        await asyncio.sleep(0.01)
    raise AssertionError(f"load {load_id} never reached {wanted}")


async def test_list_shape(api: Api) -> None:
    status, page = await api.call("GET", "/api/v3/loads")
    assert status == 200
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == len(page["results"]) == 1
    load = page["results"][0]
    assert set(load) == LOAD_KEYS
    assert load["created_at"].endswith("Z")
    assert set(load["data_table"]) == {"id", "title", "datasource_name"}


async def test_list_filters(api: Api) -> None:
    created = await _create(api)
    seeded = api.sandbox.state.loads(api.sandbox.workspace_id)[0]

    async def ids(**params: str) -> list[int]:
        status, page = await api.call("GET", "/api/v3/loads", params=params)
        assert status == 200
        return [load["id"] for load in page["results"]]

    assert await ids(data_table_id=str(created["data_table_id"])) == [created["id"]]
    both = f"{seeded.data_table_id},{created['data_table_id']}"
    assert await ids(data_table_id=both) == [seeded.id, created["id"]]
    assert await ids(destination_connection_id=str(seeded.destination_connection_id)) == [seeded.id]
    assert await ids(destination_name=created["destination_name"]) == [created["id"]]
    assert await ids(destination_name="bigquery,snowflake") == [seeded.id, created["id"]]
    assert await ids(destination_name="redshift") == []
    status, body = await api.call("GET", "/api/v3/loads", params={"data_table_id": "x"})
    assert status == 400 and "data_table_id" in body["details"]


async def test_create_defaults(api: Api) -> None:
    load = await _create(api)
    table = api.sandbox.state.data_tables(api.sandbox.workspace_id)[1]
    assert load["status"] == "active"
    assert load["run_policy"] == "after_extraction"
    assert load["destination_table"] == "google_ads_campaigns"
    assert load["data_table"] == {
        "id": table.id,
        "title": table.title,
        "datasource_name": table.datasource_name,
    }
    assert load["destination_name"] == "snowflake"
    assert load["uploaded_rows_count"] == 0
    assert load["last_update"] is None


async def test_create_with_options(api: Api) -> None:
    load = await _create(
        api, destination_table="custom", run_policy="manual", load_historical_data=True
    )
    assert (load["destination_table"], load["run_policy"]) == ("custom", "manual")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"destination_connection_id": 2001}, "data_table_id"),
        ({"data_table_id": 1001}, "destination_connection_id"),
        ({"data_table_id": "1001", "destination_connection_id": 2001}, "data_table_id"),
        ({"data_table_id": 1001, "destination_connection_id": True}, "destination_connection_id"),
        ({"data_table_id": 999999, "destination_connection_id": 2001}, "data_table_id"),
        ({"data_table_id": 1001, "destination_connection_id": 999999}, "destination_connection_id"),
        ({"data_table_id": 1001, "destination_connection_id": 2001, "run_policy": 5}, "run_policy"),
        (
            {"data_table_id": 1001, "destination_connection_id": 2001, "load_historical_data": "y"},
            "load_historical_data",
        ),
        (
            {"data_table_id": 1001, "destination_connection_id": 2001, "destination_table": ""},
            "destination_table",
        ),
    ],
)
async def test_create_validation(api: Api, body: dict[str, Any], field: str) -> None:
    status, error = await api.call("POST", "/api/v3/loads", json=body)
    assert status == 400
    assert field in error["details"]


async def test_create_rejects_malformed_and_non_object_json(api: Api) -> None:
    status, error = await api.call(
        "POST", "/api/v3/loads", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert status == 400 and error["details"].startswith("Malformed JSON")
    status, error = await api.call("POST", "/api/v3/loads", json=[1, 2])
    assert status == 400
    status, error = await api.call("POST", "/api/v3/loads")
    assert status == 400


async def test_get_update_delete(api: Api) -> None:
    load = await _create(api)
    path = f"/api/v3/loads/{load['id']}"
    assert await api.call("GET", path) == (200, load)
    schedule = {"type": "daily", "time": "04:00"}
    status, updated = await api.call("PUT", path, json={"schedule": schedule})
    assert status == 200
    assert (updated["schedule"], updated["run_policy"]) == (schedule, "after_extraction")
    status, updated = await api.call("PUT", path, json={"run_policy": "schedule"})
    assert (updated["schedule"], updated["run_policy"]) == (schedule, "schedule")
    status, updated = await api.call("PUT", path, json={"schedule": None})  # null clears it
    assert status == 200
    assert (updated["schedule"], updated["run_policy"]) == (None, "schedule")
    assert (await api.call("GET", path))[1]["schedule"] is None
    status, error = await api.call("PUT", path, json={"schedule": "daily"})
    assert status == 400 and "schedule" in error["details"]
    status, error = await api.call("PUT", path, json={"run_policy": 1})
    assert status == 400 and "run_policy" in error["details"]
    assert await api.call("DELETE", path) == (204, None)
    assert await api.call("GET", path) == (404, {"details": "Load not found."})
    assert (await api.call("DELETE", path))[0] == 404
    assert (await api.call("PUT", path, json={}))[0] == 404


async def test_pause_unpause(api: Api) -> None:
    load = await _create(api)
    status, paused = await api.call("PUT", f"/api/v3/loads/{load['id']}/pause")
    assert (status, paused["status"]) == (200, "paused")
    status, error = await api.call("PUT", f"/api/v3/loads/{load['id']}/run")
    assert status == 400 and "paused" in error["details"]
    status, active = await api.call("PUT", f"/api/v3/loads/{load['id']}/unpause")
    assert (status, active["status"]) == (200, "active")
    assert (await api.call("PUT", "/api/v3/loads/999999/pause"))[0] == 404


async def test_run_completes_with_rows(api: Api) -> None:
    load = await _create(api)
    status, running = await api.call("PUT", f"/api/v3/loads/{load['id']}/run")
    assert (status, running["status"]) == (200, "running")
    done = await _wait_for_status(api, load["id"], "success")
    assert done["uploaded_rows_count"] > 0
    assert done["last_update"] is not None


async def test_run_with_dates_scales_rows_by_days(api: Api) -> None:
    load = await _create(api)
    path = f"/api/v3/loads/{load['id']}/run"
    await api.call("PUT", path, json={"date_from": "2026-01-01", "date_to": "2026-01-01"})
    one_day = (await _wait_for_status(api, load["id"], "success"))["uploaded_rows_count"]
    await api.call("PUT", path, json={"date_from": "2026-01-01", "date_to": "2026-01-10"})
    ten_days = (await _wait_for_status(api, load["id"], "success"))["uploaded_rows_count"]
    assert ten_days == 10 * one_day


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"date_from": "2026-01-01"}, "date_from and date_to must be used together."),
        ({"date_to": "2026-01-01"}, "date_from and date_to must be used together."),
        ({"date_from": "2026-13-01", "date_to": "2026-12-01"}, "date_from"),
        ({"date_from": "2026-01-01", "date_to": "01/02/2026"}, "date_to"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_from"),
    ],
)
async def test_run_validation(api: Api, body: dict[str, Any], details: str) -> None:
    load = await _create(api)
    status, error = await api.call("PUT", f"/api/v3/loads/{load['id']}/run", json=body)
    assert status == 400
    assert details in error["details"]


async def test_pause_stops_a_running_load_from_completing(api: Api) -> None:
    load = await _create(api)
    await api.call("PUT", f"/api/v3/loads/{load['id']}/run")
    await api.call("PUT", f"/api/v3/loads/{load['id']}/pause")
    await asyncio.sleep(0.1)  # a run takes 0.02 s at time_scale=0.01
    _, current = await api.call("GET", f"/api/v3/loads/{load['id']}")
    assert current["status"] == "paused"


async def test_stop_cancels_running_loads(api: Api) -> None:
    load = await _create(api)
    api.sandbox.time_scale = 100.0  # make the run long enough to still be pending
    await api.call("PUT", f"/api/v3/loads/{load['id']}/run")
    await api.sandbox.stop()
    [row] = [
        row for row in api.sandbox.state.loads(api.sandbox.workspace_id) if row.id == load["id"]
    ]
    assert row.status == "running"
