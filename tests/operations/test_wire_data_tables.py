"""Wire tests of data tables (schema with system fields, field selection)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.data_tables import DataTable, DataTableField, FieldKind

from ..wire import call_once, make_client

TABLE = {
    "id": 4,
    "title": "Ads table",
    "datasource_name": "facebook",
    "fields": [
        {"name": "date", "kind": "dimension", "selected": True},
        {"name": "clicks", "kind": "metric", "selected": False},
        {"name": "account_id", "kind": "system", "selected": True},
        {"name": "__insert_date", "selected": True},
    ],
}


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


async def test_list() -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [{"id": 4, "title": "T"}]}
    result, sent = await call_once(
        lambda c: c.data_tables.list(page_size=25).first_page(), method="GET", response=page
    )
    assert isinstance(result, Page) and isinstance(result.results[0], DataTable)
    assert (sent.method, sent.path, sent.auth) == ("GET", "/api/v3/data-tables", "bearer")
    assert sent.query == {"page": "1", "page_size": "25"}


async def test_get_has_schema_with_system_fields() -> None:
    result, sent = await call_once(lambda c: c.data_tables.get(4), method="GET", response=TABLE)
    assert isinstance(result, DataTable) and result.fields is not None
    assert all(isinstance(f, DataTableField) for f in result.fields)
    assert result.fields[0].kind is FieldKind.DIMENSION
    assert [f.name for f in result.fields if f.is_system] == ["account_id", "__insert_date"]
    assert result.selected_field_names == ["date", "account_id", "__insert_date"]
    assert (sent.method, sent.path, sent.auth, sent.json) == (
        "GET",
        "/api/v3/data-tables/4",
        "bearer",
        None,
    )


async def test_update_sends_selected_fields() -> None:
    result, sent = await call_once(
        lambda c: c.data_tables.update(4, selected_fields=("date", "clicks")),
        method="PUT",
        response=TABLE,
    )
    assert isinstance(result, DataTable) and result.id == 4
    assert (sent.method, sent.path, sent.auth) == ("PUT", "/api/v3/data-tables/4", "bearer")
    assert sent.json == {"selected_fields": ["date", "clicks"]}


async def test_unknown_field_kind_is_kept() -> None:
    table = {"id": 4, "fields": [{"name": "x", "kind": "calculated"}]}
    result, _ = await call_once(lambda c: c.data_tables.get(4), method="GET", response=table)
    assert result.fields is not None
    kind = result.fields[0].kind
    assert kind == "calculated" and not isinstance(kind, FieldKind)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.data_tables.update(4, selected_fields=[]), "selected_fields"),
        (lambda c: c.data_tables.update(4, selected_fields="date"), "selected_fields"),
        (lambda c: c.data_tables.update(4, selected_fields=["date", 3]), "selected_fields"),
        (lambda c: c.data_tables.update("4", selected_fields=["date"]), "data_table_id"),
        (lambda c: c.data_tables.get(-1), "data_table_id"),
        (lambda c: c.data_tables.list(page_size=500), "page_size"),
        (lambda c: c.data_tables.list(page=0), "page"),
    ],
)
async def test_validation_errors_send_nothing(
    call: Callable[[AsyncImprovado], Any], field: str
) -> None:
    await _rejected(call, field)
