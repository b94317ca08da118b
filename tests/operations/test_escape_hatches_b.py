"""Escape hatches and empty answers of the agency, destination, recipe, role and webhook areas.

Every declared operation of these services takes ``extra_headers``, ``extra_query`` and
``extra_body`` and puts them on the wire of its one request; updates and state changes answered
without the object read it back; creates answered without it raise ``EmptyResponseError``.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, EmptyResponseError, ResponseDecodeError, ValidationError
from improvado_async.models.automated_recipes import AutomatedRecipe
from improvado_async.models.destinations import DestinationConnection
from improvado_async.models.recipes import Recipe
from improvado_async.models.roles import Role
from improvado_async.models.webhooks import WebhookEndpoint
from improvado_async.models.workspaces import Workspace
from tests.helpers import declared_operations

from ..wire import BASE, PASSWORD, TOKEN, USERNAME, call_once, make_client
from ..wire import WORKSPACE as WORKSPACE_ID

SERVICES = frozenset(
    {
        "workspaces",
        "iframe",
        "recipes",
        "roles",
        "destinations",
        "destination_connections",
        "automated_recipe_templates",
        "automated_recipes",
        "webhook_endpoints",
        "webhook_event_types",
    }
)
OPERATIONS = declared_operations()
ANY_URL = re.compile(r"^http://127\.0\.0\.1:1/.*$")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

WORKSPACE = {"id": 3, "title": "Client A", "description": "Main client"}
RECIPE = {"id": 2, "title": "Marketing Common Data Model"}
ROLE = {"id": 21, "title": "Loader", "permissions": {"LOAD": ["VIEW"]}}
CONNECTION = {"id": 4, "title": "Warehouse", "destination_name": "bigquery", "status": "active"}
TEMPLATE = {"id": 3, "title": "Paid social", "data_sources": ["facebook_ads"]}
AUTOMATED = {"id": 11, "template_id": 3, "title": "Social", "state": "draft", "configuration": {}}
ENDPOINT = {
    "id": 5,
    "url": "https://hooks.example.com/improvado",
    "event_types": ["load_completed"],
    "status": "unverified",
}
PAGE: dict[str, Any] = {"count": 0, "next": None, "previous": None, "results": []}
HOOK = "https://hooks.example.com/improvado"

Call = Callable[..., Any]


def _first_page(paginator: Any) -> Awaitable[Any]:
    return paginator.first_page()  # type: ignore[no-any-return]


#: operation -> (call taking the client and the extras, answer, the SDK's own JSON body).
CALLS: dict[str, tuple[Call, Any, dict[str, Any] | None]] = {
    "workspaces.list": (lambda c, **x: _first_page(c.workspaces.list(**x)), PAGE, None),
    "workspaces.create": (
        lambda c, **x: c.workspaces.create(title="A", **x),
        WORKSPACE,
        {"title": "A"},
    ),
    "workspaces.get": (lambda c, **x: c.workspaces.get(3, **x), WORKSPACE, None),
    "workspaces.update": (
        lambda c, **x: c.workspaces.update(3, title="B", **x),
        WORKSPACE,
        {"title": "B"},
    ),
    "workspaces.list_dashboards": (
        lambda c, **x: _first_page(c.workspaces.list_dashboards(3, **x)),
        PAGE,
        None,
    ),
    "workspaces.enable_recipe": (
        lambda c, **x: c.workspaces.enable_recipe(3, recipe_id=2, **x),
        RECIPE,
        {"recipe_id": 2},
    ),
    "iframe.get_url": (
        lambda c, **x: c.iframe.get_url(workspace_id=3, **x),
        {"url": "https://x.io/ui"},
        {"workspace_id": 3},
    ),
    "recipes.list": (lambda c, **x: _first_page(c.recipes.list(**x)), PAGE, None),
    "roles.list": (lambda c, **x: _first_page(c.roles.list(**x)), PAGE, None),
    "roles.create": (
        lambda c, **x: c.roles.create(title="R", permissions={"LOAD": ["VIEW"]}, **x),
        ROLE,
        {"title": "R", "permissions": {"LOAD": ["VIEW"]}},
    ),
    "roles.permissions": (lambda c, **x: _first_page(c.roles.permissions(**x)), PAGE, None),
    "roles.get": (lambda c, **x: c.roles.get(21, **x), ROLE, None),
    "roles.update": (
        lambda c, **x: c.roles.update(21, description="D", **x),
        ROLE,
        {"description": "D"},
    ),
    "roles.delete": (
        lambda c, **x: c.roles.delete(21, **x),
        {"reassigned_users_count": 1},
        None,
    ),
    "roles.users": (lambda c, **x: _first_page(c.roles.users(21, **x)), PAGE, None),
    "destinations.list": (lambda c, **x: _first_page(c.destinations.list(**x)), PAGE, None),
    "destination_connections.list": (
        lambda c, **x: _first_page(c.destination_connections.list("bigquery", **x)),
        PAGE,
        None,
    ),
    "destination_connections.create": (
        lambda c, **x: c.destination_connections.create(
            "bigquery", title="W", connections_params={"k": "v"}, **x
        ),
        CONNECTION,
        {"title": "W", "destination_name": "bigquery", "conenctions_params": {"k": "v"}},
    ),
    "destination_connections.get": (
        lambda c, **x: c.destination_connections.get("bigquery", 4, **x),
        CONNECTION,
        None,
    ),
    "destination_connections.update": (
        lambda c, **x: c.destination_connections.update("bigquery", 4, title="W2", **x),
        CONNECTION,
        {"title": "W2"},
    ),
    "destination_connections.reauthorize": (
        lambda c, **x: c.destination_connections.reauthorize(
            "bigquery", 4, title="W", connection_params={"k": "v"}, **x
        ),
        CONNECTION,
        {"title": "W", "connection_params": {"k": "v"}},
    ),
    "destination_connections.recheck": (
        lambda c, **x: c.destination_connections.recheck("bigquery", 4, **x),
        CONNECTION,
        None,
    ),
    "automated_recipe_templates.list": (
        lambda c, **x: _first_page(c.automated_recipe_templates.list(**x)),
        PAGE,
        None,
    ),
    "automated_recipe_templates.get": (
        lambda c, **x: c.automated_recipe_templates.get(3, **x),
        TEMPLATE,
        None,
    ),
    "automated_recipes.list": (
        lambda c, **x: _first_page(c.automated_recipes.list(**x)),
        PAGE,
        None,
    ),
    "automated_recipes.create": (
        lambda c, **x: c.automated_recipes.create(template_id=3, **x),
        AUTOMATED,
        {"template_id": 3},
    ),
    "automated_recipes.get": (lambda c, **x: c.automated_recipes.get(11, **x), AUTOMATED, None),
    "automated_recipes.update": (
        lambda c, **x: c.automated_recipes.update(11, title="T", **x),
        AUTOMATED,
        {"title": "T"},
    ),
    "automated_recipes.build": (
        lambda c, **x: c.automated_recipes.build(11, **x),
        AUTOMATED,
        None,
    ),
    "webhook_endpoints.list": (
        lambda c, **x: _first_page(c.webhook_endpoints.list(**x)),
        PAGE,
        None,
    ),
    "webhook_endpoints.create": (
        lambda c, **x: c.webhook_endpoints.create(url=HOOK, event_types=["load_completed"], **x),
        ENDPOINT,
        {"url": HOOK, "event_types": ["load_completed"]},
    ),
    "webhook_endpoints.get": (lambda c, **x: c.webhook_endpoints.get(5, **x), ENDPOINT, None),
    "webhook_endpoints.update": (
        lambda c, **x: c.webhook_endpoints.update(5, url=HOOK, **x),
        ENDPOINT,
        {"url": HOOK},
    ),
    "webhook_endpoints.delete": (lambda c, **x: c.webhook_endpoints.delete(5, **x), None, None),
    "webhook_endpoints.verify": (
        lambda c, **x: c.webhook_endpoints.verify(5, **x),
        ENDPOINT,
        None,
    ),
    "webhook_endpoints.regenerate_secret": (
        lambda c, **x: c.webhook_endpoints.regenerate_secret(5, **x),
        ENDPOINT,
        None,
    ),
    "webhook_event_types.list": (
        lambda c, **x: _first_page(c.webhook_event_types.list(**x)),
        PAGE,
        None,
    ),
}

EXTRAS: dict[str, Any] = {"extra_headers": {"X-Extra": "1"}, "extra_query": {"extra_q": "v"}}
EXTRA_BODY = {"extra_body": {"extra_field": True}}


def _ours() -> list[str]:
    return sorted(name for name in OPERATIONS if name.split(".", 1)[0] in SERVICES)


def _takes_a_body(name: str) -> bool:
    """POST, PUT and PATCH send a JSON object (the SDK's fields, or just the extra ones)."""
    return OPERATIONS[name].method in BODY_METHODS


def test_every_declared_operation_of_these_services_has_a_call() -> None:
    assert _ours() == sorted(CALLS)


@pytest.mark.parametrize("name", _ours())
async def test_extras_reach_the_wire(name: str) -> None:
    call, answer, own_body = CALLS[name]
    extras = {**EXTRAS, **(EXTRA_BODY if _takes_a_body(name) else {})}
    method = OPERATIONS[name].method
    _, sent = await call_once(
        lambda c: call(c, **extras),
        method=method,
        status=204 if answer is None else 200,
        response=answer,
    )
    assert sent.method == method
    assert sent.headers.get("X-Extra") == "1"
    assert sent.query.get("extra_q") == "v"
    if _takes_a_body(name):
        assert sent.json == {**(own_body or {}), "extra_field": True}
    else:
        assert sent.json is None


@pytest.mark.parametrize("name", [name for name in _ours() if not _takes_a_body(name)])
async def test_extra_body_without_a_json_body_is_rejected_and_nothing_is_sent(name: str) -> None:
    call = CALLS[name][0]
    async with make_client() as client:
        with aioresponses() as mock:
            with pytest.raises(ValidationError) as info:
                result = call(client, **EXTRA_BODY)
                if inspect.isawaitable(result):  # a paginator may raise only when awaited
                    await result
            assert not mock.requests
    assert info.value.field == "extra_body"


#: updates and state changes that know their object:
#: (call, read-back GET path, read-back answer, model, object id).
READ_BACKS: dict[str, tuple[Call, str, Any, type, int]] = {
    "workspaces.update": (
        lambda c: c.workspaces.update(3, title="B"),
        "/api/v3/workspaces/3",
        WORKSPACE,
        Workspace,
        3,
    ),
    "workspaces.enable_recipe": (
        lambda c: c.workspaces.enable_recipe(3, recipe_id=2),
        "/api/v3/recipes",
        {**PAGE, "count": 1, "results": [RECIPE]},
        Recipe,
        2,
    ),
    "roles.update": (
        lambda c: c.roles.update(21, description="D"),
        "/api/v3/roles/21",
        ROLE,
        Role,
        21,
    ),
    "destination_connections.update": (
        lambda c: c.destination_connections.update("bigquery", 4, title="W2"),
        "/api/v3/destinations/bigquery/connections/4",
        CONNECTION,
        DestinationConnection,
        4,
    ),
    "destination_connections.reauthorize": (
        lambda c: c.destination_connections.reauthorize(
            "bigquery", 4, title="W", connection_params={}
        ),
        "/api/v3/destinations/bigquery/connections/4",
        CONNECTION,
        DestinationConnection,
        4,
    ),
    "destination_connections.recheck": (
        lambda c: c.destination_connections.recheck("bigquery", 4),
        "/api/v3/destinations/bigquery/connections/4",
        CONNECTION,
        DestinationConnection,
        4,
    ),
    "automated_recipes.update": (
        lambda c: c.automated_recipes.update(11, title="T"),
        "/api/v3/automated-recipes/11",
        AUTOMATED,
        AutomatedRecipe,
        11,
    ),
    "automated_recipes.build": (
        lambda c: c.automated_recipes.build(11),
        "/api/v3/automated-recipes/11",
        AUTOMATED,
        AutomatedRecipe,
        11,
    ),
    "webhook_endpoints.update": (
        lambda c: c.webhook_endpoints.update(5, url=HOOK),
        "/api/v3/webhook_endpoints/5/",
        ENDPOINT,
        WebhookEndpoint,
        5,
    ),
    "webhook_endpoints.verify": (
        lambda c: c.webhook_endpoints.verify(5),
        "/api/v3/webhook_endpoints/5/",
        ENDPOINT,
        WebhookEndpoint,
        5,
    ),
    "webhook_endpoints.regenerate_secret": (
        lambda c: c.webhook_endpoints.regenerate_secret(5),
        "/api/v3/webhook_endpoints/5/",
        ENDPOINT,
        WebhookEndpoint,
        5,
    ),
}

CREATES: dict[str, Call] = {
    "workspaces.create": lambda c: c.workspaces.create(title="A"),
    "roles.create": lambda c: c.roles.create(title="R", permissions={"LOAD": ["VIEW"]}),
    "destination_connections.create": lambda c: c.destination_connections.create(
        "bigquery", title="W", connections_params={}
    ),
    "automated_recipes.create": lambda c: c.automated_recipes.create(template_id=3),
    "webhook_endpoints.create": lambda c: c.webhook_endpoints.create(
        url=HOOK, event_types=["load_completed"]
    ),
}

#: An answer without the object: no body (204), ``{}`` (200).
EMPTY_ANSWERS = [pytest.param(204, "", id="204"), pytest.param(200, "{}", id="empty-object")]


async def _answered(
    call: Call, method: str, status: int, body: str, read_back: Any = None
) -> tuple[Any, list[tuple[str, str]]]:
    """Answer ``method`` with ``status``/``body`` and a later GET with ``read_back``."""
    async with make_client() as client:
        with aioresponses() as mock:
            mock.add(ANY_URL, method=method, status=status, body=body)
            if read_back is not None:
                mock.add(ANY_URL, method="GET", body=json.dumps(read_back))
            result = await call(client)
            requests = [(m, url.path) for (m, url) in mock.requests]
    return result, requests


@pytest.mark.parametrize(("status", "body"), EMPTY_ANSWERS)
@pytest.mark.parametrize("name", sorted(READ_BACKS))
async def test_an_update_answered_without_the_object_reads_it_back(
    name: str, status: int, body: str
) -> None:
    call, path, current, model, object_id = READ_BACKS[name]
    operation = OPERATIONS[name]
    result, requests = await _answered(call, operation.method, status, body, current)
    assert isinstance(result, model) and result.id == object_id  # type: ignore[attr-defined]
    assert [method for method, _ in requests] == [operation.method, "GET"]
    assert requests[1][1] == path


def test_every_update_or_state_change_with_an_id_is_covered() -> None:
    """Every PUT/PATCH/POST on an object's path that is not a create reads back."""
    answering = {
        name
        for name in _ours()
        if OPERATIONS[name].method in BODY_METHODS and "{" in OPERATIONS[name].path
    }
    # destination_connections.create posts under its destination's name: a create, not an id.
    assert answering - set(CREATES) == set(READ_BACKS)


@pytest.mark.parametrize(("status", "body"), EMPTY_ANSWERS)
@pytest.mark.parametrize("name", sorted(CREATES))
async def test_a_create_answered_without_the_object_raises(
    name: str, status: int, body: str
) -> None:
    with pytest.raises(EmptyResponseError) as info:
        await _answered(CREATES[name], "POST", status, body)
    message = str(info.value)
    assert str(status) in message and "retry" in message
    assert info.value.status == status


def test_every_create_is_covered() -> None:
    assert {name for name in _ours() if name.endswith(".create")} == set(CREATES)


#: answers these services parse themselves (not through ``_call_model``), each with a value the
#: models accept only by coercing it or keeping it raw: (call, method, answer, read-back, key).
SELF_PARSED: dict[str, tuple[Call, str, Any, Any, str]] = {
    "iframe.get_url": (
        lambda c: c.iframe.get_url(workspace_id=3),
        "POST",
        {"url": 5},
        None,
        "IframeUrl.url",
    ),
    "roles.delete": (
        lambda c: c.roles.delete(21),
        "DELETE",
        {"reassigned_users_count": "many"},
        None,
        "RoleDeletion.reassigned_users_count",
    ),
    "webhook_endpoints.verify": (
        lambda c: c.webhook_endpoints.verify(5),
        "POST",
        {**ENDPOINT, "event_types": "load_completed"},
        None,
        "WebhookEndpoint.event_types",
    ),
    "webhook_endpoints.regenerate_secret (read back)": (
        lambda c: c.webhook_endpoints.regenerate_secret(5),
        "POST",
        {"secret": "whsec_new"},
        {**ENDPOINT, "event_types": "load_completed"},
        "WebhookEndpoint.event_types",
    ),
    "webhook_event_types.list": (
        lambda c: _first_page(c.webhook_event_types.list()),
        "GET",
        [{"name": 5}],
        None,
        "EventTypeInfo.name",
    ),
}


async def _self_parsed(client: AsyncImprovado, case: str) -> Any:
    call, method, answer, read_back, _ = SELF_PARSED[case]
    with aioresponses() as mock:
        mock.add(ANY_URL, method=method, body=json.dumps(answer))
        if read_back is not None:
            mock.add(ANY_URL, method="GET", body=json.dumps(read_back))
        return await call(client)


@pytest.mark.parametrize("case", sorted(SELF_PARSED))
async def test_self_parsed_answers_count_in_the_clients_shape_report(case: str) -> None:
    async with make_client() as client:
        await _self_parsed(client, case)
        assert SELF_PARSED[case][4] in client.shape_report()


@pytest.mark.parametrize(
    "case",
    [
        "roles.delete",
        "webhook_endpoints.verify",
        "webhook_endpoints.regenerate_secret (read back)",
    ],
)
async def test_self_parsed_answers_follow_strict_responses(case: str) -> None:
    client = AsyncImprovado(
        username=USERNAME,
        password=PASSWORD,
        token=TOKEN,
        workspace_id=WORKSPACE_ID,
        base_url=BASE,
        retry=0,
        strict_responses=True,
    )
    async with client:
        with pytest.raises(ResponseDecodeError) as info:
            await _self_parsed(client, case)
    assert SELF_PARSED[case][4] in str(info.value)
