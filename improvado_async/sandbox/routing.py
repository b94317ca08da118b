"""Route declarations: auth-aware handler wrappers and slash-tolerant registration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

import attrs
from aiohttp import web

from .auth import User
from .context import SandboxContext, context_of
from .errors import not_found

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.frozen
class WorkspaceCall:
    """A request authorised for one workspace (Bearer token or session cookie)."""

    request: web.Request
    ctx: SandboxContext
    workspace_id: int

    def path_int(self, name: str) -> int:
        """An integer path parameter (the route regex guarantees digits)."""
        return path_int(self.request, name)


@attrs.frozen
class AgencyCall:
    """A request authorised with Basic credentials of an agency user."""

    request: web.Request
    ctx: SandboxContext
    user: User

    def path_int(self, name: str) -> int:
        """An integer path parameter (the route regex guarantees digits)."""
        return path_int(self.request, name)


def path_int(request: web.Request, name: str) -> int:
    """Integer path parameter ``name``; 404 when it is not a number."""
    raw = request.match_info[name]
    # The route regex ``\d+`` also matches non-ASCII digits, and int() refuses strings longer
    # than sys.get_int_max_str_digits(): neither can name an object.
    if not (raw.isascii() and raw.isdigit()):
        raise not_found("Not found.")
    try:
        return int(raw)
    except ValueError:
        raise not_found("Not found.") from None


def workspace_route(fn: Callable[[WorkspaceCall], Awaitable[web.StreamResponse]]) -> Handler:
    """Wrap ``fn`` so it runs only for requests with valid workspace credentials."""

    async def handler(request: web.Request) -> web.StreamResponse:
        ctx = context_of(request)
        return await fn(WorkspaceCall(request, ctx, ctx.auth.workspace(request)))

    handler.__name__ = fn.__name__
    return handler


def basic_route(fn: Callable[[AgencyCall], Awaitable[web.StreamResponse]]) -> Handler:
    """Wrap ``fn`` so it runs only for requests with valid Basic credentials."""

    async def handler(request: web.Request) -> web.StreamResponse:
        ctx = context_of(request)
        return await fn(AgencyCall(request, ctx, ctx.auth.basic_user(request)))

    handler.__name__ = fn.__name__
    return handler


def chief_route(fn: Callable[[AgencyCall], Awaitable[web.StreamResponse]]) -> Handler:
    """Wrap ``fn`` so it runs only for Basic credentials of an agency chief."""

    async def handler(request: web.Request) -> web.StreamResponse:
        ctx = context_of(request)
        return await fn(AgencyCall(request, ctx, ctx.auth.agency_chief(request)))

    handler.__name__ = fn.__name__
    return handler


@attrs.frozen
class Route:
    """One documented operation: method, exact documented path, handler."""

    method: str
    path: str
    handler: Handler


def _slash_variants(path: str) -> tuple[str, str]:
    stripped = path.rstrip("/")
    return stripped, stripped + "/"


def register(app: web.Application, routes: Iterable[Route]) -> None:
    """Add ``routes`` accepting both the documented and the other trailing-slash form.

    Each path becomes ONE resource holding all its methods, so a wrong method is a 405.
    """
    by_path: dict[str, list[Route]] = {}
    for route in routes:
        for variant in _slash_variants(route.path):
            by_path.setdefault(variant, []).append(route)
    for path, path_routes in by_path.items():
        resource = app.router.add_resource(path)
        for route in path_routes:
            resource.add_route(route.method, route.handler)
