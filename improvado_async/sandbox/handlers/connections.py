"""Data sources, data-source connections and their accounts (7 ops)."""

from __future__ import annotations

from aiohttp import web

from .. import render
from ..catalog import DATASOURCES, DataSource, datasource
from ..clock import utc_now
from ..effects import delete_connection
from ..errors import bad_request, not_found
from ..events import emit, extract_data
from ..pagination import paginate
from ..records import Account, Connection
from ..routing import Route, WorkspaceCall, workspace_route
from ..validation import JsonObject, as_int, json_body


def datasource_or_404(call: WorkspaceCall) -> DataSource:
    """The data source named in the path; 404 when unknown."""
    found = datasource(call.request.match_info["datasource_name"])
    if found is None:
        raise not_found("Data source not found.")
    return found


def connection_or_404(call: WorkspaceCall, connection_id: int) -> Connection:
    """A connection of the caller's workspace; 404 otherwise."""
    row = call.ctx.state.connection_rows.get(call.workspace_id, connection_id)
    if row is None:
        raise not_found("Connection not found.")
    return row


@workspace_route
async def list_datasources(call: WorkspaceCall) -> web.Response:
    """Paginated data sources; ``?category=`` filters by one category."""
    category = call.request.query.get("category")
    rows = [ds for ds in DATASOURCES if category is None or category in ds.categories]
    return paginate(
        call.request,
        rows,
        lambda ds: {"name": ds.name, "title": ds.title, "categories": list(ds.categories)},
    )


@workspace_route
async def list_datasource_connections(call: WorkspaceCall) -> web.Response:
    """Paginated connections of one data source in the workspace."""
    source = datasource_or_404(call)
    state = call.ctx.state
    rows = [c for c in state.connections(call.workspace_id) if c.datasource_name == source.name]
    return paginate(call.request, rows, lambda row: render.connection(state, row))


@workspace_route
async def delete_datasource_connection(call: WorkspaceCall) -> web.Response:
    """Delete a connection of this data source (accounts deactivated, extracts paused)."""
    source = datasource_or_404(call)
    row = connection_or_404(call, call.path_int("id"))
    if row.datasource_name != source.name:
        raise not_found("Connection not found.")
    _delete(call, row)
    return web.Response(status=204)


@workspace_route
async def delete_any_connection(call: WorkspaceCall) -> web.Response:
    """Delete a connection by id alone (same side effects)."""
    _delete(call, connection_or_404(call, call.path_int("connection_id")))
    return web.Response(status=204)


def _delete(call: WorkspaceCall, row: Connection) -> None:
    for extract in delete_connection(call.ctx.state, row):
        emit(call.ctx, call.workspace_id, "extraction_paused", extract_data(extract))


@workspace_route
async def list_accounts(call: WorkspaceCall) -> web.Response:
    """Paginated accounts of a connection."""
    row = connection_or_404(call, call.path_int("connection_id"))
    accounts = call.ctx.state.accounts(call.workspace_id, row.id)
    return paginate(call.request, accounts, render.account)


def _enabled_flag(body: JsonObject, label: str = "") -> bool:
    key = "enabled_for_embedded_extraction"
    name = f"{label}{key}"
    value = body.get(key)
    if value is None:
        raise bad_request(f"{name}: This field is required.")
    if not isinstance(value, bool):
        raise bad_request(f"{name}: Must be a valid boolean.")
    return value


def _set_enabled(account: Account, enabled: bool) -> None:
    account.enabled_for_embedded_extraction = enabled
    account.updated_at = utc_now()


def _bulk_changes(
    call: WorkspaceCall, body: JsonObject, row: Connection
) -> list[tuple[Account, bool]]:
    """Validate every item first so a bad item changes nothing."""
    items = body.get("accounts")
    if items is None:
        raise bad_request("accounts: This field is required.")
    if not isinstance(items, list) or not items:
        raise bad_request("accounts: Expected a non-empty list.")
    changes = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise bad_request(f"accounts[{position}]: Expected a JSON object.")
        account_id = as_int(item.get("id"), f"accounts[{position}].id")
        account = call.ctx.state.account_rows.get(call.workspace_id, account_id)
        if account is None or account.connection_id != row.id:
            raise bad_request(f"accounts[{position}].id: Account {account_id} does not exist.")
        changes.append((account, _enabled_flag(item, f"accounts[{position}].")))
    return changes


@workspace_route
async def bulk_update_accounts(call: WorkspaceCall) -> web.Response:
    """``{"accounts": [{id, enabled_for_embedded_extraction}]}`` -> list of updated accounts."""
    row = connection_or_404(call, call.path_int("connection_id"))
    changes = _bulk_changes(call, await json_body(call.request), row)
    for account, enabled in changes:
        _set_enabled(account, enabled)
    return web.json_response([render.account(account) for account, _ in changes])


@workspace_route
async def update_account(call: WorkspaceCall) -> web.Response:
    """Toggle ``enabled_for_embedded_extraction`` of one account."""
    row = connection_or_404(call, call.path_int("connection_id"))
    account = call.ctx.state.account_rows.get(call.workspace_id, call.path_int("account_id"))
    if account is None or account.connection_id != row.id:
        raise not_found("Account not found.")
    _set_enabled(account, _enabled_flag(await json_body(call.request)))
    return web.json_response(render.account(account))


_DS_CONNECTIONS = "/api/v3/datasources/{datasource_name}/connections"
_ACCOUNTS = r"/api/v3/connections/{connection_id:\d+}/accounts"

ROUTES = (
    Route("GET", "/api/v3/datasources", list_datasources),
    Route("GET", _DS_CONNECTIONS, list_datasource_connections),
    Route("DELETE", _DS_CONNECTIONS + r"/{id:\d+}", delete_datasource_connection),
    Route("DELETE", r"/api/v3/connections/{connection_id:\d+}", delete_any_connection),
    Route("GET", _ACCOUNTS, list_accounts),
    Route("PATCH", _ACCOUNTS, bulk_update_accounts),
    Route("PATCH", _ACCOUNTS + r"/{account_id:\d+}", update_account),
)
