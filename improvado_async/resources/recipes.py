"""Agency recipes: the recipes that can be enabled in a workspace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import Timeout
from ..models.recipes import Recipe
from ..pagination import AsyncPaginator
from ._base import Scope, Service, declare, extra_of

__all__ = ["Recipes"]

LIST = declare("recipes.list", "GET", "/api/v3/recipes", scope=Scope.BASIC, paginated=True)


class Recipes(Service):
    """The ``recipes`` area (agency scope: HTTP Basic)."""

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
    ) -> AsyncPaginator[Recipe]:
        """List the agency's recipes (enable one with :meth:`Workspaces.enable_recipe`).

        ``GET /api/v3/recipes``

        Pagination is inferred (the item shape is undocumented); a plain JSON array is read as
        one complete page.

        Args:
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: ``page`` or ``page_size`` out of range.
            AuthenticationError: wrong Basic credentials.
        """
        return self._paginate(
            LIST,
            Recipe,
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
