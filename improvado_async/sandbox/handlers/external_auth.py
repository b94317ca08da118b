"""External authentication links (3 ops): create, list, revoke."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from aiohttp import web

from ..clock import iso, utc_now
from ..effects import link_status
from ..errors import bad_request, forbidden, not_found
from ..pagination import paginate
from ..records import ExternalAuthLink
from ..routing import Route, WorkspaceCall, workspace_route
from ..validation import json_body, optional_bool, optional_str_list
from .connections import datasource_or_404

LINK_LIFETIME = timedelta(days=14)


def link_json(link: ExternalAuthLink) -> dict[str, Any]:
    """External auth link object."""
    return {
        "id": link.id,
        "url": link.url,
        "email": link.email,
        "datasource_name": link.datasource_name,
        "send_email": link.send_email,
        "status": link_status(link),
        "expires_at": iso(link.expires_at),
        "created_at": iso(link.created_at),
        "connection_id": link.connection_id,
    }


def _require_feature(call: WorkspaceCall) -> None:
    if not call.ctx.state.agency.external_auth_enabled:
        raise forbidden("External authentication links are not enabled for this agency.")


@workspace_route
async def create_links(call: WorkspaceCall) -> web.Response:
    """One link per address in ``emails`` (or a single link when none); 201 list."""
    _require_feature(call)
    source = datasource_or_404(call)
    body = await json_body(call.request, optional=True)
    send_email = optional_bool(body, "send_email")
    send_email = True if send_email is None else send_email
    emails = optional_str_list(body, "emails") or []
    if send_email and not emails:
        raise bad_request("emails: Required when send_email is true.")
    state = call.ctx.state
    now = utc_now()
    links = []
    recipients: list[str | None] = [*emails] if emails else [None]
    for email in recipients:
        link_id = state.external_auth_link_rows.ids.next()
        url = call.request.url.with_path(f"/embedded/external-auth/{secrets.token_hex(16)}/")
        links.append(
            state.external_auth_link_rows.add(
                ExternalAuthLink(
                    id=link_id,
                    workspace_id=call.workspace_id,
                    datasource_name=source.name,
                    url=str(url.with_query(None)),
                    email=email,
                    send_email=send_email,
                    status="pending",
                    created_at=now,
                    expires_at=now + LINK_LIFETIME,
                )
            )
        )
    return web.json_response([link_json(link) for link in links], status=201)


@workspace_route
async def list_links(call: WorkspaceCall) -> web.Response:
    """Paginated links of one data source."""
    _require_feature(call)
    source = datasource_or_404(call)
    rows = [
        link
        for link in call.ctx.state.external_auth_link_rows.list(call.workspace_id)
        if link.datasource_name == source.name
    ]
    return paginate(call.request, rows, link_json)


@workspace_route
async def revoke_link(call: WorkspaceCall) -> web.Response:
    """Revoke a pending link (400 when already used, expired or revoked)."""
    _require_feature(call)
    source = datasource_or_404(call)
    link = call.ctx.state.external_auth_link_rows.get(call.workspace_id, call.path_int("id"))
    if link is None or link.datasource_name != source.name:
        raise not_found("External authentication link not found.")
    status = link_status(link)
    if status != "pending":
        raise bad_request(f"Cannot revoke a link with status '{status}'.")
    link.status = "revoked"
    return web.json_response(link_json(link))


_LINKS = "/api/v3/datasources/{datasource_name}/external-auth-links"

ROUTES = (
    Route("POST", _LINKS, create_links),
    Route("GET", _LINKS, list_links),
    Route("POST", _LINKS + r"/{id:\d+}/revoke", revoke_link),
)
