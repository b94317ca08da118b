"""Workspaces: the agency's workspaces, their dashboards and the recipes enabled in them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._transport.query import compact
from ..config import Timeout
from ..errors import ResponseDecodeError, ValidationError
from ..models.recipes import Recipe
from ..models.workspaces import Dashboard, Workspace
from ..pagination import AsyncPaginator
from ._base import Scope, Service, declare, extra_of
from ._validate import int_id
from .recipes import LIST as LIST_RECIPES

__all__ = ["Workspaces"]

LIST = declare("workspaces.list", "GET", "/api/v3/workspaces", scope=Scope.BASIC, paginated=True)
CREATE = declare("workspaces.create", "POST", "/api/v3/workspaces", scope=Scope.BASIC)
GET = declare("workspaces.get", "GET", "/api/v3/workspaces/{workspace_id}", scope=Scope.BASIC)
UPDATE = declare("workspaces.update", "PUT", "/api/v3/workspaces/{workspace_id}", scope=Scope.BASIC)
LIST_DASHBOARDS = declare(
    "workspaces.list_dashboards",
    "GET",
    "/api/v3/workspaces/{workspace_id}/dashboards",
    scope=Scope.BASIC,
)
ENABLE_RECIPE = declare(
    "workspaces.enable_recipe",
    "POST",
    "/api/v3/workspaces/{workspace_id}/recipes",
    scope=Scope.BASIC,
)


def _title(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("title", "must be a non-empty string")
    return value


def _description(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationError("description", f"must be a string, got {type(value).__name__}")
    return value


class Workspaces(Service):
    """The ``workspaces`` area (agency scope: HTTP Basic, never the workspace token)."""

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
    ) -> AsyncPaginator[Workspace]:
        """List the agency's workspaces.

        ``GET /api/v3/workspaces``

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
            Workspace,
            page=page,
            size=page_size,
            concurrency=concurrency,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def create(
        self,
        *,
        title: str,
        description: str | None = None,
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Workspace:
        """Create a workspace.

        ``POST /api/v3/workspaces``

        The body is undocumented: ``title`` and ``description`` are the reference's PROPOSAL.

        Args:
            title: the workspace name (non-empty).
            description: an optional description.
            idempotent: allow retrying this POST on timeouts and 5xx (may create duplicates).
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: empty ``title`` or a non-string ``description`` (nothing is sent).
            BadRequestError: the API rejected the values (e.g. the workspace limit is reached).
        """
        body = compact({"title": _title(title), "description": _description(description)})
        return await self._call_model(
            CREATE,
            Workspace,
            json=body,
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def get(
        self,
        workspace_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Workspace:
        """Get one workspace.

        ``GET /api/v3/workspaces/{workspace_id}``

        Raises:
            ValidationError: ``workspace_id`` is not an integer.
            NotFoundError: no such workspace in the agency.
        """
        return await self._call_model(
            GET,
            Workspace,
            path={"workspace_id": workspace_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def update(
        self,
        workspace_id: int,
        *,
        title: str | None = None,
        description: str | None = None,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Workspace:
        """Rename a workspace or change its description.

        ``PUT /api/v3/workspaces/{workspace_id}``

        The body is undocumented: ``title`` and ``description`` are the reference's PROPOSAL;
        only the arguments given are sent.

        Args:
            workspace_id: the workspace id.
            title: the new name (non-empty).
            description: the new description.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: a non-integer ``workspace_id``, an empty ``title`` or a non-string
                ``description`` (nothing is sent).
            NotFoundError: no such workspace in the agency.
        """
        body = compact(
            {
                "title": None if title is None else _title(title),
                "description": _description(description),
            }
        )
        return await self._call_model(
            UPDATE,
            Workspace,
            path={"workspace_id": workspace_id},
            json=body,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self.get(workspace_id, timeout=timeout),
        )

    def list_dashboards(
        self,
        workspace_id: int,
        *,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[Dashboard]:
        """List the dashboards of a workspace.

        ``GET /api/v3/workspaces/{workspace_id}/dashboards``

        Whether the answer is a plain JSON array or a page is undocumented: both are read.

        Args:
            workspace_id: the workspace id.
            timeout: overrides the client's timeout for each request.

        Raises:
            ValidationError: ``workspace_id`` is not an integer.
            NotFoundError: no such workspace in the agency.
        """
        return self._paginate(
            LIST_DASHBOARDS,
            Dashboard,
            path={"workspace_id": workspace_id},
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
        )

    async def enable_recipe(
        self,
        workspace_id: int,
        *,
        recipe_id: int,
        idempotent: bool = False,
        timeout: Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Recipe:
        """Enable an agency recipe (from :meth:`Recipes.list`) in a workspace.

        ``POST /api/v3/workspaces/{workspace_id}/recipes``

        Body and response are undocumented: ``{"recipe_id": ...}`` is the reference's PROPOSAL,
        and the enabled recipe is expected back. If the API answers without a recipe object
        (e.g. an empty 201/204), the recipe is read back from ``GET /api/v3/recipes``.

        Args:
            workspace_id: the workspace id.
            recipe_id: the agency recipe to enable.
            idempotent: allow retrying this POST on timeouts and 5xx.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: ``workspace_id`` or ``recipe_id`` is not an integer (nothing is
                sent).
            NotFoundError: no such workspace in the agency.
            BadRequestError: no such recipe.
        """
        return await self._call_model(
            ENABLE_RECIPE,
            Recipe,
            path={"workspace_id": workspace_id},
            json={"recipe_id": int_id(recipe_id, "recipe_id")},
            idempotent=idempotent,
            timeout=timeout,
            extra=extra_of(extra_headers, extra_query, extra_body),
            read_back=lambda: self._find_recipe(recipe_id, timeout),
        )

    async def _find_recipe(self, recipe_id: int, timeout: Timeout | None) -> Recipe:
        recipes = self._paginate(LIST_RECIPES, Recipe, timeout=timeout)
        async for recipe in recipes:
            if recipe.id == recipe_id:
                return recipe
        raise ResponseDecodeError(
            f"enabling recipe {recipe_id} returned no recipe, and it is not in the recipe list"
        )
