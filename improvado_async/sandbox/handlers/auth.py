"""``POST /api/v3/token``: Basic credentials -> Bearer token bound to one workspace."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import bad_request, not_found
from ..routing import AgencyCall, Route, basic_route
from ..validation import as_int, json_body


async def _token_body(request: web.Request) -> dict[str, Any]:
    # Accept form posts too: some HTTP clients send the documented body form-encoded.
    if request.content_type == "application/x-www-form-urlencoded":
        return dict(await request.post())
    return await json_body(request, optional=True)


@basic_route
async def create_token(call: AgencyCall) -> web.Response:
    """Mint a token for the body's ``workspace_id`` (int or numeric string)."""
    body = await _token_body(call.request)
    if body.get("workspace_id") in (None, ""):
        raise bad_request("workspace_id: This field is required.")
    workspace_id = as_int(body["workspace_id"], "workspace_id", allow_numeric_string=True)
    if call.ctx.state.workspace(workspace_id) is None:
        raise not_found("Workspace not found.")
    return web.json_response({"token": call.ctx.auth.tokens.mint(workspace_id)}, status=201)


ROUTES = (Route("POST", "/api/v3/token", create_token),)
