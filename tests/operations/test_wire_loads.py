"""Wire tests of the auth and loads operations (method, URL, auth, body, returned model)."""

from __future__ import annotations

from typing import Any

import pytest

from improvado_async import NOT_GIVEN, Load, Page, Token

from ..wire import call_once

LOAD = {"id": 7, "status": "active", "data_table": {"id": 3}}


async def test_create_token() -> None:
    result, sent = await call_once(
        lambda c: c.auth.create_token(workspace_id=5), method="POST", response={"token": "abc"}
    )
    assert isinstance(result, Token) and result.token == "abc"
    assert (sent.method, sent.path, sent.auth, sent.json) == (
        "POST",
        "/api/v3/token",
        "basic",
        {"workspace_id": 5},
    )


async def test_loads_list() -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [LOAD]}
    result, sent = await call_once(
        lambda c: c.loads.list(
            data_table_id=3, destination_name="bigquery", page_size=50
        ).first_page(),
        method="GET",
        response=page,
    )
    assert isinstance(result, Page) and isinstance(result.results[0], Load)
    assert sent.path == "/api/v3/loads" and sent.auth == "bearer"
    assert sent.query == {
        "data_table_id": "3",
        "destination_name": "bigquery",
        "page_size": "50",
        "page": "1",
    }


@pytest.mark.parametrize(
    ("call", "method", "path", "body"),
    [
        (
            lambda c: c.loads.create(
                data_table_id=1,
                destination_connection_id=2,
                run_policy="manual",
                load_historical_data=True,
            ),
            "POST",
            "/api/v3/loads",
            {
                "data_table_id": 1,
                "destination_connection_id": 2,
                "run_policy": "manual",
                "load_historical_data": True,
            },
        ),
        (lambda c: c.loads.get(7), "GET", "/api/v3/loads/7", None),
        (
            lambda c: c.loads.update(7, run_policy="schedule"),
            "PUT",
            "/api/v3/loads/7",
            {"run_policy": "schedule"},
        ),
        (lambda c: c.loads.pause(7), "PUT", "/api/v3/loads/7/pause", None),
        (lambda c: c.loads.unpause(7), "PUT", "/api/v3/loads/7/unpause", None),
        (
            lambda c: c.loads.run(7, date_from="2026-01-01", date_to="2026-01-02"),
            "PUT",
            "/api/v3/loads/7/run",
            {"date_from": "2026-01-01", "date_to": "2026-01-02"},
        ),
    ],
)
async def test_loads_operations(call, method: str, path: str, body: object) -> None:  # type: ignore[no-untyped-def]
    result, sent = await call_once(call, method=method, response=LOAD)
    assert isinstance(result, Load) and result.id == 7
    assert (sent.method, sent.path, sent.auth, sent.json) == (method, path, "bearer", body)


@pytest.mark.parametrize(
    ("kwargs", "body"),
    [
        ({"run_policy": "manual"}, {"run_policy": "manual"}),  # schedule omitted: no key
        ({"run_policy": "manual", "schedule": NOT_GIVEN}, {"run_policy": "manual"}),
        ({}, {}),
        ({"schedule": None}, {"schedule": None}),  # JSON null clears the schedule
        (
            {"run_policy": "schedule", "schedule": None},
            {"run_policy": "schedule", "schedule": None},
        ),
        (
            {"schedule": {"period": "daily", "time": "04:00"}},
            {"schedule": {"period": "daily", "time": "04:00"}},
        ),
    ],
)
async def test_loads_update_schedule_null_versus_not_given(
    kwargs: dict[str, Any], body: dict[str, Any]
) -> None:
    result, sent = await call_once(
        lambda c: c.loads.update(7, **kwargs), method="PUT", response=LOAD
    )
    assert isinstance(result, Load)
    assert (sent.method, sent.path, sent.auth) == ("PUT", "/api/v3/loads/7", "bearer")
    assert sent.json == body  # dict equality: "schedule" is a key exactly when expected


async def test_loads_delete_returns_none() -> None:
    result, sent = await call_once(lambda c: c.loads.delete(7), method="DELETE", status=204)
    assert result is None
    assert (sent.method, sent.path, sent.auth) == ("DELETE", "/api/v3/loads/7", "bearer")
