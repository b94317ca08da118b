"""Destinations: the destination types (warehouses, databases, file storage) loads deliver to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import Timeout
from ..models.destinations import Destination
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of

__all__ = ["Destinations"]

LIST = declare("destinations.list", "GET", "/api/v3/destinations", paginated=True)


class Destinations(Service):
    """The ``destinations`` area (workspace scope: Bearer token or cookie)."""

    def list(
        self,
        *,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[Destination]:
        """List the available destination types.

        ``GET /api/v3/destinations``

        Pagination is the reference's PROPOSAL; a plain JSON array is read as one page.

        Args:
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: ``page`` or ``page_size`` out of range.
            APIStatusError: the API rejected a page request.
        """
        return self._paginate(
            LIST,
            Destination,
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
