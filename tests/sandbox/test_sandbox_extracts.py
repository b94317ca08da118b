"""Extracts: v3.1 create (creates a data table), list filters, updates, run chain, migrate-wide."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .helpers import Api

CREATE = "/api/v3.1/extracts/"


def _fb(api: Api, wide: bool = False) -> tuple[int, list[int]]:
    state = api.sandbox.state
    template = state.templates_of("facebook")[1 if wide else 0]
    connection = state.connections(api.sandbox.workspace_id)[0]
    accounts = [a.id for a in state.accounts(api.sandbox.workspace_id, connection.id)]
    return template.id, accounts


async def _create(api: Api, *, wide: bool = False, **extra: Any) -> list[dict[str, Any]]:
    template_id, accounts = _fb(api, wide)
    body = {"data_table_title": "FB New", "template_id": template_id, "accounts": accounts[:2]}
    status, extracts = await api.call("POST", CREATE, json={**body, **extra})
    assert status == 201, extracts
    return list(extracts)


async def _wait(api: Api, path: str, key: str, wanted: str) -> dict[str, Any]:
    for _ in range(300):
        _, obj = await api.call("GET", path)
        if obj[key] == wanted:
            return dict(obj)
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} never reached {key}={wanted}")


async def test_create_makes_table_and_one_extract_per_account(api: Api) -> None:
    extracts = await _create(api, template_settings={"fields": ["date", "clicks"]})
    assert len(extracts) == 2
    first = extracts[0]
    assert first["status"] == "active" and first["fields"] == ["date", "clicks"]
    assert isinstance(first["account_embedded_id"], int) and isinstance(first["account_id"], str)
    assert extracts[1]["data_table_id"] == first["data_table_id"]
    status, table = await api.call("GET", f"/api/v3/data-tables/{first['data_table_id']}")
    assert status == 200 and table["title"] == "FB New"
    assert [f["name"] for f in table["fields"]] == [
        "date",
        "clicks",
        "account_id",
        "account_name",
        "__insert_date",
    ]


async def test_create_auto_loads(api: Api) -> None:
    connection = api.sandbox.state.destination_connections(api.sandbox.workspace_id)[2]
    connection.create_load_for_new_tables = True
    [extract, _] = await _create(api)
    _, page = await api.call(
        "GET", "/api/v3/loads", params={"data_table_id": str(extract["data_table_id"])}
    )
    assert page["count"] == 1 and page["results"][0]["destination_connection_id"] == connection.id


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"data_table_title": None}, "data_table_title"),
        ({"template_id": 999999}, "template_id"),
        ({"accounts": []}, "accounts"),
        ({"accounts": [999999]}, "accounts"),
        ({"template_settings": {"fields": ["nope"]}}, "nope"),
        ({"template_settings": {"custom_settings": {"attribution_window": "x"}}}, "attribution"),
    ],
)
async def test_create_validation(api: Api, patch: dict[str, Any], field: str) -> None:
    template_id, accounts = _fb(api)
    body = {"data_table_title": "T", "template_id": template_id, "accounts": accounts[:1], **patch}
    status, error = await api.call(
        "POST", CREATE, json={k: v for k, v in body.items() if v is not None}
    )
    assert status == 400 and field in error["details"]


async def test_create_rejects_mixed_connections_and_wrong_source(api: Api) -> None:
    state = api.sandbox.state
    ws = api.sandbox.workspace_id
    template_id, accounts = _fb(api)
    other = state.accounts(ws, state.connections(ws)[1].id)[0].id
    google = state.accounts(ws, state.connections(ws)[2].id)[0].id
    for ids in ([accounts[0], other], [google]):
        status, _ = await api.call(
            "POST",
            CREATE,
            json={"data_table_title": "T", "template_id": template_id, "accounts": ids},
        )
        assert status == 400


async def test_list_filters(api: Api) -> None:
    created = await _create(api)
    seeded = api.sandbox.state.extracts(api.sandbox.workspace_id)[0]

    async def ids(**params: str) -> list[int]:
        _, page = await api.call("GET", "/api/v3/extracts", params=params)
        return [e["id"] for e in page["results"]]

    all_ids = [seeded.id, *(e["id"] for e in created)]
    assert await ids() == all_ids
    assert await ids(datasource_name="facebook,reddit") == all_ids
    assert await ids(datasource_name="reddit") == []
    assert await ids(data_table_id=str(created[0]["data_table_id"])) == all_ids[1:]
    assert await ids(connection_id=f"{seeded.connection_id},1") == all_ids
    assert (await api.call("GET", "/api/v3/extracts/", params={"connection_id": "a"}))[0] == 400


async def test_get_put_patch(api: Api, other_api: Api) -> None:
    [extract, _] = await _create(api, template_settings={"fields": ["date", "clicks"]})
    path = f"/api/v3/extracts/{extract['id']}"
    assert await api.call("GET", path) == (200, extract)
    assert (await other_api.call("GET", path))[0] == 404
    status, error = await api.call("PUT", path, json={"additional_params": {}})
    assert status == 400 and "fields" in error["details"]
    status, updated = await api.call(
        "PUT",
        path,
        json={"fields": ["date", "clicks", "spend"], "sync_historical_data": "2025-02-25"},
    )
    assert status == 200
    assert updated["fields"] == ["date", "clicks", "spend"]
    assert updated["sync_historical_data"] == "2025-02-25"
    _, table = await api.call("GET", f"/api/v3/data-tables/{extract['data_table_id']}")
    assert "spend" in [f["name"] for f in table["fields"]]
    status, patched = await api.call("PATCH", path, json={"additional_params": {"a": 1}})
    assert (status, patched["additional_params"], patched["fields"]) == (
        200,
        {"a": 1},
        ["date", "clicks", "spend"],
    )
    status, patched = await api.call("PATCH", path, json={"sync_historical_data": None})
    assert patched["sync_historical_data"] is None
    bad: list[dict[str, Any]] = [
        {"fields": ["x"]},
        {"sync_historical_data": "yesterday"},
        {"schedules": {}},
    ]
    for body in bad:
        assert (await api.call("PATCH", path, json=body))[0] == 400


async def test_pause_unpause_run_and_load_chain(api: Api) -> None:
    seeded = api.sandbox.state.extracts(api.sandbox.workspace_id)[0]
    path = f"/api/v3/extracts/{seeded.id}"
    status, paused = await api.call("POST", f"{path}/pause")
    assert (status, paused["status"]) == (200, "paused")
    status, error = await api.call("POST", f"{path}/run")
    assert status == 400 and "paused" in error["details"]
    status, active = await api.call("POST", f"{path}/unpause")
    assert (status, active["status"]) == (200, "active")
    status, error = await api.call("POST", f"{path}/run", json={"date_from": "2026-01-01"})
    assert status == 400 and error["details"] == "date_from and date_to must be used together."
    status, syncing = await api.call(
        "POST", f"{path}/run", json={"date_from": "2026-01-01", "date_to": "2026-01-02"}
    )
    assert (status, syncing["status"]) == (200, "syncing")
    done = await _wait(api, path, "status", "success")
    assert done["last_sync"] != "2026-05-01T10:00:00Z"
    # The seeded load of the same table follows ("after_extraction") and succeeds.
    load = api.sandbox.state.loads(api.sandbox.workspace_id)[0]
    loaded = await _wait(api, f"/api/v3/loads/{load.id}", "status", "success")
    assert loaded["uploaded_rows_count"] > 0


async def test_connection_delete_pauses_extracts(api: Api) -> None:
    seeded = api.sandbox.state.extracts(api.sandbox.workspace_id)[0]
    await api.call("DELETE", f"/api/v3/connections/{seeded.connection_id}")
    _, extract = await api.call("GET", f"/api/v3/extracts/{seeded.id}")
    assert extract["status"] == "paused"


async def test_migrate_wide(api: Api) -> None:
    [source, _] = await _create(api, wide=True)
    status, result = await api.call(
        "POST",
        "/api/v3/extracts/migrate-wide",
        json={"extract_id": source["id"], "fields": ["date", "country", "clicks"]},
    )
    assert status == 201
    assert result["source_extract"]["status"] == "paused"
    new = result["new_extract"]
    assert new["fields"] == ["date", "country", "clicks"]
    assert new["data_table_id"] != source["data_table_id"]
    seeded = api.sandbox.state.extracts(api.sandbox.workspace_id)[0]  # standard template
    for body in (
        {"extract_id": seeded.id, "fields": ["date"]},
        {"extract_id": source["id"], "fields": ["nope"]},
        {"extract_id": source["id"]},
        {"extract_id": 999999, "fields": ["date"]},
    ):
        assert (await api.call("POST", "/api/v3/extracts/migrate-wide", json=body))[0] == 400
