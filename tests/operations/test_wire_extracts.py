"""Wire tests of extracts (v3.1 create, csv filters, null vs omitted, undocumented shapes)."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.extracts import (
    NOT_GIVEN,
    Extract,
    ExtractStatus,
    MigrateWideResult,
)

from ..wire import call_once, make_client

EXTRACT = {
    "id": 21,
    "title": "Ads",
    "connection_id": 8,
    "account_id": 123456,
    "status": "active",
    "created_at": "2026-03-01T10:00:00Z",
    "sync_historical_data": "2025-02-25",
}
ANY_URL = re.compile(r"^http://127\.0\.0\.1:1/.*$")


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


async def test_list_with_csv_filters() -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [EXTRACT]}
    result, sent = await call_once(
        lambda c: c.extracts.list(
            connection_id=[8, 9], datasource_name=("reddit", "facebook"), data_table_id=4
        ).first_page(),
        method="GET",
        response=page,
    )
    assert isinstance(result, Page) and isinstance(result.results[0], Extract)
    assert (sent.method, sent.path, sent.auth) == ("GET", "/api/v3/extracts", "bearer")
    assert sent.query == {
        "connection_id": "8,9",
        "datasource_name": "reddit,facebook",
        "data_table_id": "4",
        "page": "1",
    }


async def test_list_comma_separated_filters_are_sent_as_given() -> None:
    """The API's changelog documents the comma-separated form of these three filters."""
    page: dict[str, Any] = {"count": 0, "next": None, "previous": None, "results": []}
    _, sent = await call_once(
        lambda c: c.extracts.list(
            datasource_name="reddit,facebook", connection_id="8,9", data_table_id="4,5"
        ).first_page(),
        method="GET",
        response=page,
    )
    assert sent.query["datasource_name"] == "reddit,facebook"
    assert sent.query["connection_id"] == "8,9"
    assert sent.query["data_table_id"] == "4,5"


async def test_list_single_string_filter() -> None:
    page: dict[str, Any] = {"count": 0, "next": None, "previous": None, "results": []}
    _, sent = await call_once(
        lambda c: c.extracts.list(datasource_name="reddit", page_size=5).first_page(),
        method="GET",
        response=page,
    )
    assert sent.query == {"datasource_name": "reddit", "page_size": "5", "page": "1"}


async def test_create_uses_v31_and_normalises_a_single_object() -> None:
    result, sent = await call_once(
        lambda c: c.extracts.create(
            data_table_title="Ads table",
            template_id=11,
            accounts=[1, 2],
            template_settings={"fields": ["date", "clicks"]},
        ),
        method="POST",
        status=201,
        response=EXTRACT,
    )
    assert isinstance(result, list) and len(result) == 1 and isinstance(result[0], Extract)
    assert (sent.method, sent.path, sent.auth) == ("POST", "/api/v3.1/extracts/", "bearer")
    assert sent.json == {
        "data_table_title": "Ads table",
        "template_id": 11,
        "template_settings": {"fields": ["date", "clicks"]},
        "accounts": [1, 2],
    }


async def test_create_accepts_a_list_response() -> None:
    result, _ = await call_once(
        lambda c: c.extracts.create(data_table_title="T", template_id=11, accounts=[1, 2]),
        method="POST",
        response=[EXTRACT, {**EXTRACT, "id": 22}],
    )
    assert [e.id for e in result] == [21, 22]


async def test_get_structures_documented_fields() -> None:
    result, sent = await call_once(lambda c: c.extracts.get(21), method="GET", response=EXTRACT)
    assert isinstance(result, Extract)
    assert result.account_id == "123456" and result.status is ExtractStatus.ACTIVE
    assert result.sync_historical_data == dt.date(2025, 2, 25)
    assert result.created_at == dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)
    assert (sent.method, sent.path, sent.auth, sent.json) == (
        "GET",
        "/api/v3/extracts/21",
        "bearer",
        None,
    )


async def test_unknown_status_is_kept() -> None:
    result, _ = await call_once(
        lambda c: c.extracts.get(21), method="GET", response={**EXTRACT, "status": "queued"}
    )
    assert result.status == "queued" and not isinstance(result.status, ExtractStatus)


async def test_update_sends_every_given_field() -> None:
    result, sent = await call_once(
        lambda c: c.extracts.update(
            21,
            fields=["date", "clicks"],
            additional_params={"time_granularity": "day"},
            sync_historical_data=dt.date(2025, 1, 1),
            schedules=[{"period": "daily"}],
        ),
        method="PUT",
        response=EXTRACT,
    )
    assert isinstance(result, Extract)
    assert (sent.method, sent.path, sent.auth) == ("PUT", "/api/v3/extracts/21", "bearer")
    assert sent.json == {
        "fields": ["date", "clicks"],
        "additional_params": {"time_granularity": "day"},
        "schedules": [{"period": "daily"}],
        "sync_historical_data": "2025-01-01",
    }


async def test_update_none_sends_null_for_sync_historical_data() -> None:
    _, sent = await call_once(
        lambda c: c.extracts.update(21, fields=["date"], sync_historical_data=None),
        method="PUT",
        response={**EXTRACT, "sync_historical_data": None},
    )
    assert sent.json == {"fields": ["date"], "sync_historical_data": None}


async def test_partial_update_sends_only_given_fields() -> None:
    result, sent = await call_once(
        lambda c: c.extracts.partial_update(21, additional_params={"a": 1}),
        method="PATCH",
        response=EXTRACT,
    )
    assert isinstance(result, Extract)
    assert (sent.method, sent.path, sent.auth) == ("PATCH", "/api/v3/extracts/21", "bearer")
    assert sent.json == {"additional_params": {"a": 1}}


@pytest.mark.parametrize(
    ("value", "body"),
    [
        (None, {"sync_historical_data": None}),
        ("2025-02-25", {"sync_historical_data": "2025-02-25"}),
        (NOT_GIVEN, {"fields": ["date"]}),
    ],
)
async def test_partial_update_null_versus_not_given(value: Any, body: dict[str, Any]) -> None:
    fields = ["date"] if value is NOT_GIVEN else None
    _, sent = await call_once(
        lambda c: c.extracts.partial_update(21, fields=fields, sync_historical_data=value),
        method="PATCH",
        response=EXTRACT,
    )
    assert sent.json == body


@pytest.mark.parametrize(
    ("call", "path", "body"),
    [
        (
            lambda c: c.extracts.run(21, date_from="2026-01-01", date_to="2026-01-31"),
            "/api/v3/extracts/21/run",
            {"date_from": "2026-01-01", "date_to": "2026-01-31"},
        ),
        (lambda c: c.extracts.run(21), "/api/v3/extracts/21/run", None),
        (lambda c: c.extracts.pause(21), "/api/v3/extracts/21/pause", None),
        (lambda c: c.extracts.unpause(21), "/api/v3/extracts/21/unpause", None),
    ],
)
async def test_state_changes(call: Callable[[AsyncImprovado], Any], path: str, body: Any) -> None:
    result, sent = await call_once(call, method="POST", response={**EXTRACT, "status": "paused"})
    assert isinstance(result, Extract) and result.is_paused
    assert (sent.method, sent.path, sent.auth, sent.json) == ("POST", path, "bearer", body)


async def test_empty_state_change_reads_the_extract_back() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.add(ANY_URL, method="POST", body="{}", content_type="application/json")
            mock.add(ANY_URL, method="GET", body=json.dumps({**EXTRACT, "status": "syncing"}))
            result = await client.extracts.run(21)
            requests = [(m, url.path) for (m, url) in mock.requests]
    assert result.status is ExtractStatus.SYNCING
    assert requests == [("POST", "/api/v3/extracts/21/run"), ("GET", "/api/v3/extracts/21")]


async def test_migrate_wide_pair_response() -> None:
    response = {"new_extract": {**EXTRACT, "id": 30}, "source_extract": {**EXTRACT, "id": 21}}
    result, sent = await call_once(
        lambda c: c.extracts.migrate_wide(
            extract_id=21,
            fields=["date", "campaign", "clicks"],
            data_table_title="Ads wide v2",
            template_settings={"custom_settings": {"x": 1}},
        ),
        method="POST",
        status=201,
        response=response,
    )
    assert isinstance(result, MigrateWideResult)
    assert result.new_extract.id == 30
    assert result.source_extract is not None and result.source_extract.id == 21
    assert (sent.method, sent.path, sent.auth) == (
        "POST",
        "/api/v3/extracts/migrate-wide",
        "bearer",
    )
    assert sent.json == {
        "extract_id": 21,
        "fields": ["date", "campaign", "clicks"],
        "data_table_title": "Ads wide v2",
        "template_settings": {"custom_settings": {"x": 1}},
    }


async def test_migrate_wide_single_extract_response() -> None:
    result, sent = await call_once(
        lambda c: c.extracts.migrate_wide(extract_id=21),
        method="POST",
        response={**EXTRACT, "id": 30},
    )
    assert isinstance(result, MigrateWideResult)
    assert result.new_extract.id == 30 and result.source_extract is None
    assert sent.json == {"extract_id": 21}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.extracts.run(21, date_from="2026-01-01"), "date_to"),
        (lambda c: c.extracts.run(21, date_to="2026-01-01"), "date_from"),
        (lambda c: c.extracts.run(21, date_from="2026-02-01", date_to="2026-01-01"), "date_from"),
        (lambda c: c.extracts.run(21, date_from="01/02/2026", date_to="2026-01-03"), "date_from"),
        (lambda c: c.extracts.list(connection_id=[]), "connection_id"),
        (lambda c: c.extracts.list(data_table_id=[True]), "data_table_id"),
        (lambda c: c.extracts.list(page_size=0), "page_size"),
        (lambda c: c.extracts.get("21"), "extract_id"),
        (lambda c: c.extracts.pause("21"), "extract_id"),
        (lambda c: c.extracts.unpause(2.0), "extract_id"),
        (
            lambda c: c.extracts.create(data_table_title="T", template_id=1, accounts=[]),
            "accounts",
        ),
        (
            lambda c: c.extracts.create(data_table_title="", template_id=1, accounts=[1]),
            "data_table_title",
        ),
        (
            lambda c: c.extracts.create(data_table_title="T", template_id="1", accounts=[1]),
            "template_id",
        ),
        (lambda c: c.extracts.update(21, fields=[]), "fields"),
        (
            lambda c: c.extracts.partial_update(21, sync_historical_data="25/02/2025"),
            "sync_historical_data",
        ),
        (lambda c: c.extracts.migrate_wide(extract_id="21"), "extract_id"),
    ],
)
async def test_validation_errors_send_nothing(
    call: Callable[[AsyncImprovado], Any], field: str
) -> None:
    await _rejected(call, field)
