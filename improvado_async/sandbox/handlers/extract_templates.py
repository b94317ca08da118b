"""Extract templates (7 ops): list, create, get, get by id, preview, validate, options."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from ..clock import iso, utc_now
from ..errors import bad_request, not_found
from ..pagination import paginate
from ..preview import preview_rows
from ..records import Account, ExtractTemplate
from ..routing import Route, WorkspaceCall, workspace_route
from ..template_fixtures import sql_name
from ..template_settings import parse_settings, settings_problems
from ..validation import (
    JsonObject,
    date_range,
    json_body,
    optional_int,
    optional_object,
    optional_str,
    optional_str_list,
    require_int,
    require_int_list,
    require_str,
    require_str_list,
)
from .connections import connection_or_404, datasource_or_404

PREVIEW_DEFAULT_LIMIT = 20
PREVIEW_MAX_LIMIT = 1000
#: Keys of the pre-2026-06-15 validation body, now rejected.
_REMOVED_VALIDATION_KEYS = ("connection_id", "fields", "custom_settings")


def template_json(template: ExtractTemplate) -> dict[str, Any]:
    """Full template detail (provider fields only - no system fields)."""
    return {
        "id": template.id,
        "title": template.title,
        "description": template.description,
        "datasource_name": template.datasource_name,
        "data_class": template.data_class,
        "sql_name": template.sql_name,
        "is_global": template.is_global,
        "parent_id": template.parent_id,
        "is_wide_template": template.is_wide_template,
        "allow_to_select_dimensions": template.allow_to_select_dimensions,
        "is_created_from_wide": template.is_created_from_wide,
        "fields": [
            {"name": f.name, "title": f.title, "kind": f.kind, "type": f.type}
            for f in template.fields
        ],
        "custom_settings": [
            {"name": name, "type": "select", "options": options}
            for name, options in template.custom_settings.items()
        ],
        "schedules": template.schedules,
        "additional_params": template.additional_params,
        "hashed_fields": template.hashed_fields,
        "historical_data_depth_limit": template.historical_data_depth_limit,
        "connection_id": template.connection_id,
        "created_at": iso(template.created_at),
        "updated_at": iso(template.updated_at),
    }


def template_or_404(call: WorkspaceCall, template_id: int) -> ExtractTemplate:
    """Any template by id (templates are agency-level, visible in every workspace)."""
    template = call.ctx.state.templates.get(template_id)
    if template is None:
        raise not_found("Extract template not found.")
    return template


@workspace_route
async def list_templates(call: WorkspaceCall) -> web.Response:
    """Paginated global and custom templates of a data source."""
    source = datasource_or_404(call)
    return paginate(call.request, call.ctx.state.templates_of(source.name), template_json)


def _parent(call: WorkspaceCall, body: JsonObject, source_name: str) -> ExtractTemplate:
    parent_id = require_int(body, "parent_id")
    parent = call.ctx.state.templates.get(parent_id)
    if parent is None or not parent.is_global or parent.datasource_name != source_name:
        raise bad_request(f"parent_id: Global template {parent_id} does not exist.")
    return parent


def _unique_title(call: WorkspaceCall, body: JsonObject) -> str:
    title = require_str(body, "title")
    if any(t.title.lower() == title.lower() for t in call.ctx.state.templates.values()):
        raise bad_request("title: A template with this title already exists in the agency.")
    return title


def _subset(values: list[str], allowed: list[str], name: str) -> list[str]:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise bad_request(f"{name}: Unknown fields: {', '.join(unknown)}.")
    return values


def _wide_connection(call: WorkspaceCall, body: JsonObject, parent: ExtractTemplate) -> int | None:
    connection_id = optional_int(body, "connection_id")
    if connection_id is None:
        if parent.allow_to_select_dimensions:
            raise bad_request("connection_id: Required for wide report templates.")
        return None
    connection = call.ctx.state.connection_rows.get(call.workspace_id, connection_id)
    if connection is None or connection.datasource_name != parent.datasource_name:
        raise bad_request(f"connection_id: Connection {connection_id} does not exist.")
    return connection_id


def _depth_limit(body: JsonObject) -> int | None:
    limit = optional_int(body, "historical_data_depth_limit")
    if limit is not None and limit < 1:
        raise bad_request("historical_data_depth_limit: Ensure this value is at least 1.")
    return limit


def _schedules(body: JsonObject, parent: ExtractTemplate) -> list[Any]:
    value = body.get("schedules")
    if value is None:
        return list(parent.schedules)
    if not isinstance(value, list) or not value:
        raise bad_request("schedules: Expected a non-empty list.")
    return value


@workspace_route
async def create_template(call: WorkspaceCall) -> web.Response:
    """Create a custom (agency-level) template from a global parent of this data source."""
    source = datasource_or_404(call)
    body = await json_body(call.request)
    parent = _parent(call, body, source.name)
    title = _unique_title(call, body)
    description = body.get("description") or ""
    if not isinstance(description, str):
        raise bad_request("description: Not a valid string.")
    parent_fields = [field.name for field in parent.fields]
    fields = _subset(require_str_list(body, "fields", allow_empty=False), parent_fields, "fields")
    hashed = _subset(optional_str_list(body, "hashed_fields") or [], fields, "hashed_fields")
    additional = optional_object(body, "additional_params")
    connection_id = _wide_connection(call, body, parent)
    state = call.ctx.state
    now = utc_now()
    template = ExtractTemplate(
        id=state.template_ids.next(),
        datasource_name=source.name,
        title=title,
        description=description,
        data_class=parent.data_class,
        sql_name=sql_name(title),
        fields=[field for field in parent.fields if field.name in fields],
        created_at=now,
        updated_at=now,
        is_global=False,
        parent_id=parent.id,
        is_wide_template=parent.is_wide_template,
        is_created_from_wide=parent.allow_to_select_dimensions,
        custom_settings={k: list(v) for k, v in parent.custom_settings.items()},
        schedules=_schedules(body, parent),
        additional_params=additional if additional is not None else dict(parent.additional_params),
        hashed_fields=hashed,
        historical_data_depth_limit=_depth_limit(body),
        connection_id=connection_id,
    )
    state.templates[template.id] = template
    return web.json_response(template_json(template), status=201)


@workspace_route
async def get_template(call: WorkspaceCall) -> web.Response:
    """Template detail under its data source."""
    source = datasource_or_404(call)
    template = template_or_404(call, call.path_int("id"))
    if template.datasource_name != source.name:
        raise not_found("Extract template not found.")
    return web.json_response(template_json(template))


@workspace_route
async def get_template_by_id(call: WorkspaceCall) -> web.Response:
    """Compact ``{id, datasource_name, is_wide_template}``."""
    template = template_or_404(call, call.path_int("template_id"))
    return web.json_response(
        {
            "id": template.id,
            "datasource_name": template.datasource_name,
            "is_wide_template": template.is_wide_template,
        }
    )


def _accounts_by_remote_id(
    call: WorkspaceCall, remote_ids: list[str], source: str, connection_id: int | None
) -> list[Account]:
    pool = [
        a
        for a in call.ctx.state.accounts(call.workspace_id)
        if a.is_active
        and a.datasource_name == source
        and (connection_id is None or a.connection_id == connection_id)
    ]
    by_remote = {account.account_id: account for account in pool}
    missing = [remote for remote in remote_ids if remote not in by_remote]
    if missing:
        raise bad_request(f"account_ids: Unknown accounts: {', '.join(missing)}.")
    return [by_remote[remote] for remote in remote_ids]


def _preview_limit(body: JsonObject) -> int:
    limit = optional_int(body, "limit")
    if limit is None:
        return PREVIEW_DEFAULT_LIMIT
    if not 1 <= limit <= PREVIEW_MAX_LIMIT:
        raise bad_request(f"limit: Must be between 1 and {PREVIEW_MAX_LIMIT}.")
    return limit


@workspace_route
async def preview_template(call: WorkspaceCall) -> web.Response:
    """Deterministic sample rows ``{columns, rows}`` for remote ``account_ids``."""
    template = template_or_404(call, call.path_int("template_id"))
    body = await json_body(call.request)
    remote_ids = require_str_list(body, "account_ids", allow_empty=False)
    connection_id = optional_int(body, "connection_id")
    accounts = _accounts_by_remote_id(call, remote_ids, template.datasource_name, connection_id)
    settings = parse_settings(template, body.get("template_settings"), "template_settings")
    today = utc_now().date()
    window = date_range(body) or (today - timedelta(days=6), today)
    rows = preview_rows(
        call.ctx.seed, template, settings.fields, accounts, window, _preview_limit(body)
    )
    return web.json_response({"columns": [*settings.fields, "account_id"], "rows": rows})


def _validation_accounts(call: WorkspaceCall, body: JsonObject) -> list[Account]:
    ids = require_int_list(body, "accounts")
    accounts = []
    for account_id in ids:
        account = call.ctx.state.account_rows.get(call.workspace_id, account_id)
        if account is None or not account.is_active:
            raise bad_request(f"accounts: Account {account_id} does not exist.")
        accounts.append(account)
    if len({account.connection_id for account in accounts}) > 1:
        raise bad_request("accounts: All accounts must belong to the same connection.")
    return accounts


@workspace_route
async def validate_template(call: WorkspaceCall) -> web.Response:
    """``{"valid", "errors"}`` for ``accounts`` (embedded ids) + ``template_settings``."""
    template = template_or_404(call, call.path_int("template_id"))
    body = await json_body(call.request)
    for key in _REMOVED_VALIDATION_KEYS:
        if key in body:
            raise bad_request(f"{key}: No longer accepted; use accounts and template_settings.")
    accounts = _validation_accounts(call, body)
    if accounts[0].datasource_name != template.datasource_name:
        raise bad_request("accounts: Accounts do not belong to the template's data source.")
    settings = optional_object(body, "template_settings") or {}
    errors = settings_problems(template, settings)
    return web.json_response({"valid": not errors, "errors": errors})


def _setting_options(call: WorkspaceCall, source: str, setting: str) -> list[str]:
    for template in call.ctx.state.templates_of(source):
        if setting in template.custom_settings:
            return template.custom_settings[setting]
    raise bad_request(f"custom_setting: Unknown custom setting '{setting}'.")


@workspace_route
async def custom_setting_options(call: WorkspaceCall) -> web.Response:
    """Options of a select-type custom setting, grouped by account (paginated by account)."""
    source = datasource_or_404(call)
    body = await json_body(call.request)
    connection_id = require_int(body, "connection_id")
    connection = connection_or_404(call, connection_id)
    if connection.datasource_name != source.name:
        raise bad_request(f"connection_id: Connection {connection_id} is not a {source.name} one.")
    remote_ids = require_str_list(body, "account_ids", allow_empty=False)
    accounts = _accounts_by_remote_id(call, remote_ids, source.name, connection_id)
    options = _setting_options(call, source.name, require_str(body, "custom_setting"))
    search = (optional_str(body, "search") or "").lower()
    matching = [o for o in options if search in o.lower()]
    groups = [
        {
            "id": account.id,
            "account_id": account.account_id,
            "options": [{"value": o, "label": o.replace("_", " ").title()} for o in matching],
        }
        for account in accounts
    ]
    return paginate(call.request, groups, _strip_sort_id)


def _strip_sort_id(group: dict[str, Any]) -> dict[str, Any]:
    return {"account_id": group["account_id"], "options": group["options"]}


_TEMPLATES = "/api/v3/datasources/{datasource_name}/extract-templates"
_BY_ID = r"/api/v3/extract-template/{template_id:\d+}/"

ROUTES = (
    Route("GET", _TEMPLATES, list_templates),
    Route("POST", _TEMPLATES, create_template),
    Route("GET", _TEMPLATES + r"/{id:\d+}", get_template),
    Route("GET", _BY_ID, get_template_by_id),
    Route("POST", _BY_ID + "preview/", preview_template),
    Route("POST", _BY_ID + "validation/", validate_template),
    Route(
        "POST",
        "/api/v3/datasources/{datasource_name}/custom_setting_options/",
        custom_setting_options,
    ),
)
