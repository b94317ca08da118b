"""Data tables (3 ops): list, get, update selected fields."""

from __future__ import annotations

from aiohttp import web

from .. import render
from ..clock import utc_now
from ..errors import bad_request, not_found
from ..pagination import paginate
from ..records import DataTable
from ..routing import Route, WorkspaceCall, workspace_route
from ..validation import json_body, require_str_list


def _table_or_404(call: WorkspaceCall) -> DataTable:
    table = call.ctx.state.data_table_rows.get(call.workspace_id, call.path_int("data_table_id"))
    if table is None:
        raise not_found("Data table not found.")
    return table


@workspace_route
async def list_data_tables(call: WorkspaceCall) -> web.Response:
    """Paginated data tables of the workspace."""
    return paginate(call.request, call.ctx.state.data_tables(call.workspace_id), render.data_table)


@workspace_route
async def get_data_table(call: WorkspaceCall) -> web.Response:
    """One data table with its full schema (system fields included)."""
    return web.json_response(render.data_table(_table_or_404(call)))


def _apply_selection(table: DataTable, selected: list[str]) -> None:
    """Select exactly ``selected``; dimensions and system fields can never be deselected."""
    known = {field.name for field in table.fields}
    unknown = [name for name in selected if name not in known]
    if unknown:
        raise bad_request(f"selected_fields: Unknown fields: {', '.join(unknown)}.")
    dropped = [f.name for f in table.fields if f.kind == "dimension" and f.name not in selected]
    if dropped:
        raise bad_request(
            f"selected_fields: Dimension fields cannot be deselected: {', '.join(dropped)}."
        )
    for field in table.fields:
        field.selected = field.kind == "system" or field.name in selected


@workspace_route
async def update_data_table(call: WorkspaceCall) -> web.Response:
    """Replace the selected-field list (the FULL list of fields to deliver)."""
    table = _table_or_404(call)
    selected = require_str_list(await json_body(call.request), "selected_fields")
    _apply_selection(table, selected)
    table.updated_at = utc_now()
    return web.json_response(render.data_table(table))


ROUTES = (
    Route("GET", "/api/v3/data-tables", list_data_tables),
    Route("GET", r"/api/v3/data-tables/{data_table_id:\d+}", get_data_table),
    Route("PUT", r"/api/v3/data-tables/{data_table_id:\d+}", update_data_table),
)
