"""Extracts (9 ops): list, v3.1 create, get, put, patch, run, pause, unpause, migrate-wide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from aiohttp import web

from ..clock import iso, utc_now
from ..effects import add_fields_to_table, create_data_table
from ..errors import bad_request, not_found
from ..events import emit, extract_data
from ..pagination import paginate
from ..records import Account, Extract, ExtractTemplate
from ..routing import Route, WorkspaceCall, workspace_route
from ..simulation import start_extract_run
from ..state import SandboxState
from ..template_settings import TemplateSettings, parse_settings
from ..validation import (
    JsonObject,
    date_range,
    int_list_query,
    json_body,
    optional_date,
    optional_str,
    require_int,
    require_int_list,
    require_str,
    str_list_query,
)

_NO_HISTORY_CLASSES = ("lifetime", "lifetime_incremental")


def extract_json(state: SandboxState, extract: Extract) -> dict[str, Any]:
    """Extract object (account identifiers in all three documented forms)."""
    account = state.account_rows.get(extract.workspace_id, extract.account_embedded_id)
    return {
        "id": extract.id,
        "title": extract.title,
        "connection_id": extract.connection_id,
        "account_id": account.account_id if account else None,
        "account_name": account.title if account else None,
        "account_entity_id": account.account_id if account else None,
        "account_embedded_id": extract.account_embedded_id,
        "datasource_name": extract.datasource_name,
        "template_id": extract.template_id,
        "data_table_id": extract.data_table_id,
        "created_at": iso(extract.created_at),
        "last_sync": iso(extract.last_sync),
        "status": extract.status,
        "error_text": extract.error_text,
        "schedules_limit": extract.schedules_limit,
        "sync_historical_data": (
            extract.sync_historical_data.isoformat() if extract.sync_historical_data else None
        ),
        "fields": extract.fields,
        "additional_params": extract.additional_params,
        "schedules": extract.schedules,
        "custom_settings": extract.custom_settings,
    }


def _response(call: WorkspaceCall, extract: Extract, status: int = 200) -> web.Response:
    return web.json_response(extract_json(call.ctx.state, extract), status=status)


def _extract_or_404(call: WorkspaceCall, name: str) -> Extract:
    extract = call.ctx.state.extract_rows.get(call.workspace_id, call.path_int(name))
    if extract is None:
        raise not_found("Extract not found.")
    return extract


def _extract_filter(call: WorkspaceCall) -> Callable[[Extract], bool]:
    connection_ids = int_list_query(call.request, "connection_id")
    sources = str_list_query(call.request, "datasource_name")
    table_ids = int_list_query(call.request, "data_table_id")

    def matches(extract: Extract) -> bool:
        return (
            (connection_ids is None or extract.connection_id in connection_ids)
            and (sources is None or extract.datasource_name in sources)
            and (table_ids is None or extract.data_table_id in table_ids)
        )

    return matches


@workspace_route
async def list_extracts(call: WorkspaceCall) -> web.Response:
    """Paginated extracts; csv filters ``connection_id``, ``datasource_name``, ``data_table_id``."""
    matches = _extract_filter(call)
    rows = [e for e in call.ctx.state.extracts(call.workspace_id) if matches(e)]
    return paginate(call.request, rows, lambda e: extract_json(call.ctx.state, e))


def _template(call: WorkspaceCall, body: JsonObject) -> ExtractTemplate:
    template_id = require_int(body, "template_id")
    template = call.ctx.state.templates.get(template_id)
    if template is None:
        raise bad_request(f"template_id: Extract template {template_id} does not exist.")
    return template


def _accounts(call: WorkspaceCall, body: JsonObject, template: ExtractTemplate) -> list[Account]:
    accounts = []
    for account_id in require_int_list(body, "accounts"):
        account = call.ctx.state.account_rows.get(call.workspace_id, account_id)
        if account is None or not account.is_active:
            raise bad_request(f"accounts: Account {account_id} does not exist.")
        if account.datasource_name != template.datasource_name:
            raise bad_request(
                f"accounts: Account {account_id} is not a {template.datasource_name} account."
            )
        accounts.append(account)
    if len({account.connection_id for account in accounts}) > 1:
        raise bad_request("accounts: All accounts must belong to the same connection.")
    return accounts


def _history(value: date | None, template: ExtractTemplate) -> date | None:
    if value is not None and template.data_class in _NO_HISTORY_CLASSES:
        raise bad_request("sync_historical_data: Not available for lifetime templates.")
    return value


def _new_extract(
    call: WorkspaceCall,
    account: Account,
    template: ExtractTemplate,
    table_id: int,
    title: str,
    settings: TemplateSettings,
) -> Extract:
    state = call.ctx.state
    return state.extract_rows.add(
        Extract(
            id=state.extract_rows.ids.next(),
            workspace_id=call.workspace_id,
            title=f"{title} - {account.title}",
            connection_id=account.connection_id,
            account_embedded_id=account.id,
            template_id=template.id,
            data_table_id=table_id,
            datasource_name=template.datasource_name,
            status="active",
            created_at=utc_now(),
            fields=settings.fields,
            sync_historical_data=_history(
                optional_date(settings.raw, "sync_historical_data"), template
            ),
            additional_params=settings.additional_params,
            schedules=settings.schedules,
            custom_settings=settings.custom_settings,
        )
    )


@workspace_route
async def create_extracts(call: WorkspaceCall) -> web.Response:
    """v3.1 create: a new data table and one extract per account (201 list of extracts)."""
    body = await json_body(call.request)
    title = require_str(body, "data_table_title")
    template = _template(call, body)
    accounts = _accounts(call, body, template)
    settings = parse_settings(template, body.get("template_settings"), "template_settings")
    _history(optional_date(settings.raw, "sync_historical_data"), template)  # validate first
    table = create_data_table(call.ctx.state, call.workspace_id, title, template, settings.fields)
    extracts = [_new_extract(call, a, template, table.id, title, settings) for a in accounts]
    for extract in extracts:
        emit(call.ctx, call.workspace_id, "extraction_created", extract_data(extract))
    state = call.ctx.state
    return web.json_response([extract_json(state, e) for e in extracts], status=201)


@workspace_route
async def get_extract(call: WorkspaceCall) -> web.Response:
    """One extract."""
    return _response(call, _extract_or_404(call, "id"))


def _apply_update(call: WorkspaceCall, extract: Extract, body: JsonObject, *, full: bool) -> None:
    """Validate everything, then apply (PUT requires ``fields``; PATCH any subset)."""
    template = call.ctx.state.templates[extract.template_id]
    if full and body.get("fields") is None:
        raise bad_request("fields: This field is required.")
    settings = parse_settings(
        template, {k: v for k, v in body.items() if k != "custom_settings"}, "body"
    )
    history = _history(optional_date(body, "sync_historical_data"), template)
    if body.get("fields") is not None:
        extract.fields = settings.fields
        table = call.ctx.state.data_table_rows.get(call.workspace_id, extract.data_table_id)
        if table is not None:
            add_fields_to_table(table, template, settings.fields)
    if body.get("additional_params") is not None:
        extract.additional_params = settings.additional_params
    if body.get("schedules") is not None:
        extract.schedules = settings.schedules
    if "sync_historical_data" in body:
        extract.sync_historical_data = history


@workspace_route
async def put_extract(call: WorkspaceCall) -> web.Response:
    """Update fields (required), additional params, schedules, sync_historical_data."""
    extract = _extract_or_404(call, "id")
    _apply_update(call, extract, await json_body(call.request), full=True)
    return _response(call, extract)


@workspace_route
async def patch_extract(call: WorkspaceCall) -> web.Response:
    """Partial update (any subset of the PUT fields)."""
    extract = _extract_or_404(call, "id")
    _apply_update(call, extract, await json_body(call.request, optional=True), full=False)
    return _response(call, extract)


@workspace_route
async def run_extract(call: WorkspaceCall) -> web.Response:
    """Start a run (optional date pair); ``syncing`` -> ``success`` after 3 s x time_scale."""
    extract = _extract_or_404(call, "id")
    window = date_range(await json_body(call.request, optional=True))
    if extract.status == "paused":
        raise bad_request("Cannot run a paused extract. Unpause it first.")
    start_extract_run(call.ctx, extract, window)
    return _response(call, extract)


@workspace_route
async def pause_extract(call: WorkspaceCall) -> web.Response:
    """Pause (a manually paused extract never restarts by itself)."""
    extract = _extract_or_404(call, "extract_id")
    _pause(call, extract)
    return _response(call, extract)


def _pause(call: WorkspaceCall, extract: Extract) -> None:
    extract.run_generation += 1
    if extract.status != "paused":
        extract.status = "paused"
        emit(call.ctx, call.workspace_id, "extraction_paused", extract_data(extract))


@workspace_route
async def unpause_extract(call: WorkspaceCall) -> web.Response:
    """Reactivate a paused extract."""
    extract = _extract_or_404(call, "extract_id")
    if extract.status == "paused":
        extract.status = "active"
    return _response(call, extract)


@workspace_route
async def migrate_wide(call: WorkspaceCall) -> web.Response:
    """New extract + data table with new dimensions; the source extract is paused."""
    body = await json_body(call.request)
    source_id = require_int(body, "extract_id")
    source = call.ctx.state.extract_rows.get(call.workspace_id, source_id)
    if source is None:
        raise bad_request(f"extract_id: Extract {source_id} does not exist.")
    template = call.ctx.state.templates[source.template_id]
    if not (template.is_wide_template or template.is_created_from_wide):
        raise bad_request("extract_id: Only wide-report extracts can be migrated.")
    if body.get("fields") is None:
        raise bad_request("fields: This field is required.")
    raw_settings = body.get("template_settings") or {}
    if not isinstance(raw_settings, dict):
        raise bad_request("template_settings: Expected a JSON object.")
    settings = parse_settings(template, {**raw_settings, "fields": body["fields"]}, "fields")
    table = call.ctx.state.data_table_rows.get(call.workspace_id, source.data_table_id)
    title = (
        optional_str(body, "data_table_title") or f"{table.title if table else 'Extract'} (wide)"
    )
    account = call.ctx.state.account_rows.get(call.workspace_id, source.account_embedded_id)
    if account is None or not account.is_active:
        raise bad_request("extract_id: The extract's account is no longer active.")
    new_table = create_data_table(
        call.ctx.state, call.workspace_id, title, template, settings.fields
    )
    new = _new_extract(call, account, template, new_table.id, title, settings)
    emit(call.ctx, call.workspace_id, "extraction_created", extract_data(new))
    _pause(call, source)
    state = call.ctx.state
    payload = {
        "new_extract": extract_json(state, new),
        "source_extract": extract_json(state, source),
    }
    return web.json_response(payload, status=201)


_ITEM = r"/api/v3/extracts/{id:\d+}"
_BY_EXTRACT_ID = r"/api/v3/extracts/{extract_id:\d+}"

ROUTES = (
    Route("GET", "/api/v3/extracts", list_extracts),
    Route("POST", "/api/v3.1/extracts/", create_extracts),
    Route("GET", _ITEM, get_extract),
    Route("PUT", _ITEM, put_extract),
    Route("PATCH", _ITEM, patch_extract),
    Route("POST", _ITEM + "/run", run_extract),
    Route("POST", _BY_EXTRACT_ID + "/pause", pause_extract),
    Route("POST", _BY_EXTRACT_ID + "/unpause", unpause_extract),
    Route("POST", "/api/v3/extracts/migrate-wide", migrate_wide),
)
