"""Data sources: the platforms the workspace can connect to and extract from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import Timeout
from ..errors import ValidationError
from ..models.datasources import DataSource
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of

__all__ = ["Datasources"]

LIST = declare("datasources.list", "GET", "/api/v3/datasources", paginated=True)


def _category(value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError("category", "must be a non-empty string")
    return value


class Datasources(Service):
    """The ``datasources`` area (workspace scope: Bearer token or cookie)."""

    def list(
        self,
        *,
        category: str | None = None,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[DataSource]:
        """List the data sources available to the workspace.

        ``GET /api/v3/datasources``

        Args:
            category: only data sources of this category. The query parameter is the
                reference's PROPOSAL (the docs name no filter); an API that ignores it returns
                every data source, so check :attr:`DataSource.all_categories` when it matters.
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: an empty ``category``, or ``page``/``page_size`` out of range.
            APIStatusError: the API rejected a page request.
        """
        return self._paginate(
            LIST,
            DataSource,
            params={"category": _category(category)},
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
