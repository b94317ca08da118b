"""Agency-level Basic-auth operations: workspaces (6 ops), iframe URL and agency recipes."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from ..catalog import AGENCY_RECIPES, DASHBOARDS, AgencyRecipe
from ..clock import iso, utc_now
from ..context import context_of
from ..errors import bad_request, not_found
from ..pagination import paginate
from ..records import Workspace
from ..routing import AgencyCall, Route, basic_route
from ..validation import as_int, json_body, optional_str, require_int, require_str


def workspace_json(workspace: Workspace) -> dict[str, Any]:
    """Workspace object."""
    return {
        "id": workspace.id,
        "title": workspace.title,
        "description": workspace.description,
        "created_at": iso(workspace.created_at),
        "updated_at": iso(workspace.updated_at),
    }


def recipe_json(recipe: AgencyRecipe) -> dict[str, Any]:
    """Agency recipe object."""
    return {"id": recipe.id, "title": recipe.title, "description": recipe.description}


def _workspace_or_404(call: AgencyCall) -> Workspace:
    workspace = call.ctx.state.workspace(call.path_int("id"))
    if workspace is None:
        raise not_found("Workspace not found.")
    return workspace


@basic_route
async def list_workspaces(call: AgencyCall) -> web.Response:
    """Paginated workspaces of the agency."""
    rows = [call.ctx.state.workspaces[key] for key in sorted(call.ctx.state.workspaces)]
    return paginate(call.request, rows, workspace_json)


@basic_route
async def create_workspace(call: AgencyCall) -> web.Response:
    """Create a workspace (``title`` required, ``description`` optional)."""
    body = await json_body(call.request)
    title = require_str(body, "title")
    description = optional_str(body, "description") or ""
    state = call.ctx.state
    now = utc_now()
    workspace = Workspace(state.workspace_ids.next(), title, description, now, now)
    state.workspaces[workspace.id] = workspace
    return web.json_response(workspace_json(workspace), status=201)


@basic_route
async def get_workspace(call: AgencyCall) -> web.Response:
    """One workspace."""
    return web.json_response(workspace_json(_workspace_or_404(call)))


@basic_route
async def update_workspace(call: AgencyCall) -> web.Response:
    """Update ``title`` and/or ``description``."""
    workspace = _workspace_or_404(call)
    body = await json_body(call.request)
    title = optional_str(body, "title")
    if "description" in body and body["description"] is not None:
        if not isinstance(body["description"], str):
            raise bad_request("description: Not a valid string.")
        workspace.description = body["description"]
    if title is not None:
        workspace.title = title
    workspace.updated_at = utc_now()
    return web.json_response(workspace_json(workspace))


@basic_route
async def list_dashboards(call: AgencyCall) -> web.Response:
    """Dashboards of a workspace (plain array)."""
    _workspace_or_404(call)
    return web.json_response(
        [
            {"dashboard_id": d.dashboard_id, "title": d.title, "data_name": d.data_name}
            for d in DASHBOARDS
        ]
    )


@basic_route
async def enable_recipe(call: AgencyCall) -> web.Response:
    """Enable an agency recipe (``recipe_id``) in a workspace; idempotent."""
    workspace = _workspace_or_404(call)
    recipe_id = require_int(await json_body(call.request), "recipe_id")
    recipe = next((item for item in AGENCY_RECIPES if item.id == recipe_id), None)
    if recipe is None:
        raise bad_request(f"recipe_id: Recipe {recipe_id} does not exist.")
    if recipe_id not in workspace.enabled_recipe_ids:
        workspace.enabled_recipe_ids.append(recipe_id)
    return web.json_response(recipe_json(recipe), status=201)


@basic_route
async def list_recipes(call: AgencyCall) -> web.Response:
    """Paginated agency recipes."""
    return paginate(call.request, AGENCY_RECIPES, recipe_json)


async def get_iframe_url(request: web.Request) -> web.Response:
    """Iframe URL for a workspace; Basic (documented) or workspace credentials (tolerated)."""
    ctx = context_of(request)
    body = await json_body(request, optional=True)
    if request.headers.get("Authorization", "").lower().startswith("basic "):
        ctx.auth.basic_user(request)
        if body.get("workspace_id") in (None, ""):
            raise bad_request("workspace_id: This field is required.")
        workspace_id = as_int(body["workspace_id"], "workspace_id", allow_numeric_string=True)
    else:
        workspace_id = ctx.auth.workspace(request)
    if ctx.state.workspace(workspace_id) is None:
        raise not_found("Workspace not found.")
    query = {"workspace_id": str(workspace_id), "session": secrets.token_hex(16)}
    for key in ("datasource_name", "destination_name"):
        value = optional_str(body, key)
        if value is not None:
            query[key] = value
    url = request.url.with_path("/embedded/iframe/").with_query(query)
    return web.json_response({"url": str(url)})


ROUTES = (
    Route("GET", "/api/v3/workspaces", list_workspaces),
    Route("POST", "/api/v3/workspaces", create_workspace),
    Route("GET", r"/api/v3/workspaces/{id:\d+}", get_workspace),
    Route("PUT", r"/api/v3/workspaces/{id:\d+}", update_workspace),
    Route("GET", r"/api/v3/workspaces/{id:\d+}/dashboards", list_dashboards),
    Route("POST", r"/api/v3/workspaces/{id:\d+}/recipes", enable_recipe),
    Route("POST", "/api/v3/get_iframe_url", get_iframe_url),
    Route("GET", "/api/v3/recipes", list_recipes),
)
