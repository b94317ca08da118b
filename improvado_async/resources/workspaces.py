"""Workspaces: the agency's workspaces, their dashboards and the recipes enabled in them."""

from __future__ import annotations

from .._transport.query import compact
from ..config import Timeout
from ..errors import ResponseDecodeError, ValidationError
from ..models._converter import structure
from ..models.recipes import Recipe
from ..models.workspaces import Dashboard, Workspace
from ..pagination import AsyncPaginator
from ._base import Scope, Service
from ._validate import path_id

__all__ = ["Workspaces"]

_PATH = "/api/v3/workspaces"


def _workspace_path(id: int) -> str:
    return f"{_PATH}/{path_id(id, 'id')}"


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
            _PATH,
            Workspace,
            page=page,
            size=page_size,
            concurrency=concurrency,
            scope=Scope.BASIC,
            timeout=timeout,
        )

    async def create(
        self,
        *,
        title: str,
        description: str | None = None,
        idempotent: bool = False,
        timeout: Timeout | None = None,
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
            Workspace,
            "POST",
            _PATH,
            json=body,
            scope=Scope.BASIC,
            idempotent=idempotent,
            timeout=timeout,
        )

    async def get(self, id: int, *, timeout: Timeout | None = None) -> Workspace:
        """Get one workspace.

        ``GET /api/v3/workspaces/{id}``

        Raises:
            ValidationError: ``id`` is not an integer.
            NotFoundError: no such workspace in the agency.
        """
        return await self._call_model(
            Workspace, "GET", _workspace_path(id), scope=Scope.BASIC, timeout=timeout
        )

    async def update(
        self,
        id: int,
        *,
        title: str | None = None,
        description: str | None = None,
        timeout: Timeout | None = None,
    ) -> Workspace:
        """Rename a workspace or change its description.

        ``PUT /api/v3/workspaces/{id}``

        The body is undocumented: ``title`` and ``description`` are the reference's PROPOSAL;
        only the arguments given are sent.

        Args:
            id: the workspace id.
            title: the new name (non-empty).
            description: the new description.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: a non-integer ``id``, an empty ``title`` or a non-string
                ``description`` (nothing is sent).
            NotFoundError: no such workspace in the agency.
        """
        path = _workspace_path(id)
        body = compact(
            {
                "title": None if title is None else _title(title),
                "description": _description(description),
            }
        )
        return await self._call_model(
            Workspace, "PUT", path, json=body, scope=Scope.BASIC, timeout=timeout
        )

    def list_dashboards(
        self, id: int, *, timeout: Timeout | None = None
    ) -> AsyncPaginator[Dashboard]:
        """List the dashboards of a workspace.

        ``GET /api/v3/workspaces/{id}/dashboards``

        Whether the answer is a plain JSON array or a page is undocumented: both are read.

        Args:
            id: the workspace id.
            timeout: overrides the client's timeout for each request.

        Raises:
            ValidationError: ``id`` is not an integer.
            NotFoundError: no such workspace in the agency.
        """
        return self._paginate(
            f"{_workspace_path(id)}/dashboards",
            Dashboard,
            scope=Scope.BASIC,
            timeout=timeout,
            paged=False,
        )

    async def enable_recipe(
        self,
        id: int,
        *,
        recipe_id: int,
        idempotent: bool = False,
        timeout: Timeout | None = None,
    ) -> Recipe:
        """Enable an agency recipe (from :meth:`Recipes.list`) in a workspace.

        ``POST /api/v3/workspaces/{id}/recipes``

        Body and response are undocumented: ``{"recipe_id": ...}`` is the reference's PROPOSAL,
        and the enabled recipe is expected back. If the API answers without a recipe object
        (e.g. an empty 201/204), the recipe is read back from ``GET /api/v3/recipes``.

        Args:
            id: the workspace id.
            recipe_id: the agency recipe to enable.
            idempotent: allow retrying this POST on timeouts and 5xx.
            timeout: overrides the client's timeout.

        Raises:
            ValidationError: ``id`` or ``recipe_id`` is not an integer (nothing is sent).
            NotFoundError: no such workspace in the agency.
            BadRequestError: no such recipe.
        """
        path = f"{_workspace_path(id)}/recipes"
        body = {"recipe_id": int(path_id(recipe_id, "recipe_id"))}
        data = await self._call(
            "POST", path, json=body, scope=Scope.BASIC, idempotent=idempotent, timeout=timeout
        )
        if isinstance(data, dict) and "id" in data:
            return structure(data, Recipe)
        return await self._find_recipe(recipe_id, timeout)

    async def _find_recipe(self, recipe_id: int, timeout: Timeout | None) -> Recipe:
        recipes = self._paginate("/api/v3/recipes", Recipe, scope=Scope.BASIC, timeout=timeout)
        async for recipe in recipes:
            if recipe.id == recipe_id:
                return recipe
        raise ResponseDecodeError(
            f"enabling recipe {recipe_id} returned no recipe, and it is not in the recipe list"
        )
