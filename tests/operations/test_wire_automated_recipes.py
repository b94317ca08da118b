"""Wire tests of automated recipe templates and automated recipes (URL, query, auth, body)."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from improvado_async import AsyncImprovado, Page, ValidationError
from improvado_async.models.automated_recipes import (
    AutomatedRecipe,
    AutomatedRecipeState,
    AutomatedRecipeTemplate,
    TemplateTreeNode,
)

from ..wire import call_once, make_client

TEMPLATE = {
    "id": 3,
    "title": "Paid social",
    "data_sources": ["facebook_ads"],
    "dependencies_count": 2,
    "tree": {"id": "root", "title": "Root", "children": [{"id": 9, "type": "extract"}]},
    "created_at": "2026-01-13 10:00:00.000000",
}
RECIPE = {"id": 11, "template_id": 3, "title": "Social", "state": "draft", "configuration": {}}
ANY_URL = re.compile(r"^http://127\.0\.0\.1:1/.*$")


def _page(item: dict[str, Any]) -> dict[str, Any]:
    return {"count": 1, "next": None, "previous": None, "results": [item]}


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


async def test_templates_list_joins_data_sources_with_commas() -> None:
    result, sent = await call_once(
        lambda c: c.automated_recipe_templates.list(
            search="social", data_sources=["google_analytics", "facebook_ads"], page_size=100
        ).first_page(),
        method="GET",
        response=_page(TEMPLATE),
    )
    assert isinstance(result, Page) and isinstance(result.results[0], AutomatedRecipeTemplate)
    assert (sent.method, sent.path, sent.auth) == (
        "GET",
        "/api/v3/automated-recipe-templates",
        "bearer",
    )
    assert sent.query == {
        "search": "social",
        "data_sources": "google_analytics,facebook_ads",
        "page_size": "100",
        "page": "1",
    }


async def test_templates_list_takes_a_single_data_source() -> None:
    _, sent = await call_once(
        lambda c: c.automated_recipe_templates.list(data_sources="facebook_ads").first_page(),
        method="GET",
        response=_page(TEMPLATE),
    )
    assert sent.query == {"data_sources": "facebook_ads", "page": "1"}


async def test_templates_get_structures_the_tree() -> None:
    result, sent = await call_once(
        lambda c: c.automated_recipe_templates.get(3), method="GET", response=TEMPLATE
    )
    assert isinstance(result, AutomatedRecipeTemplate) and result.dependencies_count == 2
    assert isinstance(result.tree, TemplateTreeNode) and result.tree.id == "root"
    assert result.tree.children is not None and result.tree.children[0].type == "extract"
    assert result.created_at is not None and result.created_at.year == 2026
    assert (sent.method, sent.path, sent.auth) == (
        "GET",
        "/api/v3/automated-recipe-templates/3",
        "bearer",
    )


async def test_recipes_list() -> None:
    result, sent = await call_once(
        lambda c: c.automated_recipes.list(template_id=3, state="built").first_page(),
        method="GET",
        response=_page(RECIPE),
    )
    assert isinstance(result, Page) and isinstance(result.results[0], AutomatedRecipe)
    assert (sent.method, sent.path, sent.auth) == ("GET", "/api/v3/automated-recipes", "bearer")
    assert sent.query == {"template_id": "3", "state": "built", "page": "1"}


@pytest.mark.parametrize(
    ("call", "method", "path", "body"),
    [
        (
            lambda c: c.automated_recipes.create(
                template_id=3, title="Social", configuration={"facebook_ads": {"accounts": [1]}}
            ),
            "POST",
            "/api/v3/automated-recipes",
            {
                "template_id": 3,
                "title": "Social",
                "configuration": {"facebook_ads": {"accounts": [1]}},
            },
        ),
        (lambda c: c.automated_recipes.get(11), "GET", "/api/v3/automated-recipes/11", None),
        (
            lambda c: c.automated_recipes.update(11, configuration={"x": 1}, title="New"),
            "PUT",
            "/api/v3/automated-recipes/11",
            {"configuration": {"x": 1}, "title": "New"},
        ),
        (
            lambda c: c.automated_recipes.build(11),
            "POST",
            "/api/v3/automated-recipes/11/build",
            None,
        ),
    ],
)
async def test_recipe_operations(call, method: str, path: str, body: object) -> None:  # type: ignore[no-untyped-def]
    result, sent = await call_once(call, method=method, response=RECIPE)
    assert isinstance(result, AutomatedRecipe) and result.id == 11
    assert result.state is AutomatedRecipeState.DRAFT
    assert (sent.method, sent.path, sent.auth, sent.json) == (method, path, "bearer", body)


async def test_build_with_an_empty_answer_reads_the_recipe_back() -> None:
    async with make_client() as client:
        with aioresponses() as mock:
            mock.add(ANY_URL, method="POST", status=202, body="{}")
            mock.add(ANY_URL, method="GET", body=json.dumps({**RECIPE, "state": "building"}))
            result = await client.automated_recipes.build(11)
            requests = [(m, url.path) for (m, url) in mock.requests]
    assert isinstance(result, AutomatedRecipe) and result.state is AutomatedRecipeState.BUILDING
    assert requests == [
        ("POST", "/api/v3/automated-recipes/11/build"),
        ("GET", "/api/v3/automated-recipes/11"),
    ]


async def test_unknown_state_is_kept() -> None:
    result, _ = await call_once(
        lambda c: c.automated_recipes.get(11),
        method="GET",
        response={**RECIPE, "state": "archived", "trigger": "daily"},
    )
    assert result.state == "archived" and not isinstance(result.state, AutomatedRecipeState)
    assert result.extra == {"trigger": "daily"}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.automated_recipe_templates.list(page_size=101), "page_size"),
        (lambda c: c.automated_recipe_templates.list(data_sources=[]), "data_sources"),
        (lambda c: c.automated_recipe_templates.get("3"), "template_id"),
        (lambda c: c.automated_recipes.list(page_size=101), "page_size"),
        (lambda c: c.automated_recipes.list(template_id="3"), "template_id"),
        (lambda c: c.automated_recipes.create(template_id=None), "template_id"),
        (lambda c: c.automated_recipes.update(11, configuration=[1]), "configuration"),
        (lambda c: c.automated_recipes.get(True), "recipe_id"),
        (lambda c: c.automated_recipes.build("11"), "recipe_id"),
    ],
)
async def test_validation_sends_nothing(call: Callable[[AsyncImprovado], Any], field: str) -> None:
    await _rejected(call, field)
