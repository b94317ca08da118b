"""Escape hatches and empty answers of the extracts, templates, data sources, connections,
accounts, data tables and auth operations.

Every declared operation of these services takes ``extra_headers``, ``extra_query`` and
``extra_body`` and puts them on the wire next to what the SDK sends; updates answered without
the object read it back (without the extras); creates answered without it raise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aioresponses import aioresponses
from yarl import URL

from improvado_async import EmptyResponseError, ValidationError
from improvado_async._transport.operation import OPERATIONS
from improvado_async.resources import (  # noqa: F401 -- importing declares the operations
    accounts,
    auth,
    connections,
    data_tables,
    datasource_connections,
    datasources,
    external_auth_links,
    extract_templates,
    extracts,
)

from ..wire import Sent, call_once, make_client

SERVICES = frozenset(
    {
        "accounts",
        "auth",
        "connections",
        "data_tables",
        "datasource_connections",
        "datasources",
        "external_auth_links",
        "extract_templates",
        "extracts",
    }
)
ANY_URL = re.compile(r"^http://127\.0\.0\.1:1/.*$")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
EXTRAS: dict[str, Any] = {"extra_headers": {"X-Extra": "1"}, "extra_query": {"extra_q": "v"}}
EXTRA_BODY = {"extra_body": {"extra_field": True}}

EXTRACT = {"id": 21, "title": "Ads", "connection_id": 8, "status": "active"}
TEMPLATE = {"id": 11, "title": "Ads daily", "data_class": "daily", "sql_name": "ads_daily"}
TABLE = {"id": 4, "title": "Ads table", "datasource_name": "facebook", "fields": []}
LINK = {"id": 8001, "datasource_name": "facebook", "status": "pending"}
ACCOUNT = {"id": 5001, "account_id": "act_123", "connection_id": 4001}
EMPTY_PAGE: dict[str, Any] = {"count": 0, "next": None, "previous": None, "results": []}

Call = Callable[..., Awaitable[Any]]

#: One valid minimal call per declared operation, taking the escape hatches as keywords, and the
#: answer it is given. Paginated operations fetch their first page.
CALLS: dict[str, tuple[Call, Any]] = {
    "auth.create_token": (lambda c, **x: c.auth.create_token(workspace_id=5, **x), {"token": "t"}),
    "extracts.list": (
        lambda c, **x: c.extracts.list(connection_id=[1, 2], **x).first_page(),
        EMPTY_PAGE,
    ),
    "extracts.create": (
        lambda c, **x: c.extracts.create(
            data_table_title="Ads", template_id=11, accounts=[5001], **x
        ),
        EXTRACT,
    ),
    "extracts.get": (lambda c, **x: c.extracts.get(21, **x), EXTRACT),
    "extracts.update": (lambda c, **x: c.extracts.update(21, fields=["date"], **x), EXTRACT),
    "extracts.partial_update": (
        lambda c, **x: c.extracts.partial_update(21, fields=["date"], **x),
        EXTRACT,
    ),
    "extracts.run": (
        lambda c, **x: c.extracts.run(21, date_from="2026-01-01", date_to="2026-01-02", **x),
        EXTRACT,
    ),
    "extracts.pause": (lambda c, **x: c.extracts.pause(21, **x), EXTRACT),
    "extracts.unpause": (lambda c, **x: c.extracts.unpause(21, **x), EXTRACT),
    "extracts.migrate_wide": (
        lambda c, **x: c.extracts.migrate_wide(extract_id=21, fields=["date"], **x),
        EXTRACT,
    ),
    "extract_templates.list": (
        lambda c, **x: c.extract_templates.list("facebook", **x).first_page(),
        EMPTY_PAGE,
    ),
    "extract_templates.create": (
        lambda c, **x: c.extract_templates.create(
            "facebook", parent_id=1, title="Ads daily", fields=["date"], **x
        ),
        TEMPLATE,
    ),
    "extract_templates.get": (
        lambda c, **x: c.extract_templates.get("facebook", 11, **x),
        TEMPLATE,
    ),
    "extract_templates.get_by_id": (
        lambda c, **x: c.extract_templates.get_by_id(11, **x),
        TEMPLATE,
    ),
    "extract_templates.preview": (
        lambda c, **x: c.extract_templates.preview(11, account_ids=["act_1"], **x),
        {"columns": ["date"], "rows": []},
    ),
    "extract_templates.validate": (
        lambda c, **x: c.extract_templates.validate(11, accounts=[5001], **x),
        {"valid": True},
    ),
    "extract_templates.custom_setting_options": (
        lambda c, **x: c.extract_templates.custom_setting_options(
            "facebook", connection_id=8, account_ids=["act_1"], **x
        ).first_page(),
        EMPTY_PAGE,
    ),
    "datasources.list": (lambda c, **x: c.datasources.list(**x).first_page(), EMPTY_PAGE),
    "datasource_connections.list": (
        lambda c, **x: c.datasource_connections.list("facebook", **x).first_page(),
        EMPTY_PAGE,
    ),
    "datasource_connections.delete": (
        lambda c, **x: c.datasource_connections.delete("facebook", 4001, **x),
        None,
    ),
    "external_auth_links.create": (
        lambda c, **x: c.external_auth_links.create("facebook", send_email=False, **x),
        LINK,
    ),
    "external_auth_links.list": (
        lambda c, **x: c.external_auth_links.list("facebook", **x).first_page(),
        EMPTY_PAGE,
    ),
    "external_auth_links.revoke": (
        lambda c, **x: c.external_auth_links.revoke("facebook", 8001, **x),
        LINK,
    ),
    "connections.delete": (lambda c, **x: c.connections.delete(4001, **x), None),
    "accounts.list": (lambda c, **x: c.accounts.list(4001, **x).first_page(), EMPTY_PAGE),
    "accounts.bulk_update": (
        lambda c, **x: c.accounts.bulk_update(4001, accounts={5001: True}, **x),
        [ACCOUNT],
    ),
    "accounts.update": (
        lambda c, **x: c.accounts.update(4001, 5001, enabled_for_embedded_extraction=True, **x),
        ACCOUNT,
    ),
    "data_tables.list": (lambda c, **x: c.data_tables.list(**x).first_page(), EMPTY_PAGE),
    "data_tables.get": (lambda c, **x: c.data_tables.get(4, **x), TABLE),
    "data_tables.update": (
        lambda c, **x: c.data_tables.update(4, selected_fields=["date"], **x),
        TABLE,
    ),
}

BODY_OPERATIONS = sorted(name for name in CALLS if OPERATIONS[name].method in BODY_METHODS)
BODILESS_OPERATIONS = sorted(name for name in CALLS if name not in BODY_OPERATIONS)


def test_every_declared_operation_has_a_call() -> None:
    declared = {name for name, op in OPERATIONS.items() if op.service in SERVICES}
    assert declared == set(CALLS)


async def _sent(name: str, extras: dict[str, Any]) -> Sent:
    call, answer = CALLS[name]
    _, sent = await call_once(
        lambda c: call(c, **extras), method=OPERATIONS[name].method, response=answer
    )
    return sent


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_extras_reach_the_wire_next_to_the_sdk_fields(name: str) -> None:
    extras = {**EXTRAS, **(EXTRA_BODY if name in BODY_OPERATIONS else {})}
    plain = await _sent(name, {})
    sent = await _sent(name, extras)
    assert sent.headers["X-Extra"] == "1" and "X-Extra" not in plain.headers
    assert (sent.method, sent.path) == (plain.method, plain.path)
    assert sent.query == {**plain.query, "extra_q": "v"}
    if name in BODY_OPERATIONS:
        # Added next to the SDK's own fields (a bodiless POST/PUT sends the extras alone).
        assert sent.json == {**(plain.json or {}), "extra_field": True}
    else:
        assert sent.json is None


@pytest.mark.parametrize("name", BODILESS_OPERATIONS)
async def test_extra_body_without_a_json_body_is_refused_and_nothing_is_sent(name: str) -> None:
    call, _ = CALLS[name]
    async with make_client() as client:
        with aioresponses() as mock:
            with pytest.raises(ValidationError) as info:
                await call(client, **EXTRA_BODY)
            assert not mock.requests
    assert info.value.field == "extra_body"


def _requests(mock: aioresponses) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, request kwargs) of every request, in order."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for (method, url), calls in mock.requests.items():
        assert isinstance(url, URL)
        out.extend((method, url.path, call.kwargs) for call in calls)
    return out


#: Updates and state changes that know their object: (call, its request, the read-back request,
#: the read-back answer, the id of the object read back).
READ_BACKS: dict[str, tuple[Call, tuple[str, str], tuple[str, str], Any, int]] = {
    name: (CALLS[name][0], request, ("GET", f"/api/v3/extracts/{21}"), EXTRACT, 21)
    for name, request in {
        "extracts.update": ("PUT", "/api/v3/extracts/21"),
        "extracts.partial_update": ("PATCH", "/api/v3/extracts/21"),
        "extracts.run": ("POST", "/api/v3/extracts/21/run"),
        "extracts.pause": ("POST", "/api/v3/extracts/21/pause"),
        "extracts.unpause": ("POST", "/api/v3/extracts/21/unpause"),
    }.items()
}
READ_BACKS["data_tables.update"] = (
    CALLS["data_tables.update"][0],
    ("PUT", "/api/v3/data-tables/4"),
    ("GET", "/api/v3/data-tables/4"),
    TABLE,
    4,
)
READ_BACKS["external_auth_links.revoke"] = (
    CALLS["external_auth_links.revoke"][0],
    ("POST", "/api/v3/datasources/facebook/external-auth-links/8001/revoke"),
    ("GET", "/api/v3/datasources/facebook/external-auth-links"),
    {**EMPTY_PAGE, "count": 1, "results": [{**LINK, "status": "revoked"}]},
    8001,
)
READ_BACKS["accounts.update"] = (
    CALLS["accounts.update"][0],
    ("PATCH", "/api/v3/connections/4001/accounts/5001"),
    ("GET", "/api/v3/connections/4001/accounts"),
    {**EMPTY_PAGE, "count": 1, "results": [ACCOUNT]},
    5001,
)
EMPTY_ANSWERS = [pytest.param(204, "", id="204"), pytest.param(200, "{}", id="empty-object")]


@pytest.mark.parametrize(("status", "body"), EMPTY_ANSWERS)
@pytest.mark.parametrize("name", sorted(READ_BACKS))
async def test_an_update_answered_without_the_object_reads_it_back(
    name: str, status: int, body: str
) -> None:
    call, (method, path), (back_method, back_path), back_answer, object_id = READ_BACKS[name]
    async with make_client() as client:
        with aioresponses() as mock:
            mock.add(ANY_URL, method=method, status=status, body=body)
            mock.add(ANY_URL, method=back_method, body=json.dumps(back_answer))
            result = await call(client, **EXTRAS)
            requests = _requests(mock)
    assert result.id == object_id
    assert [(m, p) for m, p, _ in requests] == [(method, path), (back_method, back_path)]
    # The extras belong to the update alone: the read-back is another operation.
    (_, _, update), (_, _, read_back) = requests
    assert update["headers"]["X-Extra"] == "1" and update["params"]["extra_q"] == "v"
    assert "X-Extra" not in (read_back.get("headers") or {})
    assert "extra_q" not in (read_back.get("params") or {})


def test_every_update_with_a_read_back_is_tested() -> None:
    # Guards the list above: an id-carrying PUT/PATCH/state change of these services.
    updates = {
        name
        for name, op in OPERATIONS.items()
        if op.service in SERVICES
        and op.method in {"PUT", "PATCH", "POST"}
        and op.path.rstrip("/").endswith(("_id}", "/run", "/pause", "/unpause", "/revoke"))
    }
    assert updates == set(READ_BACKS)


CREATES = [
    "extracts.create",
    "extracts.migrate_wide",
    "extract_templates.create",
    "external_auth_links.create",
]
EMPTY_CREATE_ANSWERS = [
    pytest.param(204, "", id="204"),
    pytest.param(201, "{}", id="empty-object"),
    pytest.param(200, '""', id="empty-string"),
]


@pytest.mark.parametrize(("status", "body"), EMPTY_CREATE_ANSWERS)
@pytest.mark.parametrize("name", CREATES)
async def test_a_create_answered_without_the_object_raises(
    name: str, status: int, body: str
) -> None:
    call, _ = CALLS[name]
    async with make_client() as client:
        with aioresponses() as mock:
            mock.add(ANY_URL, method="POST", status=status, body=body)
            with pytest.raises(EmptyResponseError) as info:
                await call(client)
            assert len(_requests(mock)) == 1  # nothing read back, nothing retried
    assert info.value.status == status
    assert str(status) in str(info.value) and "retry" in str(info.value)
