"""Destinations catalog and destination connections (7 ops)."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from .. import render
from ..catalog import DESTINATIONS, Destination, destination
from ..clock import utc_now
from ..errors import bad_request, not_found
from ..pagination import paginate
from ..records import DestinationConnection
from ..routing import Route, WorkspaceCall, workspace_route
from ..validation import JsonObject, json_body, optional_bool, optional_str, require_str


def _destination_or_404(call: WorkspaceCall) -> Destination:
    found = destination(call.request.match_info["destination_name"])
    if found is None:
        raise not_found("Destination not found.")
    return found


def _connection_or_404(call: WorkspaceCall, id_name: str = "id") -> DestinationConnection:
    kind = _destination_or_404(call)
    connection = call.ctx.state.destination_connection_rows.get(
        call.workspace_id, call.path_int(id_name)
    )
    if connection is None or connection.destination_name != kind.name:
        raise not_found("Destination connection not found.")
    return connection


def _connection_params(body: JsonObject) -> dict[str, Any] | None:
    """Connection parameters under either spelling (the create doc spells it ``conenctions``)."""
    for key in ("conenctions_params", "connection_params", "connections_params"):
        if body.get(key) is not None:
            value = body[key]
            if not isinstance(value, dict):
                raise bad_request(f"{key}: Expected a JSON object.")
            return value
    return None


def _response(connection: DestinationConnection, status: int = 200) -> web.Response:
    return web.json_response(render.destination_connection(connection), status=status)


@workspace_route
async def list_destinations(call: WorkspaceCall) -> web.Response:
    """Paginated destination types (``{name, title}``)."""
    return paginate(
        call.request,
        DESTINATIONS,
        lambda item: {"name": item.name, "title": item.title},
    )


@workspace_route
async def list_connections(call: WorkspaceCall) -> web.Response:
    """Paginated destination connections of one destination type."""
    kind = _destination_or_404(call)
    rows = [
        row
        for row in call.ctx.state.destination_connections(call.workspace_id)
        if row.destination_name == kind.name
    ]
    return paginate(call.request, rows, render.destination_connection)


@workspace_route
async def create_connection(call: WorkspaceCall) -> web.Response:
    """Create a destination connection (status ``active``)."""
    kind = _destination_or_404(call)
    body = await json_body(call.request)
    title = require_str(body, "title")
    auto_load = optional_bool(body, "create_load_for_new_tables")
    named = optional_str(body, "destination_name")
    if named is not None and named != kind.name:
        raise bad_request("destination_name: Does not match the destination in the URL.")
    params = _connection_params(body) or {}
    state = call.ctx.state
    now = utc_now()
    connection = state.destination_connection_rows.add(
        DestinationConnection(
            id=state.destination_connection_rows.ids.next(),
            workspace_id=call.workspace_id,
            uid=str(uuid.uuid4()),
            title=title,
            destination_name=kind.name,
            status="active",
            created_at=now,
            updated_at=now,
            create_load_for_new_tables=bool(auto_load),
            connection_params=params,
        )
    )
    return _response(connection, status=201)


@workspace_route
async def get_connection(call: WorkspaceCall) -> web.Response:
    """One destination connection."""
    return _response(_connection_or_404(call))


@workspace_route
async def update_connection(call: WorkspaceCall) -> web.Response:
    """Rename and/or toggle ``create_load_for_new_tables``."""
    connection = _connection_or_404(call)
    body = await json_body(call.request, optional=True)
    title = optional_str(body, "title")
    auto_load = optional_bool(body, "create_load_for_new_tables")
    if title is not None:
        connection.title = title
    if auto_load is not None:
        connection.create_load_for_new_tables = auto_load
    connection.updated_at = utc_now()
    return _response(connection)


@workspace_route
async def reauthorize_connection(call: WorkspaceCall) -> web.Response:
    """Replace title and credentials; the connection becomes ``active`` again."""
    connection = _connection_or_404(call)
    body = await json_body(call.request)
    connection.title = require_str(body, "title")
    params = _connection_params(body)
    if params is not None:
        connection.connection_params = params
    connection.status = "active"
    connection.updated_at = utc_now()
    return _response(connection)


@workspace_route
async def recheck_connection(call: WorkspaceCall) -> web.Response:
    """Re-check the connection: an initializing connection finishes and becomes ``active``."""
    connection = _connection_or_404(call, "destination_connection_id")
    if connection.status == "initializing":
        connection.status = "active"
    connection.updated_at = utc_now()
    return _response(connection)


_ITEM = r"/api/v3/destinations/{destination_name}/connections/{id:\d+}"

ROUTES = (
    Route("GET", "/api/v3/destinations", list_destinations),
    Route("GET", "/api/v3/destinations/{destination_name}/connections", list_connections),
    Route("POST", "/api/v3/destinations/{destination_name}/connections", create_connection),
    Route("GET", _ITEM, get_connection),
    Route("PATCH", _ITEM, update_connection),
    Route("PUT", _ITEM, reauthorize_connection),
    Route(
        "PUT",
        r"/api/v3/destinations/{destination_name}/connections/"
        r"{destination_connection_id:\d+}/recheck",
        recheck_connection,
    ),
)
