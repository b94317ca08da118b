"""Automated recipes: templated workflows instantiated and built in the workspace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._transport.query import compact
from ..config import Timeout
from ..errors import ValidationError
from ..models.automated_recipes import AutomatedRecipe
from ..pagination import AsyncPaginator
from ._base import Service, declare, extra_of
from ._validate import int_id, optional_int_id

__all__ = ["AutomatedRecipes"]

LIST = declare("automated_recipes.list", "GET", "/api/v3/automated-recipes", paginated=True)
CREATE = declare("automated_recipes.create", "POST", "/api/v3/automated-recipes")
GET = declare("automated_recipes.get", "GET", "/api/v3/automated-recipes/{recipe_id}")
UPDATE = declare("automated_recipes.update", "PUT", "/api/v3/automated-recipes/{recipe_id}")
BUILD = declare("automated_recipes.build", "POST", "/api/v3/automated-recipes/{recipe_id}/build")

# The only list endpoints whose maximum page size is documented.
MAX_PAGE_SIZE = 100


class AutomatedRecipes(Service):
    """The ``automated_recipes`` area (workspace scope: Bearer token or cookie)."""

    def list(
        self,
        *,
        template_id: int | None = None,
        state: str | None = None,
        page: int = 1,
        page_size: int | None = None,
        concurrency: int = 1,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[AutomatedRecipe]:
        """List the workspace's automated recipes, optionally filtered.

        ``GET /api/v3/automated-recipes``

        Args:
            template_id: only recipes built from this template.
            state: only recipes in this state (values undocumented; see
                :class:`AutomatedRecipeState`).
            page: first page to fetch (1-based).
            page_size: items per page (1 to 100, the documented maximum).
            concurrency: pages fetched at once when iterating past the first page.
            timeout: overrides the client's timeout for each page request.

        Raises:
            ValidationError: a non-integer ``template_id``, or ``page`` or ``page_size`` out of
                range (nothing is sent).
            APIStatusError: the API rejected a page request.
        """
        return self._paginate(
            LIST,
            AutomatedRecipe,
            params={"template_id": optional_int_id(template_id, "template_id"), "state": state},
            page=page,
            size=page_size,
            max_page_size=MAX_PAGE_SIZE,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def create(
        self,
        *,
        template_id: int,
        title: str | None = None,
        configuration: Mapping[str, Any] | None = None,
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AutomatedRecipe:
        """Create an automated recipe from a template.

        ``POST /api/v3/automated-recipes``

        The body is undocumented: ``template_id``, ``title`` and ``configuration`` (the chosen
        connections, accounts and extracts per data source) are the reference's PROPOSAL.

        Args:
            template_id: the template to instantiate.
            title: the recipe title.
            configuration: the recipe configuration, sent as given.
            idempotent: allow retrying this POST on timeouts and 5xx (may create duplicates).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: ``template_id`` is not an integer (nothing is sent).
            BadRequestError: unknown template or a configuration the API rejected.
        """
        body = compact(
            {
                "template_id": int_id(template_id, "template_id"),
                "title": title,
                "configuration": _configuration(configuration),
            }
        )
        return await self._call_model(
            CREATE,
            AutomatedRecipe,
            json=body,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def get(
        self,
        recipe_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AutomatedRecipe:
        """Get one automated recipe.

        ``GET /api/v3/automated-recipes/{recipe_id}``

        Raises:
            ValidationError: ``recipe_id`` is not an integer.
            NotFoundError: no such recipe in this workspace.
        """
        return await self._call_model(
            GET,
            AutomatedRecipe,
            path={"recipe_id": recipe_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def update(
        self,
        recipe_id: int,
        *,
        configuration: Mapping[str, Any] | None = None,
        title: str | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AutomatedRecipe:
        """Update an automated recipe's configuration or title.

        ``PUT /api/v3/automated-recipes/{recipe_id}``

        The body is undocumented (``configuration`` and ``title`` are the reference's
        PROPOSAL); only the arguments given are sent.

        Raises:
            ValidationError: ``recipe_id`` is not an integer or ``configuration`` is not a
                mapping (nothing is sent).
            NotFoundError: no such recipe in this workspace.
            BadRequestError: the API rejected the configuration.
        """
        body = compact({"configuration": _configuration(configuration), "title": title})
        return await self._call_model(
            UPDATE,
            AutomatedRecipe,
            path={"recipe_id": recipe_id},
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(recipe_id, timeout=timeout),
        )

    async def build(
        self,
        recipe_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AutomatedRecipe:
        """Start building an automated recipe and return it (its ``state`` shows progress).

        ``POST /api/v3/automated-recipes/{recipe_id}/build``

        Raises:
            ValidationError: ``recipe_id`` is not an integer.
            NotFoundError: no such recipe in this workspace.
        """
        return await self._call_model(
            BUILD,
            AutomatedRecipe,
            path={"recipe_id": recipe_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(recipe_id, timeout=timeout),
        )


def _configuration(value: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if value is not None and not isinstance(value, Mapping):
        raise ValidationError("configuration", f"must be a mapping, got {type(value).__name__}")
    return value
