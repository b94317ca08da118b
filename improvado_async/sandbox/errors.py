"""The API's error envelope: every failure is ``{"details": "<message>"}`` with a status."""

from __future__ import annotations

from aiohttp import web


class ApiError(Exception):
    """Raised by handlers to answer with ``{"details": message}`` and ``status``."""

    def __init__(self, status: int, details: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(details)
        self.status = status
        self.details = details
        self.headers = headers or {}


def error_response(
    status: int, details: str, headers: dict[str, str] | None = None
) -> web.Response:
    """Build the JSON error envelope response."""
    return web.json_response({"details": details}, status=status, headers=headers)


def bad_request(details: str) -> ApiError:
    """400 with ``details``."""
    return ApiError(400, details)


def not_found(details: str) -> ApiError:
    """404 with ``details``."""
    return ApiError(404, details)


def unauthorized(details: str, *, basic_challenge: bool = False) -> ApiError:
    """401 with ``details``; ``basic_challenge`` adds a ``WWW-Authenticate: Basic`` header."""
    headers = {"WWW-Authenticate": 'Basic realm="api"'} if basic_challenge else None
    return ApiError(401, details, headers)


def forbidden(details: str) -> ApiError:
    """403 with ``details``."""
    return ApiError(403, details)
