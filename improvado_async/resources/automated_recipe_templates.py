"""Automated recipe templates: pre-configured workflows an automated recipe is built from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..config import Timeout
from ..models.automated_recipes import AutomatedRecipeTemplate
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of
from ._validate import csv_values

__all__ = ["AutomatedRecipeTemplates"]

LIST = declare(
    "automated_recipe_templates.list", "GET", "/api/v3/automated-recipe-templates", paginated=True
)
GET = declare(
    "automated_recipe_templates.get", "GET", "/api/v3/automated-recipe-templates/{template_id}"
)

# The only list endpoints whose maximum page size is documented.
MAX_PAGE_SIZE = 100


class AutomatedRecipeTemplates(Service):
    """The ``automated_recipe_templates`` area (workspace scope: Bearer token or cookie)."""

    def list(
        self,
        *,
        search: str | None = None,
        data_sources: str | Sequence[str] | None = None,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[AutomatedRecipeTemplate]:
        """List automated recipe templates, optionally searched or filtered by data source.

        ``GET /api/v3/automated-recipe-templates``

        Args:
            search: only templates whose name matches this text.
            data_sources: only templates using these data sources (one name or a sequence;
                sent comma-separated, e.g. ``google_analytics,facebook_ads``).
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100, the documented maximum).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: an empty or malformed ``data_sources`` value, or ``page`` or
                ``page_size`` out of range (nothing is sent).
            APIStatusError: the API rejected a page request.
        """
        return self._paginate(
            LIST,
            AutomatedRecipeTemplate,
            params={"search": search, "data_sources": csv_values(data_sources, "data_sources")},
            page=page,
            size=page_size,
            max_page_size=MAX_PAGE_SIZE,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def get(
        self,
        template_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AutomatedRecipeTemplate:
        """Get one template with its dependency tree.

        ``GET /api/v3/automated-recipe-templates/{template_id}``

        Raises:
            ValidationError: ``template_id`` is not an integer.
            NotFoundError: no such template.
        """
        return await self._call_model(
            GET,
            AutomatedRecipeTemplate,
            path={"template_id": template_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )
