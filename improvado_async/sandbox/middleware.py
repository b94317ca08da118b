"""Error middleware: whatever happens, the client gets the JSON ``{"details": ...}`` envelope."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from .errors import ApiError, error_response

_log = logging.getLogger(__name__)

_REASONS = {
    404: "Not found.",
    405: "Method not allowed.",
    413: "Request body too large.",
}


@web.middleware
async def error_middleware(
    request: web.Request,
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Turn :class:`ApiError`, aiohttp HTTP exceptions and crashes into JSON error responses."""
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.details, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        details = _REASONS.get(exc.status, exc.reason)
        if exc.status == 405:
            details = f'Method "{request.method}" not allowed.'
        return error_response(exc.status, details, headers)
    except Exception:
        # A crash is a sandbox bug; keep the envelope so clients never see an HTML traceback.
        _log.exception(
            "unexpected error in sandbox handler for %s %s", request.method, request.path
        )
        return error_response(500, "Internal sandbox error")
