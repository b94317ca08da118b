"""Page-number pagination with absolute ``next``/``previous`` links (DRF style)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from aiohttp import web

from .errors import bad_request, not_found

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100

ItemT = TypeVar("ItemT")


def _positive_int_param(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name}: A valid integer is required.") from None
    if value < 1:
        raise bad_request(f"{name}: Ensure this value is greater than or equal to 1.")
    return value


def page_params(request: web.Request) -> tuple[int, int]:
    """Validated ``(page, page_size)`` of the request."""
    page = _positive_int_param(request, "page", 1)
    page_size = _positive_int_param(request, "page_size", DEFAULT_PAGE_SIZE)
    if page_size > MAX_PAGE_SIZE:
        raise bad_request(f"page_size: Ensure this value is less than or equal to {MAX_PAGE_SIZE}.")
    return page, page_size


def _page_url(request: web.Request, page: int) -> str:
    # request.url is absolute (scheme + Host header), so links work behind any host:port.
    return str(request.url.update_query(page=str(page)))


def paginate(
    request: web.Request,
    items: Sequence[ItemT],
    render: Callable[[ItemT], Any],
) -> web.Response:
    """Answer with ``{count, next, previous, results}`` for ``items`` (already id-sorted)."""
    page, page_size = page_params(request)
    count = len(items)
    start = (page - 1) * page_size
    if page > 1 and start >= count:
        raise not_found("Invalid page.")
    has_next = start + page_size < count
    payload = {
        "count": count,
        "next": _page_url(request, page + 1) if has_next else None,
        "previous": _page_url(request, page - 1) if page > 1 else None,
        "results": [render(item) for item in items[start : start + page_size]],
    }
    return web.json_response(payload)
