"""Webhook endpoints (7 ops) and the event-type catalog (1 op)."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web
from yarl import URL

from ..catalog import WEBHOOK_EVENT_TYPES
from ..clock import iso, utc_now
from ..errors import bad_request, not_found
from ..pagination import paginate
from ..records import WebhookEndpoint
from ..routing import Route, WorkspaceCall, workspace_route
from ..validation import JsonObject, as_str_list, json_body, require_str
from ..webhook_verify import verify_receiver

#: Plain http is accepted only for these hosts (local receivers in tests and development).
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def endpoint_json(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> dict[str, Any]:
    """Endpoint object; the secret is only shown on create and regenerate."""
    body: dict[str, Any] = {
        "id": endpoint.id,
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "status": endpoint.status,
        "created_at": iso(endpoint.created_at),
        "updated_at": iso(endpoint.updated_at),
    }
    if with_secret:
        body["secret"] = endpoint.secret
    return body


def new_secret() -> str:
    """A fresh signing secret."""
    return secrets.token_hex(32)


def _url(body: JsonObject) -> str:
    raw = require_str(body, "url")
    try:
        url = URL(raw)
    except ValueError:
        raise bad_request("url: Enter a valid URL.") from None
    if not url.host or not url.absolute:
        raise bad_request("url: Enter a valid URL.")
    if url.scheme != "https" and not (url.scheme == "http" and url.host in _LOCAL_HOSTS):
        raise bad_request("url: Must be an HTTPS URL.")
    return raw


def _event_types(body: JsonObject) -> list[str]:
    if body.get("event_types") is None:
        raise bad_request("event_types: This field is required.")
    # Unknown names are accepted (documented); they just never receive deliveries.
    return as_str_list(body["event_types"], "event_types", allow_empty=False)


def _endpoint_or_404(call: WorkspaceCall) -> WebhookEndpoint:
    endpoint = call.ctx.state.webhook_endpoint_rows.get(call.workspace_id, call.path_int("id"))
    if endpoint is None:
        raise not_found("Webhook endpoint not found.")
    return endpoint


@workspace_route
async def list_endpoints(call: WorkspaceCall) -> web.Response:
    """Paginated endpoints of the workspace."""
    rows = call.ctx.state.webhook_endpoint_rows.list(call.workspace_id)
    return paginate(call.request, rows, endpoint_json)


@workspace_route
async def create_endpoint(call: WorkspaceCall) -> web.Response:
    """Create an ``unverified`` endpoint; the response carries the signing secret."""
    body = await json_body(call.request)
    url, event_types = _url(body), _event_types(body)
    rows = call.ctx.state.webhook_endpoint_rows
    now = utc_now()
    endpoint = rows.add(
        WebhookEndpoint(
            id=rows.ids.next(),
            workspace_id=call.workspace_id,
            url=url,
            event_types=event_types,
            secret=new_secret(),
            status="unverified",
            created_at=now,
            updated_at=now,
        )
    )
    return web.json_response(endpoint_json(endpoint, with_secret=True), status=201)


@workspace_route
async def get_endpoint(call: WorkspaceCall) -> web.Response:
    """One endpoint (no secret)."""
    return web.json_response(endpoint_json(_endpoint_or_404(call)))


@workspace_route
async def update_endpoint(call: WorkspaceCall) -> web.Response:
    """Change ``url`` (back to ``unverified``) and/or ``event_types``."""
    endpoint = _endpoint_or_404(call)
    body = await json_body(call.request)
    url = _url(body) if "url" in body else None
    event_types = _event_types(body) if "event_types" in body else None
    if url is not None and url != endpoint.url:
        endpoint.url = url
        endpoint.status = "unverified"
    if event_types is not None:
        endpoint.event_types = event_types
    endpoint.updated_at = utc_now()
    return web.json_response(endpoint_json(endpoint))


@workspace_route
async def delete_endpoint(call: WorkspaceCall) -> web.Response:
    """Delete (204)."""
    endpoint = _endpoint_or_404(call)
    call.ctx.state.webhook_endpoint_rows.delete(call.workspace_id, endpoint.id)
    return web.Response(status=204)


@workspace_route
async def verify_endpoint(call: WorkspaceCall) -> web.Response:
    """Challenge the receiver; success makes the endpoint ``active``, failure is a 400."""
    endpoint = _endpoint_or_404(call)
    failure = await verify_receiver(endpoint)
    if failure is not None:
        raise bad_request(f"Verification failed: {failure}.")
    endpoint.status = "active"
    endpoint.updated_at = utc_now()
    return web.json_response(endpoint_json(endpoint))


@workspace_route
async def regenerate_secret(call: WorkspaceCall) -> web.Response:
    """New secret (old one invalid at once); the endpoint must be verified again."""
    endpoint = _endpoint_or_404(call)
    endpoint.secret = new_secret()
    endpoint.status = "unverified"
    endpoint.updated_at = utc_now()
    return web.json_response(endpoint_json(endpoint, with_secret=True))


@workspace_route
async def list_event_types(call: WorkspaceCall) -> web.Response:
    """Plain array of ``{name, description}``."""
    return web.json_response(
        [{"name": name, "description": text} for name, text in WEBHOOK_EVENT_TYPES]
    )


_ENDPOINTS = "/api/v3/webhook_endpoints/"
_ITEM = r"/api/v3/webhook_endpoints/{id:\d+}/"

ROUTES = (
    Route("GET", _ENDPOINTS, list_endpoints),
    Route("POST", _ENDPOINTS, create_endpoint),
    Route("GET", _ITEM, get_endpoint),
    Route("PATCH", _ITEM, update_endpoint),
    Route("DELETE", _ITEM, delete_endpoint),
    Route("POST", _ITEM + "verify/", verify_endpoint),
    Route("POST", _ITEM + "regenerate_secret/", regenerate_secret),
    Route("GET", "/api/v3/webhook_event_types/", list_event_types),
)
