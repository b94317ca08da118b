"""Wire tests of the agency-scope operations: workspaces, iframe URL and agency recipes."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.iframe import IframeUrl
from improvado_async.models.recipes import Recipe
from improvado_async.models.workspaces import Dashboard, Workspace

from ..wire import call_once, make_client

WORKSPACE = {
    "id": 3,
    "title": "Client A",
    "description": "Main client",
    "created_at": "2026-01-02T03:04:05Z",
    "updated_at": "2026-01-02 03:04:05.000000",
}
RECIPE = {"id": 2, "title": "Marketing Common Data Model", "description": "Unified schema"}
DASHBOARD = {"dashboard_id": 11, "title": "Paid Media Overview", "data_name": "paid_media"}
ANY_URL = re.compile(r"^http://127\.0\.0\.1:1/.*$")


def _page(*items: Any) -> dict[str, Any]:
    return {"count": len(items), "next": None, "previous": None, "results": list(items)}


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


async def test_workspaces_list() -> None:
    result, sent = await call_once(
        lambda c: c.workspaces.list(page=2, page_size=10).first_page(),
        method="GET",
        response=_page(WORKSPACE),
    )
    assert isinstance(result, Page) and isinstance(result.results[0], Workspace)
    assert result.results[0].created_at is not None
    assert (sent.method, sent.path, sent.auth) == ("GET", "/api/v3/workspaces", "basic")
    assert sent.query == {"page": "2", "page_size": "10"}


async def test_workspaces_create() -> None:
    result, sent = await call_once(
        lambda c: c.workspaces.create(title="Client A", description="Main client"),
        method="POST",
        status=201,
        response=WORKSPACE,
    )
    assert isinstance(result, Workspace) and result.id == 3
    assert (sent.method, sent.path, sent.auth) == ("POST", "/api/v3/workspaces", "basic")
    assert sent.json == {"title": "Client A", "description": "Main client"}


async def test_workspaces_get() -> None:
    result, sent = await call_once(lambda c: c.workspaces.get(3), method="GET", response=WORKSPACE)
    assert isinstance(result, Workspace) and result.title == "Client A"
    assert (sent.method, sent.path, sent.auth, sent.json) == (
        "GET",
        "/api/v3/workspaces/3",
        "basic",
        None,
    )


async def test_workspaces_update_sends_only_given_fields() -> None:
    result, sent = await call_once(
        lambda c: c.workspaces.update(3, title="Renamed"), method="PUT", response=WORKSPACE
    )
    assert isinstance(result, Workspace)
    assert (sent.method, sent.path, sent.auth) == ("PUT", "/api/v3/workspaces/3", "basic")
    assert sent.json == {"title": "Renamed"}


@pytest.mark.parametrize("response", [[DASHBOARD], _page(DASHBOARD)], ids=["plain-list", "page"])
async def test_workspaces_list_dashboards_reads_a_plain_list_or_a_page(response: Any) -> None:
    result, sent = await call_once(
        lambda c: c.workspaces.list_dashboards(3).first_page(), method="GET", response=response
    )
    assert isinstance(result, Page) and isinstance(result.results[0], Dashboard)
    assert result.count == 1 and result.results[0].dashboard_id == 11
    assert (sent.method, sent.path, sent.auth, sent.query) == (
        "GET",
        "/api/v3/workspaces/3/dashboards",
        "basic",
        {},
    )


async def test_workspaces_enable_recipe() -> None:
    result, sent = await call_once(
        lambda c: c.workspaces.enable_recipe(3, recipe_id=2),
        method="POST",
        status=201,
        response=RECIPE,
    )
    assert isinstance(result, Recipe) and result.id == 2
    assert (sent.method, sent.path, sent.auth) == ("POST", "/api/v3/workspaces/3/recipes", "basic")
    assert sent.json == {"recipe_id": 2}


async def test_workspaces_enable_recipe_with_an_empty_answer_reads_the_recipe_back() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.post(ANY_URL, status=204, body="")
            mock.get(ANY_URL, body=json.dumps(_page({"id": 1, "title": "Other"}, RECIPE)))
            result = await client.workspaces.enable_recipe(3, recipe_id=2)
            requests = [(method, url.path) for (method, url) in mock.requests]
    assert isinstance(result, Recipe) and result.title == "Marketing Common Data Model"
    assert requests == [("POST", "/api/v3/workspaces/3/recipes"), ("GET", "/api/v3/recipes")]


async def test_iframe_get_url() -> None:
    url = "https://embedded.improvado.io/embedded/iframe/?workspace_id=3&session=ab"
    result, sent = await call_once(
        lambda c: c.iframe.get_url(workspace_id=3, datasource_name="facebook"),
        method="POST",
        response={"url": url},
    )
    assert isinstance(result, IframeUrl) and result.url == url
    assert result.with_account_selection() == f"{url}&show_account_selection=True"
    assert (sent.method, sent.path, sent.auth) == ("POST", "/api/v3/get_iframe_url", "basic")
    assert sent.json == {"workspace_id": 3, "datasource_name": "facebook"}


async def test_iframe_get_url_accepts_a_bare_string() -> None:
    result, _ = await call_once(
        lambda c: c.iframe.get_url(workspace_id=3), method="POST", response="https://x.io/ui"
    )
    assert result == IframeUrl(url="https://x.io/ui")
    assert result.with_account_selection() == "https://x.io/ui?show_account_selection=True"


@pytest.mark.parametrize("response", [[RECIPE], _page(RECIPE)], ids=["plain-list", "page"])
async def test_recipes_list(response: Any) -> None:
    result, sent = await call_once(
        lambda c: c.recipes.list(page_size=5).first_page(), method="GET", response=response
    )
    assert isinstance(result, Page) and isinstance(result.results[0], Recipe)
    assert (sent.method, sent.path, sent.auth) == ("GET", "/api/v3/recipes", "basic")
    assert sent.query == {"page": "1", "page_size": "5"}


async def test_unknown_workspace_keys_are_kept() -> None:
    result, _ = await call_once(
        lambda c: c.workspaces.get(3), method="GET", response={**WORKSPACE, "plan": "pro"}
    )
    assert result.extra == {"plan": "pro"}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.workspaces.list(page_size=101), "page_size"),
        (lambda c: c.workspaces.list(page=0), "page"),
        (lambda c: c.workspaces.create(title=""), "title"),
        (lambda c: c.workspaces.create(title="  "), "title"),
        (lambda c: c.workspaces.create(title="A", description=5), "description"),
        (lambda c: c.workspaces.get("3"), "workspace_id"),
        (lambda c: c.workspaces.update(None, title="A"), "workspace_id"),
        (lambda c: c.workspaces.update(3, title=""), "title"),
        (lambda c: c.workspaces.list_dashboards("3"), "workspace_id"),
        (lambda c: c.workspaces.enable_recipe(3, recipe_id="2"), "recipe_id"),
        (lambda c: c.iframe.get_url(workspace_id="3"), "workspace_id"),
        (lambda c: c.iframe.get_url(workspace_id=True), "workspace_id"),
        (lambda c: c.iframe.get_url(workspace_id=3, datasource_name=""), "datasource_name"),
        (lambda c: c.iframe.get_url(workspace_id=3, destination_name=" "), "destination_name"),
        (lambda c: c.recipes.list(page_size=0), "page_size"),
    ],
)
async def test_validation_sends_nothing(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    await _rejected(call, field)
