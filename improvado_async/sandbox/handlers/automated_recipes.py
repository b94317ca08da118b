"""Automated recipe templates and automated recipes (7 ops)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..catalog import RECIPE_TEMPLATES, RecipeTemplate
from ..clock import SEEDED_AT, iso, utc_now
from ..errors import bad_request, not_found
from ..pagination import paginate
from ..records import AutomatedRecipe
from ..routing import Route, WorkspaceCall, workspace_route
from ..simulation import start_recipe_build
from ..validation import (
    JsonObject,
    int_list_query,
    json_body,
    optional_object,
    optional_str,
    require_int,
    str_list_query,
)


def _tree(template: RecipeTemplate) -> dict[str, Any]:
    """Dependency tree: the recipe root, one node per step, one leaf per data source."""
    sources = [
        {"id": f"source:{name}", "title": name, "type": "datasource", "children": []}
        for name in template.data_sources
    ]
    node: dict[str, Any] = {
        "id": "step:extract",
        "title": "extract",
        "type": "step",
        "children": sources,
    }
    for step in template.steps[1:]:
        node = {"id": f"step:{step}", "title": step, "type": "step", "children": [node]}
    return {
        "id": f"recipe:{template.id}",
        "title": template.title,
        "type": "recipe",
        "children": [node],
    }


def template_json(template: RecipeTemplate, *, detail: bool = False) -> dict[str, Any]:
    """Recipe template; ``detail`` adds the dependency tree."""
    body: dict[str, Any] = {
        "id": template.id,
        "title": template.title,
        "description": template.description,
        "data_sources": list(template.data_sources),
        "dependencies_count": len(template.data_sources) + len(template.steps),
        "created_at": iso(SEEDED_AT),
        "updated_at": iso(SEEDED_AT),
    }
    if detail:
        body["tree"] = _tree(template)
    return body


def recipe_json(recipe: AutomatedRecipe) -> dict[str, Any]:
    """Automated recipe object."""
    return {
        "id": recipe.id,
        "template_id": recipe.template_id,
        "title": recipe.title,
        "state": recipe.state,
        "configuration": recipe.configuration,
        "created_at": iso(recipe.created_at),
        "updated_at": iso(recipe.updated_at),
        "last_build_at": iso(recipe.last_build_at),
        "error_text": recipe.error_text,
    }


def _find_template(template_id: int) -> RecipeTemplate | None:
    return next((t for t in RECIPE_TEMPLATES if t.id == template_id), None)


@workspace_route
async def list_templates(call: WorkspaceCall) -> web.Response:
    """Paginated templates; ``search`` (title substring), ``data_sources`` (csv, any match)."""
    search = (call.request.query.get("search") or "").lower()
    sources = str_list_query(call.request, "data_sources")
    rows = [
        t
        for t in RECIPE_TEMPLATES
        if search in t.title.lower()
        and (sources is None or any(s in t.data_sources for s in sources))
    ]
    return paginate(call.request, rows, template_json)


@workspace_route
async def get_template(call: WorkspaceCall) -> web.Response:
    """Template detail with its dependency tree."""
    template = _find_template(call.path_int("template_id"))
    if template is None:
        raise not_found("Automated recipe template not found.")
    return web.json_response(template_json(template, detail=True))


@workspace_route
async def list_recipes(call: WorkspaceCall) -> web.Response:
    """Paginated recipes of the workspace; filters ``template_id`` and ``state``."""
    template_ids = int_list_query(call.request, "template_id")
    states = str_list_query(call.request, "state")
    rows = [
        r
        for r in call.ctx.state.automated_recipe_rows.list(call.workspace_id)
        if (template_ids is None or r.template_id in template_ids)
        and (states is None or r.state in states)
    ]
    return paginate(call.request, rows, recipe_json)


def _configuration(body: JsonObject) -> dict[str, Any] | None:
    return optional_object(body, "configuration")


@workspace_route
async def create_recipe(call: WorkspaceCall) -> web.Response:
    """Instantiate a template (state ``draft``)."""
    body = await json_body(call.request)
    template_id = require_int(body, "template_id")
    template = _find_template(template_id)
    if template is None:
        raise bad_request(f"template_id: Automated recipe template {template_id} does not exist.")
    title = optional_str(body, "title") or template.title
    configuration = _configuration(body) or {}
    rows = call.ctx.state.automated_recipe_rows
    now = utc_now()
    recipe = rows.add(
        AutomatedRecipe(
            id=rows.ids.next(),
            workspace_id=call.workspace_id,
            template_id=template.id,
            title=title,
            state="draft",
            configuration=configuration,
            created_at=now,
            updated_at=now,
        )
    )
    return web.json_response(recipe_json(recipe), status=201)


def _recipe_or_404(call: WorkspaceCall) -> AutomatedRecipe:
    recipe = call.ctx.state.automated_recipe_rows.get(call.workspace_id, call.path_int("recipe_id"))
    if recipe is None:
        raise not_found("Automated recipe not found.")
    return recipe


@workspace_route
async def get_recipe(call: WorkspaceCall) -> web.Response:
    """One automated recipe."""
    return web.json_response(recipe_json(_recipe_or_404(call)))


@workspace_route
async def update_recipe(call: WorkspaceCall) -> web.Response:
    """Update ``configuration`` and/or ``title``; a changed configuration needs a new build."""
    recipe = _recipe_or_404(call)
    body = await json_body(call.request)
    title = optional_str(body, "title")
    configuration = _configuration(body)
    if recipe.state == "building":
        raise bad_request("Cannot update a recipe while it is building.")
    if title is not None:
        recipe.title = title
    if configuration is not None:
        recipe.configuration = configuration
        recipe.state = "draft"
    recipe.updated_at = utc_now()
    return web.json_response(recipe_json(recipe))


@workspace_route
async def build_recipe(call: WorkspaceCall) -> web.Response:
    """Start a build (202); ``building`` -> ``built`` after 3 s x time_scale."""
    recipe = _recipe_or_404(call)
    if recipe.state == "building":
        raise bad_request("The recipe is already building.")
    start_recipe_build(call.ctx, recipe)
    return web.json_response(recipe_json(recipe), status=202)


ROUTES = (
    Route("GET", "/api/v3/automated-recipe-templates", list_templates),
    Route("GET", r"/api/v3/automated-recipe-templates/{template_id:\d+}", get_template),
    Route("GET", "/api/v3/automated-recipes", list_recipes),
    Route("POST", "/api/v3/automated-recipes", create_recipe),
    Route("GET", r"/api/v3/automated-recipes/{recipe_id:\d+}", get_recipe),
    Route("PUT", r"/api/v3/automated-recipes/{recipe_id:\d+}", update_recipe),
    Route("POST", r"/api/v3/automated-recipes/{recipe_id:\d+}/build", build_recipe),
)
