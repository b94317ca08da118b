"""Loads (8 ops): list/create/get/update/delete, pause/unpause and run."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from .. import render
from ..clock import utc_now
from ..errors import bad_request, not_found
from ..fixtures import destination_table_name
from ..pagination import paginate
from ..records import Load
from ..routing import Route, WorkspaceCall, workspace_route
from ..simulation import start_load_run
from ..validation import (
    as_str,
    date_range,
    int_list_query,
    json_body,
    optional_bool,
    optional_str,
    require_int,
    str_list_query,
)

DEFAULT_RUN_POLICY = "after_extraction"


def _load_or_404(call: WorkspaceCall, name: str) -> Load:
    load = call.ctx.state.load_rows.get(call.workspace_id, call.path_int(name))
    if load is None:
        raise not_found("Load not found.")
    return load


def _load_response(call: WorkspaceCall, load: Load, status: int = 200) -> web.Response:
    return web.json_response(render.load(call.ctx.state, load), status=status)


def _load_filter(call: WorkspaceCall) -> Callable[[Load], bool]:
    """Predicate for the list filters, parsed (and validated) once per request."""
    table_ids = int_list_query(call.request, "data_table_id")
    connection_ids = int_list_query(call.request, "destination_connection_id")
    names = str_list_query(call.request, "destination_name")

    def matches(load: Load) -> bool:
        return (
            (table_ids is None or load.data_table_id in table_ids)
            and (connection_ids is None or load.destination_connection_id in connection_ids)
            and (names is None or load.destination_name in names)
        )

    return matches


@workspace_route
async def list_loads(call: WorkspaceCall) -> web.Response:
    """Paginated loads, filterable by table, connection and destination name (csv accepted)."""
    matches = _load_filter(call)
    loads = [load for load in call.ctx.state.loads(call.workspace_id) if matches(load)]
    return paginate(call.request, loads, lambda load: render.load(call.ctx.state, load))


@workspace_route
async def create_load(call: WorkspaceCall) -> web.Response:
    """Create a load of a data table into a destination connection of this workspace."""
    body = await json_body(call.request)
    state = call.ctx.state
    table_id = require_int(body, "data_table_id")
    connection_id = require_int(body, "destination_connection_id")
    destination_table = optional_str(body, "destination_table")
    run_policy = optional_str(body, "run_policy") or DEFAULT_RUN_POLICY
    historical = optional_bool(body, "load_historical_data")
    table = state.data_table_rows.get(call.workspace_id, table_id)
    if table is None:
        raise bad_request(f"data_table_id: Data table {table_id} does not exist.")
    connection = state.destination_connection_rows.get(call.workspace_id, connection_id)
    if connection is None:
        raise bad_request(
            f"destination_connection_id: Destination connection {connection_id} does not exist."
        )
    if connection.status != "active":
        raise bad_request(
            f"destination_connection_id: Destination connection {connection_id} is not active."
        )
    load = state.load_rows.add(
        Load(
            id=state.load_rows.ids.next(),
            workspace_id=call.workspace_id,
            data_table_id=table.id,
            destination_connection_id=connection.id,
            destination_name=connection.destination_name,
            destination_table=destination_table or destination_table_name(table.title),
            run_policy=run_policy,
            status="active",
            created_at=utc_now(),
            load_historical_data=bool(historical),
        )
    )
    return _load_response(call, load, status=201)


@workspace_route
async def get_load(call: WorkspaceCall) -> web.Response:
    """One load."""
    return _load_response(call, _load_or_404(call, "load_id"))


@workspace_route
async def update_load(call: WorkspaceCall) -> web.Response:
    """Update ``run_policy`` and/or ``schedule`` (any subset)."""
    load = _load_or_404(call, "load_id")
    body = await json_body(call.request, optional=True)
    run_policy = as_str(body["run_policy"], "run_policy") if "run_policy" in body else None
    schedule = body.get("schedule")
    if schedule is not None and not isinstance(schedule, dict):
        raise bad_request("schedule: Expected a JSON object or null.")
    if run_policy is not None:
        load.run_policy = run_policy
    if "schedule" in body:
        load.schedule = schedule
    return _load_response(call, load)


@workspace_route
async def delete_load(call: WorkspaceCall) -> web.Response:
    """Delete a load (204, empty body)."""
    load = _load_or_404(call, "load_id")
    call.ctx.state.load_rows.delete(call.workspace_id, load.id)
    return web.Response(status=204)


@workspace_route
async def pause_load(call: WorkspaceCall) -> web.Response:
    """Pause a load (also stops a run in progress from completing)."""
    load = _load_or_404(call, "id")
    load.run_generation += 1
    load.status = "paused"
    return _load_response(call, load)


@workspace_route
async def unpause_load(call: WorkspaceCall) -> web.Response:
    """Reactivate a paused load."""
    load = _load_or_404(call, "id")
    if load.status == "paused":
        load.status = "active"
    return _load_response(call, load)


@workspace_route
async def run_load(call: WorkspaceCall) -> web.Response:
    """Start a run (optional ``date_from``+``date_to``); completes after 2 s x time_scale."""
    load = _load_or_404(call, "id")
    window = date_range(await json_body(call.request, optional=True))
    if load.status == "paused":
        raise bad_request("Cannot run a paused load. Unpause it first.")
    start_load_run(call.ctx, load, window)
    return _load_response(call, load)


ROUTES = (
    Route("GET", "/api/v3/loads", list_loads),
    Route("POST", "/api/v3/loads", create_load),
    Route("GET", r"/api/v3/loads/{load_id:\d+}", get_load),
    Route("PUT", r"/api/v3/loads/{load_id:\d+}", update_load),
    Route("DELETE", r"/api/v3/loads/{load_id:\d+}", delete_load),
    Route("PUT", r"/api/v3/loads/{id:\d+}/pause", pause_load),
    Route("PUT", r"/api/v3/loads/{id:\d+}/unpause", unpause_load),
    Route("PUT", r"/api/v3/loads/{id:\d+}/run", run_load),
)
