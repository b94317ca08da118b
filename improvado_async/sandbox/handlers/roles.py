"""Roles & permissions (7 ops) - Basic auth of an agency chief, agency-scoped."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..catalog import PERMISSION_CATALOG, permission_pairs
from ..clock import iso, utc_now
from ..errors import bad_request, forbidden, not_found
from ..records import Role
from ..role_fixtures import VIEWER_ROLE_ID
from ..routing import AgencyCall, Route, chief_route
from ..state import SandboxState
from ..validation import JsonObject, json_body, require_str


def role_json(state: SandboxState, role: Role) -> dict[str, Any]:
    """Role object with its live ``user_count``."""
    return {
        "id": role.id,
        "title": role.title,
        "description": role.description,
        "permissions": role.permissions,
        "is_system": role.is_system,
        "user_count": sum(a.role_id == role.id for a in state.role_assignments),
        "created_at": iso(role.created_at),
        "updated_at": iso(role.updated_at),
    }


def _require_api_flag(call: AgencyCall) -> None:
    if not call.ctx.state.agency.can_use_embedded_api:
        raise forbidden("The agency cannot use the Embedded API for roles.")


def _role_or_404(call: AgencyCall) -> Role:
    _require_api_flag(call)
    role = call.ctx.state.roles.get(call.path_int("role_id"))
    if role is None:
        raise not_found("Role not found.")
    return role


def _custom_role_or_error(call: AgencyCall) -> Role:
    role = _role_or_404(call)
    if role.is_system:
        raise forbidden("System roles are read-only.")
    return role


def _title(call: AgencyCall, body: JsonObject, *, current: Role | None = None) -> str:
    title = require_str(body, "title").strip()
    for role in call.ctx.state.roles.values():
        if role is not current and role.title.lower() == title.lower():
            raise bad_request("title: A role with this title already exists.")
    return title


def _permissions(body: JsonObject) -> dict[str, list[str]]:
    value = body.get("permissions")
    if value is None:
        raise bad_request("permissions: This field is required.")
    if not isinstance(value, dict) or not all(
        isinstance(codes, list) and all(isinstance(c, str) for c in codes)
        for codes in value.values()
    ):
        raise bad_request("permissions: Expected an object of layer code -> permission codes.")
    valid = permission_pairs()
    for layer, codes in value.items():
        for code in codes:
            if (layer, code) not in valid:
                raise bad_request(f"permissions: Unknown permission {layer}.{code}.")
    return {layer: list(dict.fromkeys(codes)) for layer, codes in value.items() if codes}


def _description(body: JsonObject) -> str | None:
    value = body.get("description")
    if value is not None and not isinstance(value, str):
        raise bad_request("description: Not a valid string.")
    return value


@chief_route
async def list_roles(call: AgencyCall) -> web.Response:
    """Plain array: system roles then custom roles, each with ``user_count``."""
    _require_api_flag(call)
    state = call.ctx.state
    return web.json_response([role_json(state, state.roles[key]) for key in sorted(state.roles)])


@chief_route
async def create_role(call: AgencyCall) -> web.Response:
    """Create a custom role (title unique in the agency, catalog permissions)."""
    _require_api_flag(call)
    body = await json_body(call.request)
    title = _title(call, body)
    permissions = _permissions(body)
    state = call.ctx.state
    now = utc_now()
    role = Role(
        state.custom_role_ids.next(),
        title,
        _description(body) or "",
        permissions,
        False,
        now,
        now,
    )
    state.roles[role.id] = role
    return web.json_response(role_json(state, role), status=201)


@chief_route
async def permission_catalog(call: AgencyCall) -> web.Response:
    """Stable ordered catalog of layers and their permissions."""
    _require_api_flag(call)
    return web.json_response(
        [
            {
                "code": layer.code,
                "title": layer.title,
                "description": layer.description,
                "permissions": [
                    {"code": p.code, "title": p.title, "description": p.description}
                    for p in layer.permissions
                ],
            }
            for layer in PERMISSION_CATALOG
        ]
    )


@chief_route
async def get_role(call: AgencyCall) -> web.Response:
    """One role."""
    return web.json_response(role_json(call.ctx.state, _role_or_404(call)))


@chief_route
async def update_role(call: AgencyCall) -> web.Response:
    """Change any of title, description, permissions (custom roles only)."""
    role = _custom_role_or_error(call)
    body = await json_body(call.request)
    title = _title(call, body, current=role) if "title" in body else None
    permissions = _permissions(body) if "permissions" in body else None
    description = _description(body)
    if title is not None:
        role.title = title
    if permissions is not None:
        role.permissions = permissions
    if description is not None:
        role.description = description
    role.updated_at = utc_now()
    return web.json_response(role_json(call.ctx.state, role))


@chief_route
async def delete_role(call: AgencyCall) -> web.Response:
    """Delete a custom role; its users are reassigned to the system Viewer role."""
    role = _custom_role_or_error(call)
    state = call.ctx.state
    reassigned = 0
    for assignment in state.role_assignments:
        if assignment.role_id == role.id:
            assignment.role_id = VIEWER_ROLE_ID
            reassigned += 1
    del state.roles[role.id]
    return web.json_response({"reassigned_users_count": reassigned})


@chief_route
async def role_users(call: AgencyCall) -> web.Response:
    """Users holding the role, each with the workspace they hold it in."""
    role = _role_or_404(call)
    state = call.ctx.state
    users = []
    for assignment in state.role_assignments:
        workspace = state.workspace(assignment.workspace_id)
        if assignment.role_id == role.id and workspace is not None:
            users.append(
                {
                    "id": assignment.user_id,
                    "email": assignment.email,
                    "name": assignment.name,
                    "workspace": {"id": workspace.id, "title": workspace.title},
                }
            )
    return web.json_response(users)


_ROLE = r"/api/v3/roles/{role_id:\d+}"

ROUTES = (
    Route("GET", "/api/v3/roles/", list_roles),
    Route("POST", "/api/v3/roles/", create_role),
    Route("GET", "/api/v3/roles/permissions", permission_catalog),
    Route("GET", _ROLE, get_role),
    Route("PATCH", _ROLE, update_role),
    Route("DELETE", _ROLE, delete_role),
    Route("GET", _ROLE + "/users", role_users),
)
